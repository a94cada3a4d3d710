/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The L2 guest's workload: a known number of user-space instructions,
 * for `perf stat -e instructions:u` to be compared with.  No libc, no
 * dynamic loader: what runs at EL0 after exec is exactly this.
 *
 *   2 (loop count) + 2 * LOOPS (subs, b.ne) + 3 (exit) = 2000005
 */
#define LOOPS 1000000

	.text
	.globl _start
_start:
	movz	x0, #(LOOPS & 0xffff)
	movk	x0, #(LOOPS >> 16), lsl #16
1:	subs	x0, x0, #1
	b.ne	1b
	mov	x0, #0
	mov	x8, #93		/* exit */
	svc	#0

	.section .note.GNU-stack, "", %progbits
