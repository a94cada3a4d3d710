// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-side runtime for x86_64: where a guest function returns to.
 */
#include "../guest.h"

void kvmt_guest_done_x86(void)
{
	for (;;)
		GUEST_DONE();
}
