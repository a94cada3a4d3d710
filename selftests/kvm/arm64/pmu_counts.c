// SPDX-License-Identifier: GPL-2.0
/*
 * arm64_pmu_counts: the guest PMU counts exactly what it should.
 *
 * With QEMU's -icount shift=0 the emulated PMU is deterministic, so
 * INST_RETIRED over a loop of known length equals its closed form, not
 * "roughly" it.  This is the baseline every policy test compares with:
 * if these counts drift, the policy tests cannot be trusted either.
 */
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/tap.h"

#define N_SHORT 1000ULL
#define N_LONG	1000000ULL
#define SWINC_N 100ULL

static struct pmu_sample sample_short, sample_long;

static void guest_main(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&sample_short, 0, N_SHORT, SWINC_N);
	pmu_guest_measure(&sample_long, 0, N_LONG, 2 * SWINC_N);
}

int main(void)
{
	struct pmu_sample *s, *l;
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	tap_plan(8);
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 0);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = &KVMT_GUEST(vm, sample_short);
	l = &KVMT_GUEST(vm, sample_long);

	tap_check(s->nr_counters >= PMU_NR_TEST_CTRS,
		  "guest PMU has at least %d event counters (PMCR_EL0.N=%llu)",
		  PMU_NR_TEST_CTRS, (unsigned long long)s->nr_counters);
	TAP_CHECK_EQ(s->inst, PMU_LOOP_INSTS(N_SHORT),
		     "INST_RETIRED over %llu iterations is 2n+%d", N_SHORT,
		     PMU_LOOP_OVERHEAD);
	TAP_CHECK_EQ(l->inst, PMU_LOOP_INSTS(N_LONG),
		     "INST_RETIRED over %llu iterations is 2n+%d", N_LONG,
		     PMU_LOOP_OVERHEAD);
	tap_check(s->cycles > 0 && l->cycles > s->cycles,
		  "CPU_CYCLES counts and grows with the loop (%llu, %llu)",
		  (unsigned long long)s->cycles, (unsigned long long)l->cycles);
	tap_check(
		l->ccnt >= 2 * N_LONG,
		"PMCCNTR_EL0 counts at least one cycle per instruction (%llu)",
		(unsigned long long)l->ccnt);
	TAP_CHECK_EQ(s->swinc, SWINC_N, "SW_INCR counts %llu PMSWINC writes",
		     SWINC_N);
	TAP_CHECK_EQ(l->swinc, 2 * SWINC_N,
		     "SW_INCR counts %llu PMSWINC writes", 2 * SWINC_N);
	tap_check((s->pmceid0 >> PMU_EV_INST_RETIRED & 1) &&
			  (s->pmceid0 >> PMU_EV_CPU_CYCLES & 1),
		  "PMCEID0 advertises INST_RETIRED and CPU_CYCLES (0x%llx)",
		  (unsigned long long)s->pmceid0);
	kvmt_vm_free(vm);
	return tap_finish();
}
