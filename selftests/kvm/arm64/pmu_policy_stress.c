// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy_stress: 1000 cycles of policy attach, link update, map
 * change + refresh and detach while a guest on two vCPUs reprograms its
 * counters in a loop, on a kernel with lockdep, PROVE_RCU and
 * DEBUG_ATOMIC_SLEEP (the harness fails the run on any report).  The
 * vCPU threads share the test VM's one CPU, so they are preempted and
 * rescheduled (vcpu_put/vcpu_load) all along.
 *
 * Then a policy that denies INST_RETIRED is attached while the guest
 * runs: every measurement the vCPUs start after that reads 0 for it,
 * and CPU_CYCLES, which it allows, keeps counting.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/arm64/guest_sysreg.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/libbpf_tap.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "../../bpf/progs/test_policy.h"
#include "test_policy.skel.h"

#define CYCLES 1000
#define NR_VCPUS 2
#define LOOP_N 200
#define CHECKED 20	/* measurements checked per vCPU at the end */

/* Guest: reprogram counter 0 with alternating events, count, report. */
static void guest_churn(uint64_t arg)
{
	uint64_t i, count, ev;

	(void)arg;
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	for (i = 0;; i++) {
		ev = i & 1 ? PMU_EV_CPU_CYCLES : PMU_EV_INST_RETIRED;
		write_sysreg(1, pmcntenclr_el0);
		isb();
		pmu_write_evtyper(0, ev);
		pmu_write_evcntr(0, 0);
		pmu_guest_count_loop_on(1, LOOP_N);
		count = pmu_read_evcntr(0);
		guest_ucall(UCALL_SYNC, i, ev, count, 0, 0);
	}
}

struct vcpu_thread {
	struct kvmt_vcpu *vcpu;
	pthread_t tid;
	atomic_ulong syncs;
	atomic_ulong checked, inst_counted, cycles_zero;
};

static struct vcpu_thread threads[NR_VCPUS];
static atomic_int stop, checking;

static void *vcpu_loop(void *p)
{
	struct vcpu_thread *t = p;

	while (!atomic_load(&stop)) {
		struct kvmt_ucall uc = kvmt_vcpu_run_expect(t->vcpu, UCALL_SYNC);

		if (atomic_load(&checking) && atomic_load(&t->checked) < CHECKED) {
			if (uc.args[1] == PMU_EV_INST_RETIRED && uc.args[2])
				atomic_fetch_add(&t->inst_counted, 1);
			if (uc.args[1] == PMU_EV_CPU_CYCLES && !uc.args[2])
				atomic_fetch_add(&t->cycles_zero, 1);
			atomic_fetch_add(&t->checked, 1);
		}
		atomic_fetch_add(&t->syncs, 1);
	}
	return NULL;
}

/* Wait until every vCPU made @n more syncs than in @base. */
static void wait_syncs(const unsigned long *base, unsigned long n)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		while (atomic_load(&threads[i].syncs) < base[i] + n)
			sched_yield();
}

static void snapshot(unsigned long *base)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		base[i] = atomic_load(&threads[i].syncs);
}

int main(void)
{
	struct deny_key inst = { .event = PMU_EV_INST_RETIRED };
	unsigned long base[NR_VCPUS], failures = 0, min_syncs = ~0UL;
	unsigned long inst_counted = 0, cycles_zero = 0, checked = 0;
	struct test_policy *skel;
	struct bpf_link *link;
	struct kvmt_vm *vm;
	int i, fd_a, prog;
	__u8 one = 1;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	tap_libbpf_quiet();
	tap_plan(5);

	skel = test_policy__open_and_load();
	if (!skel)
		tap_bail("cannot load the test policies: %s", strerror(errno));
	fd_a = bpf_map__fd(skel->maps.deny_a);
	prog = bpf_program__fd(skel->progs.refresh);

	for (i = 0; i < NR_VCPUS; i++)
		threads[i].vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_churn, i);
	kvmt_vm_finalize(vm);
	for (i = 0; i < NR_VCPUS; i++)
		if (pthread_create(&threads[i].tid, NULL, vcpu_loop, &threads[i]))
			tap_bail("pthread_create failed");

	for (i = 0; i < CYCLES; i++) {
		link = bpf_map__attach_struct_ops(skel->maps.policy_a);
		if (!link) {
			failures++;
			continue;
		}
		if (i & 1)
			failures += !!bpf_map_update_elem(fd_a, &inst, &one, BPF_ANY);
		else
			bpf_map_delete_elem(fd_a, &inst);
		failures += pt_refresh(prog, 0) < 0;
		failures += !!bpf_link__update_map(link, skel->maps.policy_b);
		failures += !!bpf_link__update_map(link, skel->maps.policy_a);
		failures += !!bpf_link__destroy(link);
	}
	snapshot(base);
	wait_syncs(base, 1);
	for (i = 0; i < NR_VCPUS; i++)
		if (atomic_load(&threads[i].syncs) < min_syncs)
			min_syncs = atomic_load(&threads[i].syncs);
	TAP_CHECK_EQ(failures, 0, "%d cycles of attach, map change + refresh, two link updates and detach",
		     CYCLES);
	tap_check(min_syncs > 0, "both vCPUs kept reprogramming their counters throughout (%lu measurements at least)",
		  min_syncs);

	/* A denying policy, attached while the guest runs. */
	bpf_map_update_elem(fd_a, &inst, &one, BPF_ANY);
	link = pt_attach(skel->maps.policy_a);
	/* Measurements begun after the attach returned. */
	snapshot(base);
	wait_syncs(base, 2);
	atomic_store(&checking, 1);
	for (i = 0; i < NR_VCPUS; i++)
		while (atomic_load(&threads[i].checked) < CHECKED)
			sched_yield();
	atomic_store(&stop, 1);
	for (i = 0; i < NR_VCPUS; i++) {
		pthread_join(threads[i].tid, NULL);
		inst_counted += threads[i].inst_counted;
		cycles_zero += threads[i].cycles_zero;
		checked += threads[i].checked;
	}
	TAP_CHECK_EQ(inst_counted, 0, "after the attach, no measurement counted the denied INST_RETIRED");
	TAP_CHECK_EQ(cycles_zero, 0, "... while every CPU_CYCLES measurement counted");
	tap_check(checked >= NR_VCPUS * CHECKED, "%lu measurements checked", checked);

	bpf_link__destroy(link);
	kvmt_vm_free(vm);
	test_policy__destroy(skel);
	return tap_finish();
}
