// SPDX-License-Identifier: GPL-2.0
/*
 * vpmu_engine: the policy engine vpmu-policyd loads, a kvm_pmu_policy_ops
 * driven entirely by maps (no policy is compiled in).
 *
 * For each decision KVM asks about, the engine finds the VM's policy in
 * the daemon's entry for the VM id.  Fail closed: vm_init writes a
 * PENDING entry before KVM_CREATE_VM returns, and a VM whose entry is
 * PENDING or missing (the daemon has not classified it: not started yet,
 * restarting, its cgroup unresolvable, a map write failed) counts
 * nothing.  Only a VM the daemon classified as matching no tenant gets the
 * host default policy, and only its missing policy falls back to the host
 * default action (deny unless configured); a tenant whose policy is
 * missing (a failed publish) denies.  The policy, one
 * array map of rules and their key index (include/vpmu/index.h) inside
 * its size class's map-of-maps (bpf/lib/vpmu_policies.h), decides with
 * bounded work (bpf/lib/vpmu_decide.h); the daemon replaces a policy by
 * swapping in a new inner map, so a decision never sees half of an
 * update, and then runs the refresh program so that running vCPUs
 * re-evaluate.
 *
 * Audit: per VM and event, counts of allowed and denied decisions (after
 * combining with the VMM's static filter, i.e. what the guest got), at
 * most VPMU_MAX_AUDIT_PER_VM entries per VM (then counted as overflow);
 * ring buffer records for denials, rate-limited per VM (records), and
 * for VM creation and destruction (lifecycle, a ring buffer of its own
 * that no guest can fill), for the daemon to log and classify; records
 * lost to a full ring buffer are counted in drops.
 *
 * Limits: PMCEID probes are decided but not counted (they say what the
 * guest may see, not what it counted).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include "lib/kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "../include/vpmu/maps.h"
#include "lib/vpmu_policies.h"

#define NSEC_PER_SEC 1000000000ULL
#define EEXIST 17

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VPMU_MAX_VMS);
	__type(key, __u64);
	__type(value, struct vpmu_vm);
} vm_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vpmu_config);
} config SEC(".maps");

/*
 * A plain hash, not LRU: nothing is evicted behind the daemon's back, and
 * one VM cannot push out another's entries (audit_vms caps each VM).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VPMU_MAX_AUDIT);
	__type(key, struct vpmu_audit_key);
	__type(value, struct vpmu_audit_val);
} audit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VPMU_MAX_VMS);
	__type(key, __u64);
	__type(value, struct vpmu_audit_vm);
} audit_vms SEC(".maps");

/* Written by the daemon, for vpmuctl and bpftool (maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VPMU_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct vpmu_tenant);
} tenants SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vpmu_daemon);
} daemon SEC(".maps");

struct rate_window {
	__u64 start_ns;
	__u32 count;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, VPMU_MAX_VMS);
	__type(key, __u64);
	__type(value, struct rate_window);
} denial_rate SEC(".maps");

/* Decision records (denials, and with audit "all" every decision). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} records SEC(".maps");

/* VM_INIT and VM_DESTROY only: guests cannot fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} lifecycle SEC(".maps");

/* Records lost to a full ring buffer, by enum vpmu_drop. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VPMU_DROP_NR);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct refresh_args {
	__u64 vm_id;
	__s32 ret;
};

extern int bpf_kvm_pmu_policy_refresh(__u64 vm_id) __ksym;
/*
 * The policy of VM @vm_id, VPMU_POLICY_PENDING if the daemon has not
 * classified it; *@tenant says whether it is a tenant's (not the host
 * default's).
 */
static __u32 policy_for(__u64 vm_id, const struct vpmu_config *cfg,
			bool *tenant)
{
	struct vpmu_vm *vm = bpf_map_lookup_elem(&vm_policy, &vm_id);

	*tenant = false;
	if (!vm || vm->policy_id == VPMU_POLICY_PENDING)
		return VPMU_POLICY_PENDING;
	if (vm->policy_id != VPMU_POLICY_NONE) {
		*tenant = true;
		return vm->policy_id;
	}
	return cfg ? cfg->default_policy_id : VPMU_POLICY_NONE;
}

static __u8 query_space(const struct kvm_pmu_event_ctx *ev)
{
	if (ev->arch == KVM_PMU_ARCH_ARM64)
		return VPMU_SPACE_ARM64;
	return ev->kind == KVM_PMU_COUNTER_FIXED ? VPMU_SPACE_X86_FIXED :
						   VPMU_SPACE_X86_GP;
}

/*
 * A new audit entry for @key, unless its VM has VPMU_MAX_AUDIT_PER_VM of
 * them already (or audit is full): then the VM's overflow counts the
 * decision.  Vcpus of one VM adding entries at the same moment may take
 * it past the cap by their number, never into other VMs' entries.
 */
static struct vpmu_audit_val *new_audit_entry(struct vpmu_audit_key *key)
{
	struct vpmu_audit_vm vzero = {}, *vm;
	struct vpmu_audit_val zero = {};
	__u64 vm_id = key->vm_id;
	long err;

	vm = bpf_map_lookup_elem(&audit_vms, &vm_id);
	if (!vm) {
		bpf_map_update_elem(&audit_vms, &vm_id, &vzero, BPF_NOEXIST);
		vm = bpf_map_lookup_elem(&audit_vms, &vm_id);
		if (!vm)
			return NULL;	/* audit_vms full: not counted */
	}
	if (vm->entries >= VPMU_MAX_AUDIT_PER_VM) {
		__sync_fetch_and_add(&vm->overflow, 1);
		return NULL;
	}
	err = bpf_map_update_elem(&audit, key, &zero, BPF_NOEXIST);
	if (!err)
		__sync_fetch_and_add(&vm->entries, 1);
	else if (err != -EEXIST)	/* audit full */
		__sync_fetch_and_add(&vm->overflow, 1);
	return bpf_map_lookup_elem(&audit, key);
}

static void count_decision(const struct kvm_pmu_event_ctx *ev, __u8 space,
			   bool allowed)
{
	struct vpmu_audit_key key = {
		.vm_id = ev->vm_id, .event = ev->event, .space = space,
	};
	struct vpmu_audit_val *val;

	val = bpf_map_lookup_elem(&audit, &key);
	if (!val) {
		val = new_audit_entry(&key);
		if (!val)
			return;
	}
	if (allowed)
		__sync_fetch_and_add(&val->allowed, 1);
	else
		__sync_fetch_and_add(&val->denied, 1);
}

/* At most cfg->denials_per_sec records per VM and second. */
static bool denial_record_allowed(__u64 vm_id, const struct vpmu_config *cfg)
{
	struct rate_window fresh = { .start_ns = bpf_ktime_get_ns() }, *w;

	w = bpf_map_lookup_elem(&denial_rate, &vm_id);
	if (!w || fresh.start_ns - w->start_ns >= NSEC_PER_SEC) {
		fresh.count = 1;
		bpf_map_update_elem(&denial_rate, &vm_id, &fresh, BPF_ANY);
		return cfg->denials_per_sec > 0;
	}
	if (w->count >= cfg->denials_per_sec)
		return false;
	__sync_fetch_and_add(&w->count, 1);
	return true;
}

static void count_drop(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &which);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static void emit(__u32 type, __u32 policy_id, __u64 vm_id, __u64 cgroup_id,
		 const struct kvm_pmu_event_ctx *ev, __u8 space, __u8 action,
		 __s32 tgid)
{
	struct vpmu_record *r;

	if (type == VPMU_REC_DECISION)
		r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	else
		r = bpf_ringbuf_reserve(&lifecycle, sizeof(*r), 0);
	if (!r) {
		count_drop(type == VPMU_REC_DECISION ? VPMU_DROP_RECORDS :
						       VPMU_DROP_LIFECYCLE);
		return;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->type = type;
	r->policy_id = policy_id;
	r->vm_id = vm_id;
	r->cgroup_id = cgroup_id;
	r->tgid = tgid;
	r->vcpu_id = -1;
	if (ev) {
		r->raw_selector = ev->raw_selector;
		r->event = ev->event;
		r->vcpu_id = ev->vcpu_id;
		r->static_allowed = ev->static_allowed;
		r->nested = ev->nested | ev->hyp_ctxt;
		r->space = space;
		r->action = action;
	}
	bpf_ringbuf_submit(r, 0);
}

SEC("struct_ops/event_filter")
int BPF_PROG(vpmu_event_filter, const struct kvm_pmu_event_ctx *ev)
{
	__u32 zero = 0, pid;
	struct vpmu_config *cfg = bpf_map_lookup_elem(&config, &zero);
	struct vpmu_query q = {
		.raw_selector = ev->raw_selector,
		.event = ev->event,
		.kind = ev->kind,
		.unit_mask = ev->unit_mask,
		.nested = ev->nested,
		.hyp_ctxt = ev->hyp_ctxt,
	};
	bool allowed, tenant;
	int verdict, mode;
	__u32 level;
	__u8 flags = 0;

	q.space = query_space(ev);
	pid = policy_for(ev->vm_id, cfg, &tenant);
	if (pid == VPMU_POLICY_PENDING)
		verdict = VPMU_DENY;
	else
		verdict = vpmu_policy_decide(pid, &q, &flags);
	/* A tenant's policy that is missing denies; the host default's
	 * falls back to the host default action. */
	if (verdict < 0)
		verdict = cfg && !tenant ? cfg->default_action : VPMU_DENY;
	/*
	 * A policy whose verdicts depend on nesting (VPMU_POLICY_NESTED in its
	 * header) has KVM ask again on every nested transition.
	 */
	mode = flags & VPMU_POLICY_NESTED ? KVM_PMU_POLICY_MODE_SENSITIVE : 0;

	if (ev->kind == KVM_PMU_COUNTER_PROBE || !cfg)
		return verdict | mode;
	/* The policy's own audit level, or the host's. */
	level = cfg->audit;
	if (flags & VPMU_POLICY_AUDIT_MASK)
		level = ((flags & VPMU_POLICY_AUDIT_MASK) >>
			 VPMU_POLICY_AUDIT_SHIFT) - 1;
	if (level == VPMU_AUDIT_NONE)
		return verdict | mode;
	/* What the guest gets: KVM combines with the static filter. */
	allowed = verdict == VPMU_ALLOW && ev->static_allowed;
	count_decision(ev, q.space, allowed);
	if ((!allowed || level == VPMU_AUDIT_ALL) &&
	    denial_record_allowed(ev->vm_id, cfg))
		emit(VPMU_REC_DECISION, pid, ev->vm_id, ev->cgroup_id, ev,
		     q.space, allowed ? VPMU_ALLOW : VPMU_DENY, 0);
	return verdict | mode;
}

SEC("struct_ops/vm_init")
void BPF_PROG(vpmu_vm_init, const struct kvm_pmu_vm_ctx *vm)
{
	struct vpmu_vm pending = {
		.policy_id = VPMU_POLICY_PENDING,
		.cgroup_id = vm->cgroup_id,
		.tgid = vm->tgid,
	};
	__u64 vm_id = vm->vm_id;

	/*
	 * Pending until the daemon classifies it.  NOEXIST: when this engine
	 * is attached (or swapped in) over existing VMs, the daemon's entries
	 * for them stay.  If the map is full the VM has no entry: pending too.
	 */
	bpf_map_update_elem(&vm_policy, &vm_id, &pending, BPF_NOEXIST);
	emit(VPMU_REC_VM_INIT, 0, vm->vm_id, vm->cgroup_id, NULL, 0, 0,
	     vm->tgid);
}

struct audit_sweep {
	__u64 vm_id;
	__u32 left;		/* the VM's entries not found yet */
};

static long sweep_audit(struct bpf_map *map, struct vpmu_audit_key *key,
			struct vpmu_audit_val *val, struct audit_sweep *s)
{
	if (key->vm_id != s->vm_id)
		return 0;
	bpf_map_delete_elem(map, key);
	return --s->left ? 0 : 1;	/* 1: all found, stop */
}

SEC("struct_ops/vm_destroy")
void BPF_PROG(vpmu_vm_destroy, const struct kvm_pmu_vm_ctx *vm)
{
	__u64 vm_id = vm->vm_id;
	struct vpmu_audit_vm *av = bpf_map_lookup_elem(&audit_vms, &vm_id);
	struct audit_sweep s = { .vm_id = vm_id };

	bpf_map_delete_elem(&vm_policy, &vm_id);
	bpf_map_delete_elem(&denial_rate, &vm_id);
	/*
	 * Its audit entries, so that dead VMs do not fill audit (nothing
	 * evicts them).  Its vCPUs are gone: no decision adds one now.  A
	 * walk of audit, once per VM that has entries, stopping at the last.
	 */
	if (av) {
		s.left = av->entries;
		if (s.left)
			bpf_for_each_map_elem(&audit, sweep_audit, &s, 0);
		bpf_map_delete_elem(&audit_vms, &vm_id);
	}
	emit(VPMU_REC_VM_DESTROY, 0, vm->vm_id, vm->cgroup_id, NULL, 0, 0,
	     vm->tgid);
}

/* The daemon runs this (BPF_PROG_TEST_RUN) after it changed maps. */
SEC("syscall")
int vpmu_refresh(struct refresh_args *args)
{
	args->ret = bpf_kvm_pmu_policy_refresh(args->vm_id);
	return 0;
}

SEC(".struct_ops.link")
struct kvm_pmu_policy_ops vpmu_engine = {
	.event_filter = (void *)vpmu_event_filter,
	.vm_init = (void *)vpmu_vm_init,
	.vm_destroy = (void *)vpmu_vm_destroy,
	.name = "vpmu_engine",
};

char LICENSE[] SEC("license") = "GPL";
