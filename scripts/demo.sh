#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job, as far as it goes today: boot the patched arm64 test kernel
# under QEMU and show a KVM guest's PMU counts with and without the VMM's
# static event filter, then with the vpmu-policy BPF engine deciding per
# tenant cgroup, and the engine's audit.  Run through `make demo`, which
# builds what it needs.  (vpmu-policyd will take over the engine's setup.)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
O=${O:-$top/build}

kdir=$O/kernel-arm64
initrd=$O/initramfs-demo.cpio
step "assembling the demo initramfs"
"$top/selftests/vm/mkinitramfs.sh" --arch arm64 --kernel "$kdir" \
	--tests "$O/selftests/arm64/tests" \
	--add "$O/selftests/arm64/demo/vpmu_demo:/tests/vpmu_demo" \
	--add "$VPMU_CACHE/bpftool-arm64/sbin/bpftool:/usr/sbin/bpftool" \
	--out "$initrd"
step "booting Linux $(cat "$kdir/release") (arm64) under QEMU with KVM inside"
"$top/selftests/vm/run-vm.sh" --arch arm64 --kernel "$kdir" --initramfs "$initrd" \
	--tests vpmu_demo --timeout 300 --log "$O/demo-console.log" |
	grep -v '^### vpmu' | sed 's/^demo: //' | grep -v '^### run-vm:.*verdict pass'
