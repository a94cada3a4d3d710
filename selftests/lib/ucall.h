/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-to-host call ABI, shared by both sides of a kvmt test.
 *
 * The guest stores the guest-physical address of a struct kvmt_ucall with
 * one 64-bit store to KVMT_UCALL_MMIO.  No memslot covers that address,
 * so KVM exits to userspace with KVM_EXIT_MMIO and the host reads the
 * struct from guest memory.
 */
#ifndef VPMU_UCALL_H
#define VPMU_UCALL_H

#include <stdint.h>

#define KVMT_UCALL_MMIO 0x0f000000ULL

enum kvmt_ucall_cmd {
	UCALL_NONE,
	UCALL_SYNC, /* args[0]: stage; the guest continues on the next run */
	UCALL_DONE, /* the guest function returned */
	UCALL_FAIL, /* args[0]: line, args[1..2]: values, file: source file */
	UCALL_EXCEPTION, /* args[0]: vector, [1]: ESR, [2]: ELR, [3]: FAR */
};

struct kvmt_ucall {
	uint64_t cmd;
	uint64_t args[4];
	const char *file; /* guest address == host address (identity map) */
};

#endif /* VPMU_UCALL_H */
