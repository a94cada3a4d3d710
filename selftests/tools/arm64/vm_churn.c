// SPDX-License-Identifier: GPL-2.0
/*
 * vm-churn: create and destroy KVM VMs quickly, for the stress tests
 * (daemon_stress_churn.sh).  Each VM gets one vCPU with a PMU that
 * programs INST_RETIRED, CPU_CYCLES and SW_INCR and counts one short
 * loop, so that every VM makes decisions (audit entries, denial records)
 * before it is destroyed; "bare" VMs have no vCPU and only go through
 * vm_init and vm_destroy.
 *
 * Usage: vm-churn N [run|bare]
 * Prints "churned N VMs in MS ms, inst I" (I: the last VM's INST_RETIRED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"

static void guest_main(uint64_t arg)
{
	pmu_guest_count_slices(100, (int)arg);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct kvmt_ucall uc = { 0 };
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	long start = now_ms();
	int n, i, bare;

	if (argc < 2 || (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: vm-churn N [run|bare]\n");
		return 2;
	}
	bare = argc > 2 && !strcmp(argv[2], "bare");
	for (i = 0; i < n; i++) {
		vm = kvmt_vm_create();
		if (!vm) {
			fprintf(stderr, "vm-churn: cannot create VM %d\n", i);
			return 1;
		}
		if (!bare) {
			vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 1);
			uc = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
			kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
		}
		kvmt_vm_free(vm);
	}
	printf("churned %d VMs in %ld ms, inst %llu\n", n, now_ms() - start,
	       (unsigned long long)uc.args[1]);
	return 0;
}
