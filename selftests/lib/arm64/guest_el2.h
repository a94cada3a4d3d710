/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side helpers for a vCPU with EL2 (nested virtualization): what a
 * guest hypervisor at virtual EL2 does to run code at vEL1.
 */
#ifndef VPMU_ARM64_GUEST_EL2_H
#define VPMU_ARM64_GUEST_EL2_H

/*
 * From vEL2, enter @fn at EL1h with stage 2 off and @stack_top as SP_EL1,
 * as a guest hypervisor entering its own guest would.  The kvmt vectors
 * serve EL1 too.  Does not return: @fn ends the test with a ucall.
 */
void __attribute__((noreturn)) guest_enter_el1(void (*fn)(void),
					       void *stack_top);

#endif /* VPMU_ARM64_GUEST_EL2_H */
