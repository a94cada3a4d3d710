/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP (Test Anything Protocol) output for the in-guest tests.
 *
 * Each test binary prints a plan, one "ok"/"not ok" line per check and
 * "# SKIP reason" for checks that cannot run on this machine.  The harness
 * streams these lines back over the serial console and counts them, so a
 * binary that crashes half-way leaves a short count that the harness
 * reports as a failure.
 */
#ifndef VPMU_TAP_H
#define VPMU_TAP_H

#include <stdbool.h>

void tap_plan(int count);
/* Report one check; returns @pass so callers can chain on it. */
bool tap_check(bool pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_skip(const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Skip the whole binary: prints "1..0 # SKIP reason" and exits 0. */
void __attribute__((noreturn)) tap_skip_all(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Abort on a setup error that makes later checks meaningless. */
void __attribute__((noreturn)) tap_bail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Print the summary and return the exit status (0 iff every check passed). */
int tap_finish(void);

#define TAP_CHECK_EQ(got, want, fmt, ...)                                     \
	({                                                                    \
		unsigned long long __g = (got), __w = (want);                 \
		bool __ok = tap_check(__g == __w, fmt, ##__VA_ARGS__);        \
		if (!__ok)                                                    \
			tap_diag("  %s = %llu (0x%llx), expected %llu", #got, \
				 __g, __g, __w);                              \
		__ok;                                                         \
	})

#endif /* VPMU_TAP_H */
