#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bpftool_smoke: bpftool (carried into the initramfs with its shared
# libraries) loads and pins a BPF object on the test kernel, and can dump
# its map and the kernel's BTF.  Users inspect vpmu-policy's decisions with
# exactly these commands, so they must work on the test kernels.
echo "TAP version 13"
echo "1..5"
n=0 failed=0
check()
{
	n=$((n + 1))
	if eval "$1" >/tmp/out 2>&1; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		head -5 /tmp/out | sed 's/^/# /'
		failed=1
	fi
}
check "bpftool version" "bpftool runs"
check "bpftool prog load /tests/smoke.bpf.o /sys/fs/bpf/smoke" \
	"bpftool loads and pins smoke.bpf.o (the verifier accepts it)"
check "bpftool prog show pinned /sys/fs/bpf/smoke | grep -q 'name smoke'" \
	"the pinned program is listed"
check "bpftool map dump name runs | grep -q 'value'" \
	"bpftool dumps the program's map"
check "bpftool btf dump file /sys/kernel/btf/vmlinux format raw | grep -q \"STRUCT 'kvm'\"" \
	"vmlinux BTF describes struct kvm"
rm -f /sys/fs/bpf/smoke
exit $failed
