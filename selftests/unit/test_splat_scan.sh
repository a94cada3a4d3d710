#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unit test of selftests/vm/splat-scan.sh: each kind of kernel report is
# caught, and ordinary console output (including test output that merely
# mentions "BUG:" or "WARNING:") is not.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scan=$here/../vm/splat-scan.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

# expect caught|clean DESCRIPTION LOG-TEXT
expect()
{
	local want=$1 desc=$2 got
	printf '%s\n' "$3" >"$tmp/log"
	if "$scan" "$tmp/log" >/dev/null; then got=clean; else got=caught; fi
	n=$((n + 1))
	if [[ $got == "$want" ]]; then
		echo "ok $n - $desc: $want"
	else
		echo "not ok $n - $desc: expected $want, got $got"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..15"
expect clean "a normal boot" \
'[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]
[    0.266009] kvm [1]: VHE mode initialized successfully
[    0.519055] hw perfevents: enabled with armv8_pmuv3 PMU driver
### vpmu-test-begin pmu_counts
ok 1 - INST_RETIRED exact'
expect caught "WARN()" \
'[    5.100000] ------------[ cut here ]------------
[    5.100100] WARNING: CPU: 0 PID: 61 at drivers/misc/lkdtm/bugs.c:99 lkdtm_WARNING+0x10/0x20'
expect caught "WARN(), Linux 7.3 format" \
'[    0.747321] WARNING: drivers/misc/lkdtm/bugs.c:164 at lkdtm_WARNING+0x18/0x20, CPU#0: provoke_warn/42'
expect caught "WARN() with a caller id" \
'[    5.100100] [   T61] WARNING: CPU: 0 PID: 61 at arch/x86/kvm/pmu.c:400 reprogram_counter+0x1/0x2'
expect caught "lockdep circular dependency" \
'[   12.000000] ======================================================
[   12.000001] WARNING: possible circular locking dependency detected'
expect caught "lockdep recursive locking" \
'[   12.000001] WARNING: possible recursive locking detected'
expect caught "suspicious RCU usage" \
'[    3.000000] =============================
[    3.000001] WARNING: suspicious RCU usage'
expect caught "sleeping in atomic context" \
'[    7.000000] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580'
expect caught "scheduling while atomic" \
'[    7.000000] BUG: scheduling while atomic: qemu/100/0x00000002'
expect caught "oops" \
'[    9.000000] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008
[    9.000100] Internal error: Oops: 0000000096000006 [#1] SMP'
expect caught "BUG_ON()" \
'[    9.000000] kernel BUG at virt/kvm/kvm_main.c:1234!'
expect caught "RCU stall" \
'[   60.000000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:'
expect caught "a stack trace without a known header" \
'[    9.000000] Call trace:
[    9.000001]  dump_stack_lvl+0x1/0x2'
expect clean "test output that mentions BUG: and WARNING:" \
'ok 3 - no BUG: in the log
# WARNING: this is only a test diagnostic'
expect caught "CRLF line endings from the serial console" \
$'[    5.100100] WARNING: CPU: 0 PID: 61 at mm/slub.c:1 f+0x1/0x2\r'
exit $failed
