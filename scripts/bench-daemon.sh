#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, second part: vpmu-policyd's costs in the arm64 test guest
# (bench/daemon/policyd_bench.sh): compile + load of 10,000 tenants, VM
# created -> policy applied, file written -> policy enforced, idle RSS and
# wake-ups.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
O=${O:-$top/build}

kdir=$O/kernel-arm64
initrd=$O/initramfs-bench.cpio
step "assembling the benchmark initramfs"
"$top/selftests/vm/mkinitramfs.sh" --arch arm64 --kernel "$kdir" \
	--tests "$O/selftests/arm64/tests" \
	--add "$top/bench/daemon/policyd_bench.sh:/tests/policyd_bench.sh" \
	--add "$O/daemon/arm64/vpmu-policyd:/usr/sbin/vpmu-policyd" \
	--add "$O/daemon/arm64/vpmuctl:/usr/sbin/vpmuctl" \
	--out "$initrd"
step "booting the arm64 kernel for the daemon benchmarks (several minutes under TCG)"
"$top/selftests/vm/run-vm.sh" --arch arm64 --kernel "$kdir" --initramfs "$initrd" \
	--tests policyd_bench.sh --timeout 1800 --log "$O/bench-console.log" |
	sed -n 's/^# bench: //p'
