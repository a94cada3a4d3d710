// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code for vCPUs with EL2.  No libc.
 */
#include "../guest.h"
#include "guest_el2.h"

#define HCR_EL2_RW	(1ULL << 31)
#define HCR_EL2_TGE	(1ULL << 27)
#define HCR_EL2_E2H	(1ULL << 34)
#define SPSR_EL1h_DAIF	0x3c5ULL
/* VBAR_EL12: VBAR_EL1 as seen from EL2 when HCR_EL2.E2H is set. */
#define vbar_el12	S3_5_C12_C0_0

extern char kvmt_guest_vectors[];

void guest_enter_el1(void (*fn)(void), void *stack_top)
{
	uint64_t hcr = read_sysreg(hcr_el2);

	if (hcr & HCR_EL2_E2H)
		write_sysreg((uintptr_t)kvmt_guest_vectors, vbar_el12);
	else
		write_sysreg((uintptr_t)kvmt_guest_vectors, vbar_el1);
	write_sysreg((hcr | HCR_EL2_RW) & ~HCR_EL2_TGE, hcr_el2);
	write_sysreg((uintptr_t)stack_top, sp_el1);
	write_sysreg((uintptr_t)fn, elr_el2);
	write_sysreg(SPSR_EL1h_DAIF, spsr_el2);
	asm volatile("isb; eret" : : : "memory");
	__builtin_unreachable();
}
