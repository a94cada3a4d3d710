// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_slices: a guest programs its counters once and then runs in several
 * KVM_RUN slices, pausing with a ucall after each; the host reads the
 * counters between slices.  Counts carry over KVM_RUN boundaries (vCPU
 * put/load) exactly.  This is the shape of every re-evaluation test: the
 * host changes something between slices without the guest touching a
 * selector, and the next slice's count shows the effect.
 */
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/tap.h"

#define LOOP_N 50000ULL
#define SLICES 4

static void guest_main(uint64_t arg)
{
	(void)arg;
	pmu_guest_count_slices(LOOP_N, SLICES);
}

int main(void)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	struct kvmt_ucall uc;
	int i;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	tap_plan(2 * SLICES + 1);
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 0);
	for (i = 0; i < SLICES; i++) {
		uc = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
		TAP_CHECK_EQ(uc.args[1], (i + 1) * PMU_LOOP_INSTS(LOOP_N),
			     "slice %d: INST_RETIRED accumulates exactly", i);
		TAP_CHECK_EQ(uc.args[2], (i + 1) * PMU_LOOP_INSTS(LOOP_N),
			     "slice %d: CPU_CYCLES accumulates exactly", i);
	}
	uc = kvmt_vcpu_run(vcpu);
	TAP_CHECK_EQ(uc.cmd, UCALL_DONE, "the guest finishes after %d slices",
		     SLICES);
	kvmt_vm_free(vm);
	return tap_finish();
}
