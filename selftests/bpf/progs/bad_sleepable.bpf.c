// SPDX-License-Identifier: GPL-2.0
/*
 * A policy whose event_filter is sleepable.  event_filter may run with
 * IRQs disabled, so the kernel must refuse to load it (negative test).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("struct_ops.s/event_filter")
int BPF_PROG(sleepy_filter, const struct kvm_pmu_event_ctx *ev)
{
	return KVM_PMU_POLICY_ALLOW;
}

SEC(".struct_ops.link")
struct kvm_pmu_policy_ops sleepy = {
	.event_filter = (void *)sleepy_filter,
	.name = "sleepy",
};

char LICENSE[] SEC("license") = "GPL";
