// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "libbpf_tap.h"

static int print_as_tap(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	printf("# libbpf: ");
	return vprintf(fmt, ap);
}

void tap_libbpf_quiet(void)
{
	libbpf_set_print(print_as_tap);
}
