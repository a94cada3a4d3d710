/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libbpf's messages as TAP comments, debug messages dropped, so that a
 * verifier log explains a failed check without breaking the TAP stream.
 */
#ifndef VPMU_LIBBPF_TAP_H
#define VPMU_LIBBPF_TAP_H

/* Install the printer with libbpf_set_print(). */
void tap_libbpf_quiet(void);

#endif /* VPMU_LIBBPF_TAP_H */
