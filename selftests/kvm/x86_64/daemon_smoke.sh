#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# daemon_smoke: the shipped vpmu-policyd (Debian's libbpf, the engine built
# against bpf/lib/kernel_types.h) on the x86 kernel, where KVM is a module:
# libbpf finds kvm_pmu_policy_ops and the refresh kfunc in kvm.ko's BTF
# and moves the VM iterator's struct kvm reads to kvm.ko's layout.  The
# daemon loads, attaches and pins the engine, sees a VM come and go
# (kvm_smoke), and vpmuctl runs the iterator; unpin detaches it.
echo "TAP version 13"
echo "1..6"
LOG=/tmp/policyd.log
n=0 failed=0
check()
{
	n=$((n + 1))
	if eval "$1" >/tmp/check.out 2>&1; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/# /' /tmp/check.out | head -10
		tail -n 8 $LOG | sed 's/^/#   /'
		failed=1
	fi
}
mkdir -p /etc/vpmu-policyd/tenants.d
printf '{ "default_action": "deny", "state_dir": "/run/vpmu-smoke-state" }\n' \
	>/etc/vpmu-policyd/vpmu-policyd.json
started()
{
	i=0
	while [ $i -lt 200 ]; do
		grep -q ': ready' $LOG 2>/dev/null && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
vpmu-policyd >$LOG 2>&1 &
pid=$!
check "started" "vpmu-policyd starts on x86 (engine loaded against kvm.ko's BTF)"
check "test -e /sys/fs/bpf/vpmu/vpmu_engine && grep -q '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies" \
	"the engine is attached (debugfs) and its link pinned"
check "/tests/kvm_smoke >/tmp/smoke.out && sleep 0.5 && grep -q 'VM [0-9]* (cgroup' $LOG && grep -q 'VM [0-9]*: destroyed' $LOG" \
	"a VM's creation and destruction reach the daemon (lifecycle ring buffer)"
check "vpmuctl vms" "vpmuctl vms runs the VM iterator (struct kvm from kvm.ko's BTF)"
kill $pid
wait $pid
check "test -e /sys/fs/bpf/vpmu/vpmu_engine" "stopping the daemon leaves the engine pinned"
check "vpmuctl unpin && sleep 0.5 && ! grep -q vpmu_engine /sys/kernel/debug/kvm/pmu_policies" \
	"vpmuctl unpin detaches it"
exit $failed
