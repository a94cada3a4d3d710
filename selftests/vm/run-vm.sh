#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a test kernel under QEMU TCG with a test initramfs, run tests in
# the guest, and judge the run.
#
# Usage: run-vm.sh --arch A --kernel KDIR --initramfs FILE --tests "a b"
#                  [--append ARGS] [--timeout SECONDS] [--log FILE]
#                  [--summary FILE] [--verbose]
#
# The run passes only if QEMU exits with the guest's "pass" verdict
# (harness-exit), every test ends with rc=0, and the console holds no
# kernel splat (WARNING, BUG, lockdep, RCU, atomic sleep, oops, panic).
# TAP lines are echoed as they arrive; --verbose echoes the whole console.
# --summary writes "passed failed skipped" counts of the TAP checks.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/verdict.sh"

arch= kdir= initrd= tests= append= timeout=600 log= summary= verbose=0
while (($#)); do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--kernel) kdir=$2; shift 2 ;;
	--initramfs) initrd=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--summary) summary=$2; shift 2 ;;
	--verbose) verbose=1; shift ;;
	*) echo "run-vm: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ -n $arch && -n $kdir && -n $initrd ]] || {
	echo "usage: run-vm.sh --arch A --kernel KDIR --initramfs FILE --tests \"a b\"" >&2
	exit 2
}
[[ -n $log ]] || log=$(mktemp /tmp/vpmu-console.XXXXXX)

# Kernel parameters common to both arches: fail fast instead of hanging,
# and pass the test list to the guest's init.
cmdline="panic=-1 oops=panic loglevel=7 vpmu.tests=${tests// /,}"
cmdline+=" vpmu.timeout=$((timeout - 30 > 30 ? timeout - 30 : 30))"

# The host's TSC rate in kHz, or nothing.  Under TCG an x86 guest's TSC
# runs at the host's; the guest kernel calibrates it against the PIT,
# which fails when the host is busy ("Unable to calibrate against PIT"),
# and with the TSC marked unstable kvm_amd's guests hang.  Telling the
# guest the rate (tsc_early_khz=) skips that calibration.
host_tsc_khz()
{
	local mhz

	[[ $(uname -m) = x86_64 ]] || return 0
	mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -1)
	[[ -n $mhz ]] || mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -1)
	[[ -n $mhz ]] || mhz=$(sed -n 's/^cpu MHz[[:space:]]*: \([0-9.]*\)$/\1/p' /proc/cpuinfo | head -1)
	[[ -n $mhz ]] && awk -v m="$mhz" 'BEGIN { printf "%d\n", m * 1000 }'
	return 0
}

case $arch in
arm64)
	qemu=(qemu-system-aarch64
	      -M virt,virtualization=on,gic-version=3
	      -cpu max,pmu=on,pauth=off -icount shift=0
	      -semihosting-config enable=on,target=native,userspace=on
	      -kernel "$kdir/Image")
	cmdline="console=ttyAMA0 $cmdline"
	;;
x86_64)
	qemu=(qemu-system-x86_64 -M pc -cpu max
	      -device isa-debug-exit,iobase=0xf4,iosize=0x04
	      -kernel "$kdir/bzImage")
	cmdline="console=ttyS0 $cmdline"
	khz=$(host_tsc_khz)
	[[ -z $khz ]] || cmdline+=" tsc_early_khz=$khz"
	;;
*) echo "run-vm: unknown arch $arch" >&2; exit 2 ;;
esac
qemu+=(-m 2048 -smp 1 -display none -monitor none -serial stdio -no-reboot
       -initrd "$initrd" -append "$cmdline $append")

# Show what matters while the guest runs.
filter()
{
	if ((verbose)); then
		cat
	else
		grep --line-buffered -aE '^(ok|not ok|Bail out!|#|### vpmu|demo:|1\.\.0)|WARNING:|BUG:|Kernel panic|Oops|Internal error' || true
	fi
}

start=$SECONDS
timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 |
	tee "$log" | tr -d '\r' | filter
status=${PIPESTATUS[0]}
elapsed=$((SECONDS - start))

verdict_judge "$log" "$status" "$timeout"
verdict_has "$log" '### vpmu-harness-done' || verdict_fail "guest init never finished"
verdict_report run-vm "$arch" "$elapsed" "$log" "$summary"
