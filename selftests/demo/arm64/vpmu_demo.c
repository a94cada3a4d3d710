// SPDX-License-Identifier: GPL-2.0
/*
 * vpmu_demo: what `make demo` shows.  A guest programs INST_RETIRED,
 * CPU_CYCLES and SW_INCR, runs a loop of known length, and reports its
 * counts; first with no filter, then with the VMM's static filter denying
 * INST_RETIRED, then with an allow-list of CPU_CYCLES only.  The counts are
 * exact (QEMU -icount), so the effect of each filter is plain to see.
 */
#include <stdio.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"

#define LOOP_N	1000000ULL
#define SWINC_N 10ULL

static struct pmu_sample sample;

static void guest_main(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&sample, 0, LOOP_N, SWINC_N);
}

static void run(const char *what, int deny_inst, int allow_cycles_only)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	struct pmu_sample *s;

	vm = kvmt_vm_create();
	if (!vm)
		kvmt_die("cannot create a KVM VM");
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 0);
	if (deny_inst)
		kvmt_pmu_filter(vcpu, PMU_EV_INST_RETIRED, 1,
				KVM_PMU_EVENT_DENY);
	if (allow_cycles_only)
		kvmt_pmu_filter(vcpu, PMU_EV_CPU_CYCLES, 1,
				KVM_PMU_EVENT_ALLOW);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = &KVMT_GUEST(vm, sample);
	printf("demo: %-34s %12llu %12llu %8llu   %s\n", what,
	       (unsigned long long)s->inst, (unsigned long long)s->cycles,
	       (unsigned long long)s->swinc,
	       (s->pmceid0 >> PMU_EV_INST_RETIRED) & 1 ? "yes" : "no");
	kvmt_vm_free(vm);
}

int main(void)
{
	printf("demo: guest loop of %llu iterations = %llu instructions; %llu "
	       "PMSWINC writes\n",
	       LOOP_N, (unsigned long long)PMU_LOOP_INSTS(LOOP_N), SWINC_N);
	printf("demo: %-34s %12s %12s %8s   %s\n",
	       "VMM filter (KVM_ARM_VCPU_PMU_V3_FILTER)", "INST_RETIRED",
	       "CPU_CYCLES", "SW_INCR", "PMCEID shows INST_RETIRED");
	run("none", 0, 0);
	run("deny INST_RETIRED", 1, 0);
	run("allow CPU_CYCLES only", 0, 1);
	printf("demo: SW_INCR counts in every case: stock KVM never filters "
	       "it.\n");
	return 0;
}
