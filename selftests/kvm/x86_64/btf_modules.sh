#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# btf_modules: the x86 KVM modules carry BTF, and bpftool (carried into the
# initramfs with its shared libraries) can read it.  A BPF struct_ops type
# defined in kvm.ko can only be registered if kvm.ko has BTF, so this is
# the precondition for the x86 half of the kernel series.
echo "TAP version 13"
echo "1..5"
n=0 failed=0
check()
{
	n=$((n + 1))
	if eval "$1"; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
		return 1
	fi
}
release=$(uname -r)
check "[ -r /sys/kernel/btf/vmlinux ]" "vmlinux BTF is exposed"
check "[ -r /sys/kernel/btf/kvm ]" "kvm.ko has BTF (/sys/kernel/btf/kvm)"
check "[ -r /sys/kernel/btf/kvm_amd ]" "kvm_amd.ko has BTF"
check "modinfo -F vermagic /lib/modules/$release/kernel/arch/x86/kvm/kvm-intel.ko >/dev/null 2>&1 || [ -f /lib/modules/$release/kernel/arch/x86/kvm/kvm-intel.ko ]" \
	"kvm-intel.ko is built and shipped (it cannot load without VMX)"
bpftool btf dump file /sys/kernel/btf/kvm format raw >/tmp/kvm.btf 2>&1
# struct kvm_pmu itself is in vmlinux's BTF (module BTF is deduplicated
# against it); the PMU code's functions are kvm.ko's own.
check "grep -q \"FUNC 'kvm_vm_ioctl_set_pmu_event_filter'\" /tmp/kvm.btf" \
	"bpftool finds KVM's PMU filter code in kvm.ko's BTF" ||
	head -5 /tmp/kvm.btf | sed 's/^/# bpftool: /'
exit $failed
