/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF objects the daemon loads (bpf/vpmu_engine.bpf.c and
 * bpf/vpmu_vms.bpf.c, built by bpf/build.mk), embedded as they are;
 * daemon/bpf_objects.h declares them.  The build passes their paths as
 * VPMU_ENGINE_OBJ and VPMU_VMS_OBJ.
 *
 * Why not bpftool's skeletons: a skeleton is generated for the libbpf
 * that bpftool was built with, and Debian 12's bpftool (7.5, backports)
 * writes skeletons with libbpf 1.5 fields that its libbpf-dev (1.4)
 * headers lack.  An embedded object opened with bpf_object__open_mem()
 * needs only libbpf's stable API, so the daemon builds against Debian's
 * libbpf-dev with no bpftool at all.
 */
	.section .rodata
	.balign 8
	.globl vpmu_engine_obj, vpmu_engine_obj_end
vpmu_engine_obj:
	.incbin VPMU_ENGINE_OBJ
vpmu_engine_obj_end:

	.balign 8
	.globl vpmu_vms_obj, vpmu_vms_obj_end
vpmu_vms_obj:
	.incbin VPMU_VMS_OBJ
vpmu_vms_obj_end:

	.section .note.GNU-stack, "", %progbits
