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
check "bpftool prog load /tests/smoke.bpf.o /sys/fs/bpf/smoke pinmaps /sys/fs/bpf/smoke_maps" \
	"bpftool loads and pins smoke.bpf.o and its maps (the verifier accepts it)"
check "bpftool prog show pinned /sys/fs/bpf/smoke | grep -q 'name smoke'" \
	"the pinned program is listed"
# By pinned path, not by name: a lookup by name walks every map on the
# system and fails if one (say, freed by an earlier test) vanishes midway.
check "bpftool map dump pinned /sys/fs/bpf/smoke_maps/runs | grep -q 'value'" \
	"bpftool dumps the program's map"
check "bpftool btf dump file /sys/kernel/btf/vmlinux format raw | grep -q \"STRUCT 'kvm'\"" \
	"vmlinux BTF describes struct kvm"
rm -rf /sys/fs/bpf/smoke /sys/fs/bpf/smoke_maps
exit $failed
