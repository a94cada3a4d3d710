// SPDX-License-Identifier: GPL-2.0
/*
 * rate_limit: an event may be (re)programmed at most N times per second
 * per VM.
 *
 * What: each decision for a counter (a guest writing a selector, or KVM
 * re-evaluating one) counts against a per-VM, per-event budget of
 * limit[0] decisions in a one-second window (default 1000); past it the
 * event is denied until the window ends.  Edit the limit with
 *   bpftool map update name rate_limit_cfg key 0 0 0 0 value <u32 LE>
 *
 * Why: a guest that reprograms counters in a tight loop, or arms tiny
 * sample periods, makes the host create perf events and take PMIs at a
 * rate it sets; this bounds the work a guest can cause.
 *
 * Limits: the budget counts decisions, not PMIs; a denied counter stays
 * denied until it is reprogrammed or a refresh after the window, as KVM
 * caches verdicts.  PMCEID probes are not counted.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NSEC_PER_SEC 1000000000ULL
#define DEFAULT_LIMIT 1000

struct rate_key {
	__u64 vm_id;
	__u32 event;
	__u32 pad;
};

struct window {
	__u64 start_ns;
	__u32 count;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rate_key);
	__type(value, struct window);
} rate_windows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rate_limit_cfg SEC(".maps");

SEC("struct_ops/event_filter")
int BPF_PROG(rate_limit_filter, const struct kvm_pmu_event_ctx *ev)
{
	struct rate_key k = { .vm_id = ev->vm_id, .event = ev->event };
	struct window fresh = { .start_ns = bpf_ktime_get_ns(), .count = 1 };
	__u32 zero = 0, *cfg = bpf_map_lookup_elem(&rate_limit_cfg, &zero);
	__u32 limit = cfg && *cfg ? *cfg : DEFAULT_LIMIT;
	struct window *w;

	if (ev->kind == KVM_PMU_COUNTER_PROBE)
		return KVM_PMU_POLICY_ALLOW;
	w = bpf_map_lookup_elem(&rate_windows, &k);
	if (!w || fresh.start_ns - w->start_ns >= NSEC_PER_SEC) {
		bpf_map_update_elem(&rate_windows, &k, &fresh, BPF_ANY);
		return KVM_PMU_POLICY_ALLOW;
	}
	if (w->count >= limit)
		return KVM_PMU_POLICY_DENY;
	__sync_fetch_and_add(&w->count, 1);
	return KVM_PMU_POLICY_ALLOW;
}

SEC(".struct_ops.link")
struct kvm_pmu_policy_ops rate_limit = {
	.event_filter = (void *)rate_limit_filter,
	.name = "rate_limit",
};

char LICENSE[] SEC("license") = "GPL";
