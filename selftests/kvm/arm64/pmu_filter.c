// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_filter: the VMM's static filter, KVM_ARM_VCPU_PMU_V3_FILTER.
 *
 * A denied event reads 0 while the others keep their exact counts, an
 * allow-list denies everything it does not name (the cycle counter
 * follows CPU_CYCLES), the guest's PMCEID registers hide what is denied,
 * SW_INCR is never filtered (documented stock behaviour, which a policy
 * must cover), and the filter cannot change once a vCPU has run.
 */
#include <errno.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/tap.h"

#define LOOP_N	100000ULL
#define SWINC_N 50ULL

struct filter_range {
	uint16_t base, n;
	uint8_t action;
};

static struct pmu_sample sample;

static void guest_main(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&sample, 0, LOOP_N, SWINC_N);
}

static int pmceid_bit(const struct pmu_sample *s, unsigned int ev)
{
	return (s->pmceid0 >> ev) & 1;
}

/* Run the measurement in a fresh VM with the given filter ranges. */
static struct pmu_sample measure(const struct filter_range *f, int nr)
{
	struct pmu_sample s;
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	int i, ret;

	vm = kvmt_vm_create();
	if (!vm)
		kvmt_die("cannot create a VM");
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 0);
	for (i = 0; i < nr; i++) {
		ret = kvmt_pmu_filter(vcpu, f[i].base, f[i].n, f[i].action);
		if (ret)
			kvmt_die("PMU filter [%u,+%u) action %u: %d", f[i].base,
				 f[i].n, f[i].action, ret);
	}
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = KVMT_GUEST(vm, sample);
	kvmt_vm_free(vm);
	return s;
}

static void test_deny_inst_retired(void)
{
	struct filter_range f = { PMU_EV_INST_RETIRED, 1, KVM_PMU_EVENT_DENY };
	struct pmu_sample s = measure(&f, 1);

	TAP_CHECK_EQ(s.inst, 0, "deny INST_RETIRED: it reads 0");
	TAP_CHECK_EQ(s.cycles, PMU_LOOP_INSTS(LOOP_N),
		     "deny INST_RETIRED: CPU_CYCLES keeps its exact count");
	TAP_CHECK_EQ(s.swinc, SWINC_N,
		     "deny INST_RETIRED: SW_INCR still exact");
	tap_check(!pmceid_bit(&s, PMU_EV_INST_RETIRED) &&
			  pmceid_bit(&s, PMU_EV_CPU_CYCLES),
		  "deny INST_RETIRED: PMCEID0 hides it, shows CPU_CYCLES "
		  "(0x%llx)",
		  (unsigned long long)s.pmceid0);
}

static void test_allow_list(void)
{
	struct filter_range cyc = { PMU_EV_CPU_CYCLES, 1, KVM_PMU_EVENT_ALLOW };
	struct filter_range ins = { PMU_EV_INST_RETIRED, 1,
				    KVM_PMU_EVENT_ALLOW };
	struct pmu_sample s = measure(&cyc, 1);

	TAP_CHECK_EQ(s.inst, 0, "allow only CPU_CYCLES: INST_RETIRED reads 0");
	TAP_CHECK_EQ(s.cycles, PMU_LOOP_INSTS(LOOP_N),
		     "allow only CPU_CYCLES: CPU_CYCLES exact");
	tap_check(!pmceid_bit(&s, PMU_EV_INST_RETIRED) &&
			  pmceid_bit(&s, PMU_EV_CPU_CYCLES),
		  "allow only CPU_CYCLES: PMCEID0 shows only what is allowed "
		  "(0x%llx)",
		  (unsigned long long)s.pmceid0);

	s = measure(&ins, 1);
	TAP_CHECK_EQ(s.inst, PMU_LOOP_INSTS(LOOP_N),
		     "allow only INST_RETIRED: INST_RETIRED exact");
	TAP_CHECK_EQ(s.cycles, 0,
		     "allow only INST_RETIRED: CPU_CYCLES reads 0");
	TAP_CHECK_EQ(s.ccnt, 0,
		     "allow only INST_RETIRED: the cycle counter follows "
		     "CPU_CYCLES");
}

static void test_deny_then_allow_keeps_deny(void)
{
	/* Documented: the first range sets the default; a later opposite
	 * range over the same events does not cancel it. */
	struct filter_range f[] = {
		{ PMU_EV_INST_RETIRED, 1, KVM_PMU_EVENT_ALLOW },
		{ PMU_EV_INST_RETIRED, 1, KVM_PMU_EVENT_DENY },
	};
	struct pmu_sample s = measure(f, 2);

	TAP_CHECK_EQ(s.inst, 0, "allow then deny INST_RETIRED: denied");
}

static void test_sw_incr_unfiltered(void)
{
	struct filter_range f = { PMU_EV_SW_INCR, 1, KVM_PMU_EVENT_DENY };
	struct pmu_sample s = measure(&f, 1);

	TAP_CHECK_EQ(s.swinc, SWINC_N,
		     "stock 7.3: SW_INCR counts even when the filter denies "
		     "event 0");
}

static void test_filter_errors(void)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;

	vm = kvmt_vm_create();
	if (!vm)
		kvmt_die("cannot create a VM");
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 0);
	TAP_CHECK_EQ(-kvmt_pmu_filter(vcpu, 0xffff, 2, KVM_PMU_EVENT_DENY),
		     EINVAL,
		     "a range past the event space is rejected with EINVAL");
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	TAP_CHECK_EQ(-kvmt_pmu_filter(vcpu, PMU_EV_CPU_CYCLES, 1,
				      KVM_PMU_EVENT_DENY),
		     EBUSY,
		     "the filter cannot change after a vCPU has run (EBUSY)");
	kvmt_vm_free(vm);
}

int main(void)
{
	struct kvmt_vm *vm = kvmt_vm_create();

	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	kvmt_vm_free(vm);
	tap_plan(14);
	test_deny_inst_retired();
	test_allow_list();
	test_deny_then_allow_keeps_deny();
	test_sw_incr_unfiltered();
	test_filter_errors();
	return tap_finish();
}
