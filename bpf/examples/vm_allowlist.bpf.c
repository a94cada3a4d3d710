// SPDX-License-Identifier: GPL-2.0
/*
 * vm_allowlist: a per-VM allow-list edited by hand.
 *
 * What: for a VM listed in allowlist_vms (key: VM id), only the events
 * listed in allowlist_evts (key: VM id, event number) may count; VMs not
 * listed are left alone.  An operator edits the lists with bpftool:
 *   bpftool map update name allowlist_vms key <vm id, 8 bytes> value 1 0 0 0
 *   bpftool map update name allowlist_evts \
 *           key <vm id, 8 bytes> <event, 4 bytes> 0 0 0 0 value 1 0 0 0
 * (map names are at most 15 characters: the kernel keeps no more)
 * and then makes the VM re-evaluate (vpmuctl reload, or any program that
 * calls bpf_kvm_pmu_policy_refresh()).
 *
 * To find a VM's id, allowlist_seen maps the VMM's process id (tgid) to
 * the id of the last VM it created:
 *   bpftool map lookup name allowlist_seen key <pid, 4 bytes>
 *
 * Why: for one suspicious or sensitive VM, an operator wants exactly a
 * few events without writing a tenant policy.
 *
 * Limits: event numbers only (no unit masks); changes apply when the VM
 * is refreshed, as KVM caches verdicts per counter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct event_key {
	__u64 vm_id;
	__u32 event;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} allowlist_vms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct event_key);
	__type(value, __u32);
} allowlist_evts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __s32);
	__type(value, __u64);
} allowlist_seen SEC(".maps");

SEC("struct_ops/vm_init")
void BPF_PROG(vm_allowlist_vm_init, const struct kvm_pmu_vm_ctx *vm)
{
	__s32 tgid = vm->tgid;
	__u64 id = vm->vm_id;

	bpf_map_update_elem(&allowlist_seen, &tgid, &id, BPF_ANY);
}

SEC("struct_ops/event_filter")
int BPF_PROG(vm_allowlist_filter, const struct kvm_pmu_event_ctx *ev)
{
	struct event_key k = { .vm_id = ev->vm_id, .event = ev->event };
	__u64 vm_id = ev->vm_id;

	if (!bpf_map_lookup_elem(&allowlist_vms, &vm_id))
		return KVM_PMU_POLICY_ALLOW;
	return bpf_map_lookup_elem(&allowlist_evts, &k) ?
		       KVM_PMU_POLICY_ALLOW : KVM_PMU_POLICY_DENY;
}

SEC(".struct_ops.link")
struct kvm_pmu_policy_ops vm_allowlist = {
	.event_filter = (void *)vm_allowlist_filter,
	.vm_init = (void *)vm_allowlist_vm_init,
	.name = "vm_allowlist",
};

char LICENSE[] SEC("license") = "GPL";
