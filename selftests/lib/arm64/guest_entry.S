/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry stub and exception vectors for kvmt arm64 guests.
 *
 * The host starts a vCPU here with x0 = guest function, x1 = its
 * argument, x2 = stack top, at EL1h or (nested virt) EL2h with the MMU
 * off.  The stub installs the vectors for the current EL, calls the
 * function and reports UCALL_DONE when it returns.
 */
	.text
	.global kvmt_guest_entry
	.type kvmt_guest_entry, %function
kvmt_guest_entry:
	mov	sp, x2
	adr	x4, kvmt_guest_vectors
	mrs	x3, CurrentEL
	cmp	x3, #(2 << 2)
	b.eq	1f
	msr	vbar_el1, x4
	b	2f
1:	msr	vbar_el2, x4
2:	isb
	mov	x5, x0
	mov	x0, x1
	blr	x5
	bl	kvmt_guest_done
3:	wfi
	b	3b
	.size kvmt_guest_entry, . - kvmt_guest_entry

	/* 16 entries of 0x80 bytes: each passes its index to the C handler. */
	.macro	vector idx
	.balign	0x80
	mov	x0, #\idx
	b	kvmt_guest_exception
	.endm

	.balign	0x800
	.global kvmt_guest_vectors
kvmt_guest_vectors:
	.irp	idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector	\idx
	.endr

	.section .note.GNU-stack, "", %progbits
