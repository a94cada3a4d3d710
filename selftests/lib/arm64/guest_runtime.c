// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-side runtime called from guest_entry.S.
 */
#include "../guest.h"

void kvmt_guest_done(void)
{
	GUEST_DONE();
}

/* Report any exception to the host; the vCPU cannot continue after it. */
void kvmt_guest_exception(uint64_t vector)
{
	uint64_t esr, elr, far;

	if (current_el() == 2) {
		esr = read_sysreg(esr_el2);
		elr = read_sysreg(elr_el2);
		far = read_sysreg(far_el2);
	} else {
		esr = read_sysreg(esr_el1);
		elr = read_sysreg(elr_el1);
		far = read_sysreg(far_el1);
	}
	for (;;)
		guest_ucall(UCALL_EXCEPTION, vector, esr, elr, far, 0);
}
