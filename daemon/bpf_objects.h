/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF objects embedded by daemon/bpf_objects.S (ELF images). */
#ifndef VPMUD_BPF_OBJECTS_H
#define VPMUD_BPF_OBJECTS_H

extern const char vpmu_engine_obj[], vpmu_engine_obj_end[];
extern const char vpmu_vms_obj[], vpmu_vms_obj_end[];

#endif /* VPMUD_BPF_OBJECTS_H */
