/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest side of kvmt: what guest functions may use.  Everything here
 * is header-only and free of libc, because guest code runs with the MMU
 * off and no runtime beyond the entry stub.
 */
#ifndef VPMU_GUEST_H
#define VPMU_GUEST_H

#include <stdint.h>

#include "ucall.h"

static inline void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1,
			       uint64_t a2, uint64_t a3, const char *file)
{
	/* On the guest stack; VA == PA, so its address is a GPA. */
	volatile struct kvmt_ucall uc = {
		.cmd = cmd,
		.args = { a0, a1, a2, a3 },
		.file = file,
	};
	uint64_t gpa = (uint64_t)(uintptr_t)&uc;

#if defined(__aarch64__)
	/* One plain store, so the MMIO exit has a valid syndrome. */
	asm volatile("str %0, [%1]"
		     :
		     : "r"(gpa), "r"(KVMT_UCALL_MMIO)
		     : "memory");
#else
	asm volatile("movq %0, (%1)"
		     :
		     : "r"(gpa), "r"(KVMT_UCALL_MMIO)
		     : "memory");
#endif
}

/* Pause the guest: kvmt_vcpu_run() returns UCALL_SYNC with @stage. */
#define GUEST_SYNC(stage) guest_ucall(UCALL_SYNC, (stage), 0, 0, 0, 0)
#define GUEST_DONE()	  guest_ucall(UCALL_DONE, 0, 0, 0, 0, 0)
#define GUEST_FAIL(a, b) \
	guest_ucall(UCALL_FAIL, __LINE__, (a), (b), 0, __FILE__)
#define GUEST_ASSERT(cond)                \
	do {                              \
		if (!(cond))              \
			GUEST_FAIL(0, 0); \
	} while (0)
#define GUEST_ASSERT_EQ(a, b)                  \
	do {                                   \
		uint64_t __a = (a), __b = (b); \
		if (__a != __b)                \
			GUEST_FAIL(__a, __b);  \
	} while (0)

#if defined(__aarch64__)
#include "arm64/guest_sysreg.h"
#endif

#endif /* VPMU_GUEST_H */
