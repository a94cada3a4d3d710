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

# Count TAP checks per test from the framed console output.
counts=$(awk -v framed=1 -f "$here/../tap-count.awk" "$log")
read -r passed failed skipped <<<"$counts"

verdict=pass
reason=
if ! splats=$("$here/splat-scan.sh" "$log"); then
	verdict=fail
	reason+="kernel splat on the console:"$'\n'"$splats"$'\n'
fi
case $status in
1) ;;
3) verdict=fail; reason+="guest reported failure"$'\n' ;;
124|137) verdict=fail; reason+="timed out after ${timeout}s"$'\n' ;;
*) verdict=fail; reason+="QEMU exited with status $status and no verdict (guest crashed, panicked or never finished)"$'\n' ;;
esac
if ! grep -aq '^### vpmu-harness-done' <(tr -d '\r' <"$log"); then
	verdict=fail
	reason+="guest init never finished"$'\n'
fi
# A broken run must fail even if no single TAP check did.
if [[ $verdict == fail ]] && ((failed == 0)); then
	failed=1
fi

[[ -n $summary ]] && echo "$passed $failed $skipped" >"$summary"
echo "### run-vm: $arch ${elapsed}s: $passed passed, $failed failed, $skipped skipped; verdict $verdict (console log: $log)"
if [[ $verdict == fail ]]; then
	printf '%s' "$reason" | sed 's/^/### run-vm: /'
	exit 1
fi
exit 0
