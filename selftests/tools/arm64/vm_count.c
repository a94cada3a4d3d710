// SPDX-License-Identifier: GPL-2.0
/*
 * vm-count: a small KVM "VM" for the end-to-end tests: one vCPU counting
 * INST_RETIRED and CPU_CYCLES over a loop of known length, in slices,
 * printing what each slice counted.  Started inside a tenant's cgroup it
 * is what the daemon classifies.
 *
 * Usage: vm-count SLICES [GODIR]
 * Before slice i > 0, waits for GODIR/go.i to exist, so that a test can
 * change the policy between slices.  Output, one line per slice:
 *   slice I inst N cycles N expect N
 * where "expect" is the exact count of an allowed INST_RETIRED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"

#define LOOP_N 20000ULL
#define MAX_SLICES 64

static int slices;

static void guest_main(uint64_t arg)
{
	pmu_guest_count_slices(LOOP_N, (int)arg);
}

static void wait_for(const char *dir, int i)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char path[4096];

	snprintf(path, sizeof(path), "%s/go.%d", dir, i);
	while (access(path, F_OK))
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	uint64_t last_inst = 0, last_cyc = 0;
	struct kvmt_vcpu *vcpu;
	struct kvmt_ucall uc;
	struct kvmt_vm *vm;
	int i;

	if (argc < 2 || (slices = atoi(argv[1])) < 1 || slices > MAX_SLICES) {
		fprintf(stderr, "usage: vm-count SLICES [GODIR]\n");
		return 2;
	}
	vm = kvmt_vm_create();
	if (!vm) {
		fprintf(stderr, "vm-count: cannot create a VM\n");
		return 1;
	}
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, slices);
	printf("pid %d\n", getpid());
	fflush(stdout);
	for (i = 0; i < slices; i++) {
		if (i && argc > 2)
			wait_for(argv[2], i);
		uc = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
		printf("slice %d inst %llu cycles %llu expect %llu\n", i,
		       (unsigned long long)(uc.args[1] - last_inst),
		       (unsigned long long)(uc.args[2] - last_cyc),
		       (unsigned long long)PMU_LOOP_INSTS(LOOP_N));
		fflush(stdout);
		last_inst = uc.args[1];
		last_cyc = uc.args[2];
	}
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	kvmt_vm_free(vm);
	return 0;
}
