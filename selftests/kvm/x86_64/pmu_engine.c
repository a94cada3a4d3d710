// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_engine: the policy engine (bpf/vpmu_engine.bpf.c) on x86, where the
 * struct_ops type lives in kvm.ko: the verifier accepts it, it attaches,
 * and a VM's creation and destruction reach its ring buffer with the
 * cgroup the VM was created from.  Decisions need a hardware PMU, which
 * TCG lacks; arm64's pmu_engine checks them with exact counts.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../../include/vpmu/maps.h"
#include "../../lib/guest.h"
#include "../../lib/libbpf_tap.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "../../lib/x86_64/kvmt_x86_64.h"
#include "vpmu_engine.skel.h"

#define CG_X PT_CGROUP_ROOT "/engine-x"

static int inits, destroys;
static uint64_t cg_x;

static int on_record(void *ctx, void *data, size_t size)
{
	const struct vpmu_record *r = data;

	(void)ctx;
	if (size < sizeof(*r) || r->cgroup_id != cg_x || r->tgid != getpid())
		return 0;
	inits += r->type == VPMU_REC_VM_INIT;
	destroys += r->type == VPMU_REC_VM_DESTROY;
	return 0;
}

static void guest_idle(uint64_t arg)
{
	(void)arg;
}

int main(void)
{
	struct vpmu_engine *eng;
	struct ring_buffer *rb;
	struct kvmt_vcpu *vcpu;
	struct bpf_link *link;
	struct kvmt_vm *vm;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	kvmt_vm_free(vm);
	tap_libbpf_quiet();
	tap_plan(6);

	eng = vpmu_engine__open_and_load();
	if (!tap_check(eng != NULL, "the verifier accepts the engine against kvm.ko's BTF"))
		tap_bail("cannot load the engine: %s", strerror(errno));
	link = bpf_map__attach_struct_ops(eng->maps.vpmu_engine);
	if (!tap_check(link != NULL, "the engine attaches"))
		tap_bail("cannot attach: %s", strerror(errno));
	rb = ring_buffer__new(bpf_map__fd(eng->maps.lifecycle), on_record, NULL,
			      NULL);
	cg_x = pt_make_cgroup(CG_X);

	pt_enter_cgroup(CG_X);
	vm = kvmt_vm_create();
	pt_enter_cgroup(PT_CGROUP_ROOT);
	{
		struct vpmu_vm pe = { 0 };
		__u64 key;

		/* The only VM: whichever key vm_policy holds is ours. */
		if (!bpf_map_get_next_key(bpf_map__fd(eng->maps.vm_policy), NULL,
					  &key))
			bpf_map_lookup_elem(bpf_map__fd(eng->maps.vm_policy),
					    &key, &pe);
		tap_check(pe.policy_id == VPMU_POLICY_PENDING && pe.cgroup_id == cg_x,
			  "vm_init wrote a PENDING entry (deny all until classified)");
	}
	vcpu = kvmt_vcpu_add(vm, 0, guest_idle, 0);
	TAP_CHECK_EQ(kvmt_vcpu_run(vcpu).cmd, UCALL_DONE,
		     "a guest runs with the engine attached");
	kvmt_vm_free(vm);
	ring_buffer__consume(rb);
	TAP_CHECK_EQ(inits, 1, "vm_init reached the lifecycle ring buffer with the VM's cgroup");
	TAP_CHECK_EQ(destroys, 1, "vm_destroy reached it too");

	ring_buffer__free(rb);
	bpf_link__destroy(link);
	vpmu_engine__destroy(eng);
	return tap_finish();
}
