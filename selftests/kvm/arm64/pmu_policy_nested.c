// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy_nested: PMU policies and a guest hypervisor at virtual EL2.
 *
 * A policy sees whether the vCPU runs in a hyp context (vEL2) or runs its
 * nested guest (vEL1), and may decide differently: here it denies
 * INST_RETIRED at vEL2 only, and the same counter counts exactly once the
 * guest hypervisor drops to vEL1, because KVM re-evaluates the counters
 * on the nested transition.  With a policy attached that denies nothing,
 * the EL1/EL2 filtering bits keep their architectural meaning in hyp
 * context (NSH decides at EL2, P does not), which is what seed 000's
 * review was about.  Needs kvm-arm.mode=nested.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/arm64/guest_el2.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/tap.h"
#include "../../bpf/progs/test_policy.h"
#include "test_policy.skel.h"

#define LOOP_N 20000ULL
#define EXACT PMU_LOOP_INSTS(LOOP_N)


struct nested_result {
	struct pmu_sample el2_nsh;	/* NSH: counts at EL2 if allowed */
	struct pmu_sample el2_none;	/* no EL2 bit: never at EL2 */
	struct pmu_sample el2_nsh_p;	/* NSH + P: P is about EL1 */
	struct pmu_sample el1_plain;	/* vEL1, no bits */
	struct pmu_sample el1_p;	/* vEL1, P: not at EL1 */
};

static struct nested_result res;
static uint8_t el1_stack[16384] __attribute__((aligned(16)));

static void guest_el1(void)
{
	pmu_guest_measure(&res.el1_plain, 0, LOOP_N, 0);
	pmu_guest_measure(&res.el1_p, PMEVTYPER_P, LOOP_N, 0);
	for (;;)
		GUEST_DONE();
}

static void guest_main(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&res.el2_nsh, PMEVTYPER_NSH, LOOP_N, 0);
	pmu_guest_measure(&res.el2_none, 0, LOOP_N, 0);
	pmu_guest_measure(&res.el2_nsh_p, PMEVTYPER_NSH | PMEVTYPER_P, LOOP_N, 0);
	guest_enter_el1(guest_el1, el1_stack + sizeof(el1_stack));
}

static struct nested_result run_nested(void)
{
	struct nested_result r;
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm = kvmt_vm_create();

	if (!vm)
		kvmt_die("cannot create a VM");
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU | KVMT_VCPU_EL2, guest_main, 0);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	r = KVMT_GUEST(vm, res);
	kvmt_vm_free(vm);
	return r;
}

static uint64_t stat_read(struct test_policy *skel, __u32 k)
{
	__u64 v = 0;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &k, &v);
	return v;
}

int main(void)
{
	struct deny_key hyp_inst = { .event = PMU_EV_INST_RETIRED, .hyp = 1 };
	struct test_policy *skel;
	struct nested_result r;
	struct bpf_link *link;
	__u8 one = 1;

	kvmt_require_el2();
	tap_plan(13);

	skel = test_policy__open_and_load();
	if (!tap_check(skel != NULL, "the test policies load"))
		tap_bail("cannot load the policies: %s", strerror(errno));
	link = bpf_map__attach_struct_ops(skel->maps.policy_a);
	if (!tap_check(link != NULL, "policy_a attaches"))
		tap_bail("cannot attach: %s", strerror(errno));

	/* Deny INST_RETIRED in hyp context only. */
	bpf_map_update_elem(bpf_map__fd(skel->maps.deny_a), &hyp_inst, &one, BPF_ANY);
	r = run_nested();
	TAP_CHECK_EQ(r.el2_nsh.inst, 0, "vEL2: a policy denying in hyp context stops INST_RETIRED");
	TAP_CHECK_EQ(r.el2_nsh.cycles, EXACT, "vEL2: CPU_CYCLES, allowed, counts exactly");
	TAP_CHECK_EQ(r.el1_plain.inst, EXACT,
		     "vEL1: the same event counts exactly after the nested transition");
	TAP_CHECK_EQ(r.el1_p.inst, 0, "vEL1: P still excludes EL1");
	tap_check(stat_read(skel, STAT_HYP_CALLS) > 0,
		  "the policy saw decisions in hyp context (%llu)",
		  (unsigned long long)stat_read(skel, STAT_HYP_CALLS));
	tap_check(stat_read(skel, STAT_NESTED_CALLS) > 0,
		  "the policy saw decisions for the nested guest (%llu)",
		  (unsigned long long)stat_read(skel, STAT_NESTED_CALLS));

	/* A policy that denies nothing leaves the architecture alone. */
	bpf_map_delete_elem(bpf_map__fd(skel->maps.deny_a), &hyp_inst);
	r = run_nested();
	TAP_CHECK_EQ(r.el2_nsh.inst, EXACT, "policy attached, vEL2, NSH=1: counts exactly");
	TAP_CHECK_EQ(r.el2_none.inst, 0, "policy attached, vEL2, NSH=0: does not count");
	TAP_CHECK_EQ(r.el2_nsh_p.inst, EXACT,
		     "policy attached, vEL2, NSH=1 P=1: the EL1 bit does not stop EL2 counting");
	TAP_CHECK_EQ(r.el1_plain.inst, EXACT, "policy attached, vEL1: counts exactly");
	TAP_CHECK_EQ(r.el1_p.inst, 0, "policy attached, vEL1, P=1: does not count");

	bpf_link__destroy(link);
	test_policy__destroy(skel);
	return tap_finish();
}
