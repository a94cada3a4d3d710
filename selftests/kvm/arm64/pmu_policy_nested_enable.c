// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy_nested_enable: a counter that is disabled when the vCPU goes
 * from vEL1 back to its guest hypervisor at vEL2 is still asked again
 * about the new mode, so enabling it at vEL2 counts only what the policy
 * allows there.
 *
 * The policy denies INST_RETIRED at vEL2 only (a mode-sensitive verdict).
 * The guest hypervisor programs counter 0 with INST_RETIRED, counting at
 * EL1 and EL2, leaves it disabled and drops to vEL1.  At vEL1 the guest
 * writes the same selector, so KVM creates the counter's perf event under
 * the vEL1 verdict (allowed), still disabled, then calls HVC: the guest
 * hypervisor takes it at vEL2, enables the counter and runs a loop.  The
 * counter must not count there.  A review of RFC v2's first cut found the
 * hole: the transition re-evaluated enabled counters only, so the vEL1
 * event ran at vEL2.  With nothing denied the same sequence counts, which
 * shows the measurement can see it.  Last, with a policy that is not
 * mode-sensitive, a selector without NSH set up the same way must not
 * count at vEL2 (a second review found that it did, 40003 instructions).
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

static uint8_t el1_stack[16384] __attribute__((aligned(16)));
/* Filtering bits of counter 0's selector; the host sets them per run. */
static uint64_t sel_bits;
extern char hyp_vectors[];

/*
 * vEL2's vectors while vEL1 runs: a synchronous exception from a lower EL
 * (the HVC) continues in hyp_resume(); anything else is reported.
 */
asm(".pushsection .text\n"
    ".balign 0x800\n"
    ".global hyp_vectors\n"
    "hyp_vectors:\n"
    ".irp idx, 0, 1, 2, 3, 4, 5, 6, 7\n"
    "	.balign 0x80\n"
    "	mov	x0, #\\idx\n"
    "	b	kvmt_guest_exception\n"
    ".endr\n"
    "	.balign 0x80\n"
    "	b	hyp_resume\n"
    ".irp idx, 9, 10, 11, 12, 13, 14, 15\n"
    "	.balign 0x80\n"
    "	mov	x0, #\\idx\n"
    "	b	kvmt_guest_exception\n"
    ".endr\n"
    ".popsection\n");

static void loop(uint64_t n)
{
	asm volatile("1:	subs	%[n], %[n], #1\n"
		     "	b.ne	1b\n"
		     : [n] "+r"(n)
		     :
		     : "cc");
}

/* vEL2, after the HVC from vEL1: enable counter 0 here and count. */
void __attribute__((noreturn, used)) hyp_resume(void)
{
	uint64_t before = pmu_read_evcntr(0), after;

	write_sysreg(1, pmcntenset_el0);
	isb();
	loop(LOOP_N);
	write_sysreg(1, pmcntenclr_el0);
	isb();
	after = pmu_read_evcntr(0);
	for (;;)
		guest_ucall(UCALL_DONE, after - before, current_el(), 0, 0, 0);
}

static void guest_el1(void)
{
	/* The perf event is created now, under the vEL1 verdict. */
	pmu_write_evtyper(0, sel_bits | PMU_EV_INST_RETIRED);
	asm volatile("hvc #0" : : : "memory");
	for (;;)
		GUEST_FAIL(0, 0);
}

static void guest_main(uint64_t arg)
{
	(void)arg;
	write_sysreg(0xffffffffu, pmcntenclr_el0);
	write_sysreg(PMCR_LC | PMCR_E | PMCR_P, pmcr_el0);
	pmu_write_evtyper(0, sel_bits | PMU_EV_INST_RETIRED);
	write_sysreg((uintptr_t)hyp_vectors, vbar_el2);
	isb();
	guest_enter_el1(guest_el1, el1_stack + sizeof(el1_stack));
}

/* Run the sequence once with @bits; what counter 0 counted at vEL2. */
static uint64_t run(uint64_t bits, uint64_t *el)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_ucall uc;
	struct kvmt_vm *vm = kvmt_vm_create();

	if (!vm)
		kvmt_die("cannot create a VM");
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU | KVMT_VCPU_EL2, guest_main, 0);
	KVMT_GUEST(vm, sel_bits) = bits;
	uc = kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	kvmt_vm_free(vm);
	*el = uc.args[1];
	return uc.args[0];
}

int main(void)
{
	struct deny_key hyp_inst = { .event = PMU_EV_INST_RETIRED, .hyp = 1 };
	struct test_policy *skel;
	struct bpf_link *link;
	uint64_t n, el;
	__u8 one = 1;

	kvmt_require_el2();
	tap_plan(4);
	skel = test_policy__open_and_load();
	if (!skel)
		tap_bail("cannot load the test policies: %s", strerror(errno));
	link = pt_attach(skel->maps.policy_a);

	n = run(PMEVTYPER_NSH, &el);
	tap_check(n >= 2 * LOOP_N && el == 2,
		  "nothing denied: counter 0, enabled at vEL2 after the HVC, counts (%llu at EL%llu)",
		  (unsigned long long)n, (unsigned long long)el);

	bpf_map_update_elem(bpf_map__fd(skel->maps.deny_a), &hyp_inst, &one, BPF_ANY);
	n = run(PMEVTYPER_NSH, &el);
	TAP_CHECK_EQ(n, 0,
		     "INST_RETIRED denied at vEL2: the counter set up at vEL1, enabled at vEL2, does not count");
	TAP_CHECK_EQ(el, 2, "... and that was at vEL2");

	bpf_link__destroy(link);

	/*
	 * A policy that decides by the selector alone (policy_b: allow all,
	 * not mode-sensitive) relies on the selector's EL bits being obeyed.
	 * Without NSH the counter does not count at EL2; its event, created
	 * at vEL1 while disabled, must not count at vEL2 either (a second
	 * review found it did: only enabled counters were re-created).
	 */
	link = pt_attach(skel->maps.policy_b);
	n = run(0, &el);
	TAP_CHECK_EQ(n, 0,
		     "a selector without NSH, set up at vEL1 while disabled, does not count at vEL2");
	bpf_link__destroy(link);
	test_policy__destroy(skel);
	return tap_finish();
}
