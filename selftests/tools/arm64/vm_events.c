// SPDX-License-Identifier: GPL-2.0
/*
 * vm-events: a small KVM "VM" for the preset end-to-end test: one vCPU
 * programs four event counters, INST_RETIRED, L1D_CACHE (0x04), SW_INCR
 * and CPU_CYCLES, counts a loop of known length and SWINC software
 * increments, and reports what each counter read and what PMCEID0_EL0
 * advertises.  Started inside a tenant's cgroup it is what the daemon
 * classifies.
 *
 * Usage: vm-events [STOPFILE]
 * With STOPFILE, the VM stays (for vpmuctl explain) until it exists.
 * Output, one line:
 *   inst N l1d N swinc N cycles N pmceid0 0xN expect N swinc_expect N
 * where "expect" is the exact count of an allowed INST_RETIRED and
 * "swinc_expect" that of an allowed SW_INCR.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"

#define LOOP_N 20000ULL
#define SWINC 7
#define EV_L1D_CACHE 0x04

/* Counter indexes: SW_INCR must be PMU_CTR_SWINC for pmu_guest_swinc(). */
enum { C_INST, C_L1D, C_SWINC, C_CYCLES };

static void guest_main(uint64_t arg)
{
	(void)arg;
	write_sysreg(0xffffffffu, pmcntenclr_el0);
	write_sysreg(PMCR_LC, pmcr_el0);
	isb();
	pmu_write_evtyper(C_INST, PMU_EV_INST_RETIRED);
	pmu_write_evtyper(C_L1D, EV_L1D_CACHE);
	pmu_write_evtyper(C_SWINC, PMU_EV_SW_INCR);
	pmu_write_evtyper(C_CYCLES, PMU_EV_CPU_CYCLES);
	write_sysreg(PMCR_LC | PMCR_E | PMCR_P | PMCR_C, pmcr_el0);
	isb();
	pmu_guest_count_loop_on((1u << C_INST) | (1u << C_L1D) |
				(1u << C_CYCLES), LOOP_N);
	pmu_guest_swinc(SWINC);
	guest_ucall(UCALL_SYNC, pmu_read_evcntr(C_INST),
		    pmu_read_evcntr(C_L1D), pmu_read_evcntr(C_SWINC),
		    pmu_read_evcntr(C_CYCLES), 0);
	guest_ucall(UCALL_SYNC, read_sysreg(pmceid0_el0), 0, 0, 0, 0);
	GUEST_DONE();
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	_Static_assert((int)C_SWINC == (int)PMU_CTR_SWINC, "pmu_guest_swinc's counter");
	struct kvmt_ucall counts, ids;
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;

	vm = kvmt_vm_create();
	if (!vm) {
		fprintf(stderr, "vm-events: cannot create a VM\n");
		return 1;
	}
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 0);
	counts = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
	ids = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	printf("inst %llu l1d %llu swinc %llu cycles %llu pmceid0 0x%llx expect %llu swinc_expect %d\n",
	       (unsigned long long)counts.args[0],
	       (unsigned long long)counts.args[1],
	       (unsigned long long)counts.args[2],
	       (unsigned long long)counts.args[3],
	       (unsigned long long)ids.args[0],
	       (unsigned long long)PMU_LOOP_INSTS(LOOP_N), SWINC);
	fflush(stdout);
	while (argc > 1 && access(argv[1], F_OK))
		nanosleep(&ts, NULL);
	kvmt_vm_free(vm);
	return 0;
}
