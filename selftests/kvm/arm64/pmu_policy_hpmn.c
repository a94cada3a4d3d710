// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy_hpmn: a policy change reaches the counters a guest
 * hypervisor reserved for itself (MDCR_EL2.HPMN < PMCR_EL0.N), even when
 * the change lands while the vCPU runs the hypervisor's own guest (vEL1).
 *
 * While the vCPU is at vEL1, KVM's view of the PMU is cut at HPMN: the
 * counters in [HPMN, N) belong to the guest hypervisor, but they keep
 * counting at EL1 (MDCR_EL2.HPME enables them).  A re-evaluation that only
 * walks the counters below HPMN leaves such a counter's perf event alone,
 * so it keeps counting an event the new policy denies: a bypass.
 *
 * The guest hypervisor gives counter N-1 to itself, programs INST_RETIRED
 * on it, enables it and drops to vEL1.  The vEL1 code loops in slices
 * separated by UCALL_SYNC; between slices the host reads the counter with
 * KVM_GET_ONE_REG and flips the policy (map update + refresh kfunc):
 *
 *   slice 1  allowed            the counter advances by at least the loop
 *   slice 2  denied             the counter does not advance at all
 *   slice 3  allowed again      it advances again: the refresh left the
 *                               guest hypervisor's PMCNTENSET bit alone
 *
 * Needs kvm-arm.mode=nested.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/arm64/guest_el2.h"
#include "../../lib/arm64/guest_sysreg.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/guest.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "../../bpf/progs/test_policy.h"
#include "test_policy.skel.h"

#define LOOP_N 20000ULL

/* MDCR_EL2 */
#define MDCR_HPMN_MASK 0x1fULL
#define MDCR_HPME      (1ULL << 7)

/* KVM_GET_ONE_REG id of PMEVCNTR<n>_EL0: op0 3, op1 3, CRn 14, CRm 8 + n/8. */
#define PMEVCNTR_ID(n) \
	ARM64_SYS_REG(3, 3, 14, 8 + ((n) >> 3), (n) & 7)

/* Written by the guest hypervisor: the counter it reserved, and N. */
static volatile uint64_t hyp_counter, nr_counters;
static uint8_t el1_stack[16384] __attribute__((aligned(16)));

static void loop(uint64_t n)
{
	asm volatile("1:	subs	%[n], %[n], #1\n"
		     "	b.ne	1b\n"
		     : [n] "+r"(n)
		     :
		     : "cc");
}

static void guest_el1(void)
{
	int slice;

	for (slice = 1; slice <= 3; slice++) {
		loop(LOOP_N);
		GUEST_SYNC(slice);
	}
	for (;;)
		GUEST_DONE();
}

static void guest_main(uint64_t arg)
{
	uint64_t n = PMCR_N(read_sysreg(pmcr_el0)), k;

	(void)arg;
	nr_counters = n;
	if (n < 2)
		for (;;)
			GUEST_DONE();
	k = n - 1;
	hyp_counter = k;

	write_sysreg(0xffffffffu, pmcntenclr_el0);
	/* Counters [k, n) are the guest hypervisor's; HPME enables them. */
	write_sysreg((read_sysreg(mdcr_el2) & ~MDCR_HPMN_MASK) | k | MDCR_HPME,
		     mdcr_el2);
	isb();
	/* NSH: also at EL2; neither P nor U: at EL1 and EL0 too. */
	pmu_write_evtyper(k, PMEVTYPER_NSH | PMU_EV_INST_RETIRED);
	write_sysreg(PMCR_LC | PMCR_E | PMCR_P, pmcr_el0);
	write_sysreg(1ULL << k, pmcntenset_el0);
	isb();
	GUEST_SYNC(0);
	guest_enter_el1(guest_el1, el1_stack + sizeof(el1_stack));
}

static void deny_inst(struct test_policy *skel, bool on)
{
	struct deny_key k = { .event = PMU_EV_INST_RETIRED };
	__u8 one = 1;
	int fd = bpf_map__fd(skel->maps.deny_a);

	if (on ? bpf_map_update_elem(fd, &k, &one, BPF_ANY) :
		 bpf_map_delete_elem(fd, &k))
		kvmt_die("deny_a update: %s", strerror(errno));
	if (pt_refresh(bpf_program__fd(skel->progs.refresh), 0) < 0)
		kvmt_die("refresh failed");
}

int main(void)
{
	struct test_policy *skel;
	struct kvmt_vcpu *vcpu;
	struct bpf_link *link;
	struct kvmt_vm *vm;
	uint64_t k, c[4];
	int i;

	kvmt_require_el2();
	tap_plan(3);

	skel = test_policy__open_and_load();
	if (!skel)
		tap_bail("cannot load the test policies: %s", strerror(errno));
	link = pt_attach(skel->maps.policy_a);

	vm = kvmt_vm_create();
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU | KVMT_VCPU_EL2, guest_main, 0);
	kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
	if (KVMT_GUEST(vm, nr_counters) < 2)
		tap_bail("PMCR_EL0.N is %llu: no counter to reserve for EL2",
			 (unsigned long long)KVMT_GUEST(vm, nr_counters));
	k = KVMT_GUEST(vm, hyp_counter);
	tap_diag("counter %llu of %llu reserved for the guest hypervisor",
		 (unsigned long long)k,
		 (unsigned long long)KVMT_GUEST(vm, nr_counters));

	c[0] = 0;
	for (i = 1; i <= 3; i++) {
		kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
		c[i] = kvmt_get_reg(vcpu, PMEVCNTR_ID(k));
		/* The policy for the next slice, changed while at vEL1. */
		if (i == 1)
			deny_inst(skel, true);
		else if (i == 2)
			deny_inst(skel, false);
	}
	tap_check(c[1] >= 2 * LOOP_N,
		  "slice 1, allowed: the EL2-reserved counter counts at vEL1 (%llu)",
		  (unsigned long long)c[1]);
	TAP_CHECK_EQ(c[2] - c[1], 0,
		     "slice 2, denied while at vEL1: the EL2-reserved counter does not advance");
	/*
	 * The deny released the counter's perf event, so only its
	 * PMCNTENSET bit can bring it back: a reload that cleared the bit
	 * (stock 7.3 masks it with the HPMN-cut view at vEL1) leaves it at 0.
	 * Userspace cannot check the bit directly: KVM_GET_ONE_REG shows
	 * PMCNTENSET through the same view.
	 */
	tap_check(c[3] - c[2] >= 2 * LOOP_N,
		  "slice 3, allowed again: it counts again, its PMCNTENSET bit intact (%llu)",
		  (unsigned long long)(c[3] - c[2]));
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	kvmt_vm_free(vm);

	bpf_link__destroy(link);
	test_policy__destroy(skel);
	return tap_finish();
}
