// SPDX-License-Identifier: GPL-2.0
/*
 * vm-flood: a guest that floods the policy with decisions, for the
 * stress tests (daemon_stress_flood.sh).  One vCPU reprograms event
 * counter 0 in a loop, cycling through NR_EVENTS distinct event numbers
 * (more than the engine's per-VM audit cap), enabling it for a short
 * loop each time, so that every write is a decision (and, under a
 * denying policy, a denial record).
 *
 * Usage: vm-flood STOPFILE
 * Runs until STOPFILE exists, then prints "flood R rounds, D decisions".
 * Prints "flooding" once the first round is done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/arm64/guest_sysreg.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"

#define NR_EVENTS 1024	/* distinct events: past VPMU_MAX_AUDIT_PER_VM */
#define PER_ROUND 64	/* counter programmings between two ucalls */

static void guest_flood(uint64_t arg)
{
	uint64_t round, k, ev;

	(void)arg;
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	for (round = 0;; round++) {
		for (k = 0; k < PER_ROUND; k++) {
			ev = (round * PER_ROUND + k) % NR_EVENTS;
			write_sysreg(1, pmcntenclr_el0);
			isb();
			pmu_write_evtyper(0, ev);
			pmu_guest_count_loop_on(1, 10);
		}
		guest_ucall(UCALL_SYNC, round, 0, 0, 0, 0);
	}
}

int main(int argc, char **argv)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	unsigned long rounds = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: vm-flood STOPFILE\n");
		return 2;
	}
	vm = kvmt_vm_create();
	if (!vm) {
		fprintf(stderr, "vm-flood: cannot create a VM\n");
		return 1;
	}
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_flood, 0);
	while (access(argv[1], F_OK)) {
		kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
		if (!rounds++) {
			printf("flooding\n");
			fflush(stdout);
		}
	}
	printf("flood %lu rounds, %lu decisions\n", rounds,
	       rounds * PER_ROUND);
	kvmt_vm_free(vm);
	return 0;
}
