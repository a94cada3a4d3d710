// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_nested: PMU event filtering for a guest hypervisor at virtual EL2.
 *
 * Needs a host booted with kvm-arm.mode=nested (QEMU 10 emulates
 * FEAT_NV2).  The vCPU is created with KVM_ARM_VCPU_HAS_EL2, so guest code
 * starts at vEL2, where PMEVTYPER<n>_EL0.NSH decides whether an event
 * counts and the EL1 exclusion bit (P) does not apply.  KVM has to
 * translate these bits by hand when it creates the host perf event
 * (is_hyp_ctxt() in pmu-emul.c), which is exactly what seed 000's review
 * found easy to get wrong, so each combination is checked with exact
 * counts.  Then the guest hypervisor drops to vEL1 (as it would to run
 * its own guest, stage 2 off) and the same counters obey P there.
 */
#include "../../lib/arm64/guest_el2.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/tap.h"

#define LOOP_N 100000ULL

struct nested_result {
	uint64_t el;
	struct pmu_sample nsh;	 /* NSH: count at EL2 */
	struct pmu_sample none;	 /* no EL2 bit: do not count at EL2 */
	struct pmu_sample nsh_p; /* NSH + P: P is about EL1 only */
	struct pmu_sample nsh_u; /* NSH + U: U is about EL0 only */
	uint64_t el1;
	struct pmu_sample el1_plain; /* at vEL1, no bits: counts */
	struct pmu_sample el1_p;     /* at vEL1, P: does not count */
	struct pmu_sample el1_nsh; /* at vEL1, NSH only: counts (NSH is EL2) */
};

static struct nested_result res;
static uint8_t el1_stack[16384] __attribute__((aligned(16)));

/* Runs at vEL1 after the guest hypervisor's ERET. */
static void guest_el1(void)
{
	res.el1 = current_el();
	pmu_guest_measure(&res.el1_plain, 0, LOOP_N, 0);
	pmu_guest_measure(&res.el1_p, PMEVTYPER_P, LOOP_N, 0);
	pmu_guest_measure(&res.el1_nsh, PMEVTYPER_NSH, LOOP_N, 0);
	for (;;)
		GUEST_DONE();
}

static void guest_main(uint64_t arg)
{
	(void)arg;
	res.el = current_el();
	pmu_guest_measure(&res.nsh, PMEVTYPER_NSH, LOOP_N, 0);
	pmu_guest_measure(&res.none, 0, LOOP_N, 0);
	pmu_guest_measure(&res.nsh_p, PMEVTYPER_NSH | PMEVTYPER_P, LOOP_N, 0);
	pmu_guest_measure(&res.nsh_u, PMEVTYPER_NSH | PMEVTYPER_U, LOOP_N, 0);
	guest_enter_el1(guest_el1, el1_stack + sizeof(el1_stack));
}

int main(void)
{
	struct nested_result *r;
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	if (!kvmt_has_cap(vm, KVM_CAP_ARM_EL2))
		tap_skip_all("KVM offers no nested virtualization (boot with "
			     "kvm-arm.mode=nested on an FEAT_NV2 CPU)");
	tap_plan(13);
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU | KVMT_VCPU_EL2, guest_main, 0);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	r = &KVMT_GUEST(vm, res);

	TAP_CHECK_EQ(r->el, 2, "the guest runs at virtual EL2");
	TAP_CHECK_EQ(r->nsh.inst, PMU_LOOP_INSTS(LOOP_N),
		     "vEL2, NSH=1: INST_RETIRED counts exactly");
	TAP_CHECK_EQ(r->nsh.cycles, PMU_LOOP_INSTS(LOOP_N),
		     "vEL2, NSH=1: CPU_CYCLES counts exactly");
	TAP_CHECK_EQ(r->none.inst, 0,
		     "vEL2, NSH=0: INST_RETIRED does not count");
	TAP_CHECK_EQ(r->none.cycles, 0,
		     "vEL2, NSH=0: CPU_CYCLES does not count");
	TAP_CHECK_EQ(r->none.ccnt, 0,
		     "vEL2, PMCCFILTR NSH=0: the cycle counter does not count");
	TAP_CHECK_EQ(r->nsh_p.inst, PMU_LOOP_INSTS(LOOP_N),
		     "vEL2, NSH=1 P=1: the EL1 exclusion bit does not stop EL2 "
		     "counting");
	TAP_CHECK_EQ(r->nsh_p.ccnt, PMU_LOOP_INSTS(LOOP_N),
		     "vEL2, PMCCFILTR NSH=1 P=1: the cycle counter counts");
	TAP_CHECK_EQ(r->nsh_u.inst, PMU_LOOP_INSTS(LOOP_N),
		     "vEL2, NSH=1 U=1: the EL0 exclusion bit does not stop EL2 "
		     "counting");
	TAP_CHECK_EQ(r->el1, 1, "the guest hypervisor entered vEL1");
	TAP_CHECK_EQ(r->el1_plain.inst, PMU_LOOP_INSTS(LOOP_N),
		     "vEL1, no filter bits: INST_RETIRED counts exactly");
	TAP_CHECK_EQ(r->el1_p.inst, 0,
		     "vEL1, P=1: INST_RETIRED does not count");
	TAP_CHECK_EQ(r->el1_nsh.inst, PMU_LOOP_INSTS(LOOP_N),
		     "vEL1, NSH=1: NSH does not affect EL1 counting");
	kvmt_vm_free(vm);
	return tap_finish();
}
