// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"

static int planned = -1, run, failed;

void tap_plan(int count)
{
	planned = count;
	printf("TAP version 13\n1..%d\n", count);
	fflush(stdout);
}

static void vline(const char *prefix, const char *suffix, const char *fmt,
		  va_list ap)
{
	printf("%s %d - ", prefix, ++run);
	vprintf(fmt, ap);
	printf("%s\n", suffix);
	fflush(stdout);
}

bool tap_check(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(pass ? "ok" : "not ok", "", fmt, ap);
	va_end(ap);
	if (!pass)
		failed++;
	return pass;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	char suffix[256];
	va_list ap;

	snprintf(suffix, sizeof(suffix), " # SKIP %s", reason);
	va_start(ap, fmt);
	vline("ok", suffix, fmt, ap);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("TAP version 13\n1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(0);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

int tap_finish(void)
{
	if (planned >= 0 && run != planned) {
		printf("# planned %d checks but ran %d\n", planned, run);
		failed++;
	}
	fflush(stdout);
	return failed ? 1 : 0;
}
