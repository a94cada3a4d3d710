// SPDX-License-Identifier: GPL-2.0
/*
 * nested_stop: no counting while a vCPU runs a nested guest.
 *
 * What: every event is denied while the vCPU runs a nested guest (x86 L2,
 * arm64 vEL1 under a guest hypervisor) and while an arm64 vCPU runs its
 * guest hypervisor at virtual EL2; outside nesting this filter allows
 * everything (the engine and the VMM's filter still decide).
 *
 * Why: a guest hypervisor's PMU view of its own guests is a second
 * channel a host may not want to offer, and nested counting is where the
 * architecture's mode bits (Host-Only/Guest-Only, NSH) make mistakes
 * easiest.
 *
 * Limits: every verdict is mode-sensitive, so KVM re-evaluates every
 * counter the guest programmed on each nested transition while this is
 * attached: a reprogram of those counters per transition.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("struct_ops/event_filter")
int BPF_PROG(nested_stop_filter, const struct kvm_pmu_event_ctx *ev)
{
	int verdict = ev->nested || ev->hyp_ctxt ? KVM_PMU_POLICY_DENY :
						  KVM_PMU_POLICY_ALLOW;

	/* The verdict depends on the mode: ask again on each transition. */
	return verdict | KVM_PMU_POLICY_MODE_SENSITIVE;
}

SEC(".struct_ops.link")
struct kvm_pmu_policy_ops nested_stop = {
	.event_filter = (void *)nested_stop_filter,
	.name = "nested_stop",
};

char LICENSE[] SEC("license") = "GPL";
