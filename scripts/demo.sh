#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job: boot the patched arm64 test kernel under QEMU; show a KVM
# guest's PMU counts with and without the VMM's static event filter and
# under the BPF engine per tenant cgroup; then vpmu-policyd with two
# tenant policies, a VM in each, vpmuctl and bpftool views of the
# decisions and metrics, a policy edit applied to a running VM, and a
# tenant tried in audit mode, its suggested file, then enforced.  Run through
# `make demo`, which builds what it needs.
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
	--add "$top/selftests/demo/arm64/daemon_demo.sh:/tests/daemon_demo.sh" \
	--add "$O/daemon/arm64/vpmu-policyd:/usr/sbin/vpmu-policyd" \
	--add "$O/daemon/arm64/vpmuctl:/usr/sbin/vpmuctl" \
	--add "$top/examples/tenants.d/research.json:/usr/share/doc/vpmu-policy/research.json" \
	--add "$VPMU_CACHE/bpftool-arm64/sbin/bpftool:/usr/sbin/bpftool" \
	--out "$initrd"
step "booting Linux $(cat "$kdir/release") (arm64) under QEMU with KVM inside"
"$top/selftests/vm/run-vm.sh" --arch arm64 --kernel "$kdir" --initramfs "$initrd" \
	--tests "vpmu_demo daemon_demo.sh" --timeout 300 --log "$O/demo-console.log" \
	--append "vpmu.epoch=$(date +%s)" |
	grep -v '^### vpmu' | sed 's/^demo: //' | grep -v '^### run-vm:.*verdict pass'
