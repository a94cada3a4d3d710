#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness fails a run on a kernel splat even when every test passed.
#
# Two boots of the arm64 test kernel: a control run whose guest passes
# must pass, and a run whose guest provokes a stock WARN() (LKDTM) but
# reports success must fail, naming the WARNING.  Without the second, a
# lockdep or atomic-sleep report during any later test could go unseen.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
O=${O:-$here/../../build}
kdir=$O/kernel-arm64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "TAP version 13"
if [[ ! -f $kdir/Image ]]; then
	echo "1..0 # SKIP no arm64 kernel in $kdir (run make kernel)"
	exit 0
fi
echo "1..4"

"$here/../vm/mkinitramfs.sh" --arch arm64 --kernel "$kdir" \
	--tests "$O/selftests/arm64/tests" \
	--add "$here/guest/provoke_warn.sh:/tests/provoke_warn" \
	--add "$here/guest/clean.sh:/tests/clean" \
	--out "$tmp/initramfs.cpio" || { echo "Bail out! mkinitramfs failed"; exit 1; }

run()
{
	"$here/../vm/run-vm.sh" --arch arm64 --kernel "$kdir" \
		--initramfs "$tmp/initramfs.cpio" --tests "$1" --timeout 120 \
		--log "$tmp/$1.console" >"$tmp/$1.out" 2>&1
}

failed=0
check()
{
	if eval "$2"; then
		echo "ok $1 - $3"
	else
		echo "not ok $1 - $3"
		sed 's/^/# /' "$tmp/$4.out"
		failed=1
	fi
}

run clean; rc=$?
check 1 "((rc == 0))" "control: a clean guest run passes" clean
run provoke_warn; rc=$?
check 2 "((rc != 0))" "a run with a kernel WARN fails although its test passed" provoke_warn
check 3 "grep -q 'kernel splat on the console' '$tmp/provoke_warn.out'" \
	"the failure names a kernel splat" provoke_warn
check 4 "grep -q 'WARNING: .*lkdtm' '$tmp/provoke_warn.out'" \
	"the failure quotes the WARNING line" provoke_warn
exit $failed
