// SPDX-License-Identifier: GPL-2.0
/*
 * Test policies for the kvm_pmu_policy_ops struct_ops, driven by maps the
 * test (selftests/kvm/arm64/pmu_policy.c) fills:
 *
 *   deny_a, deny_b  (cgroup id or 0, event, hyp) -> deny, for policy_a and
 *                   policy_b; hyp = 1 matches only at virtual EL2
 *   override        [0] event, [1] verdict + 1: policy_a returns that raw
 *                   verdict for that event (to test invalid verdicts)
 *   vms             what vm_init/vm_destroy reported, by VM id
 *   stats           decision and call counters (enum policy_stat)
 *
 * policy_a's verdicts may depend on hyp context, so they are all
 * KVM_PMU_POLICY_MODE_SENSITIVE: KVM asks again on nested transitions.
 *
 * refresh is a SYSCALL program that calls bpf_kvm_pmu_policy_refresh(), as
 * a daemon does after changing maps.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "test_policy.h"

struct deny_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct deny_key);
	__type(value, __u8);
};

struct deny_map deny_a SEC(".maps");
struct deny_map deny_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} override SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct vm_rec);
} vms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_POLICY_STATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

extern int bpf_kvm_pmu_policy_refresh(__u64 vm_id) __ksym;

static void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static bool denied(void *map, __u64 cgroup_id, __u32 event, __u32 hyp)
{
	struct deny_key k = { .cgroup_id = cgroup_id, .event = event, .hyp = hyp };

	return bpf_map_lookup_elem(map, &k) != NULL;
}

static int decide(void *map, const struct kvm_pmu_event_ctx *ev)
{
	__u32 event = ev->event;
	bool deny;

	count(STAT_CALLS);
	if (ev->kind == KVM_PMU_COUNTER_PROBE)
		count(STAT_PROBES);
	if (!ev->static_allowed)
		count(STAT_STATIC_DENIED_SEEN);
	if (ev->hyp_ctxt)
		count(STAT_HYP_CALLS);
	if (ev->nested)
		count(STAT_NESTED_CALLS);
	deny = denied(map, ev->cgroup_id, event, 0) ||
	       denied(map, 0, event, 0);
	if (ev->hyp_ctxt)
		deny = deny || denied(map, ev->cgroup_id, event, 1) ||
		       denied(map, 0, event, 1);
	if (deny)
		count(STAT_DENIED);
	return deny ? KVM_PMU_POLICY_DENY : KVM_PMU_POLICY_ALLOW;
}

SEC("struct_ops/event_filter")
int BPF_PROG(filter_a, const struct kvm_pmu_event_ctx *ev)
{
	__u32 k0 = 0, k1 = 1, *evsel, *verdict;

	evsel = bpf_map_lookup_elem(&override, &k0);
	verdict = bpf_map_lookup_elem(&override, &k1);
	if (evsel && verdict && *verdict && *evsel == ev->event)
		return *verdict - 1;
	return decide(&deny_a, ev) | KVM_PMU_POLICY_MODE_SENSITIVE;
}

SEC("struct_ops/event_filter")
int BPF_PROG(filter_b, const struct kvm_pmu_event_ctx *ev)
{
	return decide(&deny_b, ev);
}

SEC("struct_ops/vm_init")
void BPF_PROG(vm_init_a, const struct kvm_pmu_vm_ctx *vm)
{
	struct vm_rec rec = {
		.cgroup_id = vm->cgroup_id, .tgid = vm->tgid, .alive = 1,
	};
	__u64 id = vm->vm_id;

	bpf_map_update_elem(&vms, &id, &rec, BPF_ANY);
}

SEC("struct_ops/vm_destroy")
void BPF_PROG(vm_destroy_a, const struct kvm_pmu_vm_ctx *vm)
{
	__u64 id = vm->vm_id;
	struct vm_rec *rec = bpf_map_lookup_elem(&vms, &id);

	if (rec)
		rec->alive = 0;
}

SEC(".struct_ops.link")
struct kvm_pmu_policy_ops policy_a = {
	.event_filter = (void *)filter_a,
	.vm_init = (void *)vm_init_a,
	.vm_destroy = (void *)vm_destroy_a,
	.name = "test_a",
};

SEC(".struct_ops.link")
struct kvm_pmu_policy_ops policy_b = {
	.event_filter = (void *)filter_b,
	.name = "test_b",
};

SEC("syscall")
int refresh(struct refresh_args *args)
{
	args->ret = bpf_kvm_pmu_policy_refresh(args->vm_id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
