// SPDX-License-Identifier: GPL-2.0
/*
 * harness-exit CODE: end the QEMU run with the guest's verdict.
 *
 * QEMU's own exit status carries the verdict, as (CODE << 1) | 1, so a
 * run that ends any other way (a panic reboots into -no-reboot, which
 * exits 0) can never look like a pass.  x86 uses the isa-debug-exit
 * device, which encodes exactly that; arm64 uses semihosting's
 * SYS_EXIT_EXTENDED with the same encoding (QEMU runs with
 * -semihosting-config userspace=on so that EL0 may call it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <sys/io.h>
#endif

#define ISA_DEBUG_EXIT_PORT 0xf4

#if defined(__aarch64__)
#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT  0x20026

static void exit_qemu(unsigned int code)
{
	unsigned long block[2] = { ADP_STOPPED_APPLICATION_EXIT,
				   (code << 1) | 1 };
	register unsigned long x0 asm("x0") = SEMIHOSTING_SYS_EXIT_EXTENDED;
	register unsigned long x1 asm("x1") = (unsigned long)block;

	asm volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}
#else
static void exit_qemu(unsigned int code)
{
	if (ioperm(ISA_DEBUG_EXIT_PORT, 4, 1) == 0)
		outl(code, ISA_DEBUG_EXIT_PORT);
}
#endif

int main(int argc, char **argv)
{
	unsigned int code =
		argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 1;

	fflush(stdout);
	sync();
	exit_qemu(code);
	/*
	 * No exit device: reset instead.  QEMU runs with -no-reboot, so it
	 * exits (status 0, which the host reads as "no verdict") rather than
	 * hanging until the timeout as a power-off without ACPI would.
	 */
	fprintf(stderr, "harness-exit: no exit device; resetting\n");
	reboot(RB_AUTOBOOT);
	return 1;
}
