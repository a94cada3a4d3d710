// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_counts: an x86 guest counts retired instructions on a GP counter,
 * and KVM_SET_PMU_EVENT_FILTER denying the event makes it read 0.
 *
 * This needs a hardware PMU on the host.  QEMU TCG emulates none for x86
 * (perf offers software events only, kvm_amd disables PMU
 * virtualization), so in the harness the test reports SKIP with that
 * reason; on real hardware it runs.  The guest uses the architectural
 * MSRs of the vendor the host reports: Intel IA32_PERFEVTSEL0/IA32_PMC0,
 * AMD PerfEvtSel0/PerfCtr0, event 0xC0 (instructions retired) on both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/x86_64/kvmt_x86_64.h"
#include "../../lib/guest.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"

#define LOOP_N		100000ULL
#define EV_INST_RETIRED 0xc0
#define EVTSEL_USR	(1ULL << 16)
#define EVTSEL_OS	(1ULL << 17)
#define EVTSEL_EN	(1ULL << 22)

struct pmu_msrs {
	uint32_t evtsel, ctr;
};
static const struct pmu_msrs intel_msrs = { 0x186, 0xc1 };
static const struct pmu_msrs amd_msrs = { 0xc0010000, 0xc0010004 };

static struct pmu_msrs guest_msrs;
static uint64_t guest_count;

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void guest_main(uint64_t n)
{
	wrmsr(guest_msrs.ctr, 0);
	wrmsr(guest_msrs.evtsel,
	      EV_INST_RETIRED | EVTSEL_USR | EVTSEL_OS | EVTSEL_EN);
	asm volatile("1: dec %0; jnz 1b" : "+r"(n) : : "cc");
	wrmsr(guest_msrs.evtsel, 0);
	guest_count = rdmsr(guest_msrs.ctr);
}

static uint64_t run_guest(const struct kvm_pmu_event_filter *filter)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	uint64_t count;

	vm = kvmt_vm_create();
	if (!vm)
		kvmt_die("cannot create a VM");
	if (filter)
		kvmt_ioctl(vm->fd, KVM_SET_PMU_EVENT_FILTER, (void *)filter);
	vcpu = kvmt_vcpu_add(vm, 0, guest_main, LOOP_N);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	count = KVMT_GUEST(vm, guest_count);
	kvmt_vm_free(vm);
	return count;
}

int main(void)
{
	struct kvm_pmu_event_filter *deny;
	uint64_t count;
	int err;

	err = pt_host_pmu_errno();
	if (err)
		tap_skip_all(
			"no hardware PMU under TCG "
			"(perf_event_open(PERF_COUNT_HW_INSTRUCTIONS): %s)",
			strerror(err));
	guest_msrs = access("/sys/module/kvm_amd", F_OK) == 0 ? amd_msrs
							      : intel_msrs;
	tap_plan(2);
	count = run_guest(NULL);
	tap_check(count >= 2 * LOOP_N && count < 2 * LOOP_N + 1000,
		  "guest counts ~2 instructions per loop iteration (%llu)",
		  (unsigned long long)count);

	deny = calloc(1, sizeof(*deny) + sizeof(deny->events[0]));
	deny->action = KVM_PMU_EVENT_DENY;
	deny->nevents = 1;
	deny->events[0] = EV_INST_RETIRED;
	TAP_CHECK_EQ(run_guest(deny), 0,
		     "KVM_SET_PMU_EVENT_FILTER deny 0xC0: the counter reads 0");
	free(deny);
	return tap_finish();
}
