// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy_required: with kvm.pmu_policy_required=1 on the kernel
 * command line, a VM counts nothing until a PMU policy is attached, so a
 * host can boot and start its VMMs before the policy daemon without a
 * window in which only the VMM's static filter applies.
 *
 * One guest counts in slices (exact counts under QEMU -icount) while the
 * host attaches an allow-all policy and detaches it again:
 *
 *   slice 0  nothing attached       INST_RETIRED, CPU_CYCLES read 0
 *   slice 1  allow-all attached     both count exactly
 *   slice 2  detached               0 again
 *
 * and a VM created with nothing attached sees no event in PMCEID0/1 and
 * cannot count SW_INCR, nor can one while the only policy attached is
 * scoped to another cgroup.  Needs the suite's kvm.pmu_policy_required=1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "test_policy.skel.h"

#define LOOP_N 20000ULL
#define SWINC_N 30ULL
#define EXACT PMU_LOOP_INSTS(LOOP_N)
#define PARAM "/sys/module/kvm/parameters/pmu_policy_required"
#define CG_OTHER PT_CGROUP_ROOT "/vpmu-other"

static struct pmu_sample sample;

static void guest_measure(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&sample, 0, LOOP_N, SWINC_N);
}

static void guest_slices(uint64_t arg)
{
	(void)arg;
	pmu_guest_count_slices(LOOP_N, 3);
}

static struct kvmt_vm *vm_with(struct kvmt_vcpu **vcpu, void (*fn)(uint64_t))
{
	struct kvmt_vm *vm = kvmt_vm_create();

	if (!vm)
		kvmt_die("cannot create a VM");
	*vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, fn, 0);
	return vm;
}

/* Run one slice; its INST_RETIRED and CPU_CYCLES deltas. */
static void slice(struct kvmt_vcpu *vcpu, uint64_t last[2], uint64_t d[2])
{
	struct kvmt_ucall uc = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);

	d[0] = uc.args[1] - last[0];
	d[1] = uc.args[2] - last[1];
	last[0] = uc.args[1];
	last[1] = uc.args[2];
}

static char param_value(void)
{
	char v = '?';
	FILE *f = fopen(PARAM, "r");

	if (f) {
		if (fscanf(f, " %c", &v) != 1)
			v = '?';
		fclose(f);
	}
	return v;
}

int main(void)
{
	uint64_t last[2] = { 0, 0 }, d[2];
	struct test_policy *skel, *scoped;
	struct kvmt_vcpu *vcpu;
	struct bpf_link *link;
	struct pmu_sample s;
	struct kvmt_vm *vm;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	kvmt_vm_free(vm);
	tap_plan(11);

	tap_check(param_value() == 'Y', "%s reads Y (booted with kvm.pmu_policy_required=1)",
		  PARAM);

	/* A whole guest with nothing attached. */
	vm = vm_with(&vcpu, guest_measure);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = KVMT_GUEST(vm, sample);
	kvmt_vm_free(vm);
	tap_check(s.inst == 0 && s.cycles == 0 && s.ccnt == 0,
		  "nothing attached: INST_RETIRED, CPU_CYCLES and the cycle counter read 0 (%llu, %llu, %llu)",
		  (unsigned long long)s.inst, (unsigned long long)s.cycles,
		  (unsigned long long)s.ccnt);
	TAP_CHECK_EQ(s.swinc, 0, "nothing attached: SW_INCR does not count");
	tap_check(s.pmceid0 == 0 && s.pmceid1 == 0,
		  "nothing attached: PMCEID0/1 advertise no event (0x%llx, 0x%llx)",
		  (unsigned long long)s.pmceid0, (unsigned long long)s.pmceid1);

	skel = test_policy__open_and_load();
	if (!skel)
		tap_bail("cannot load the test policies: %s", strerror(errno));

	vm = vm_with(&vcpu, guest_slices);
	slice(vcpu, last, d);
	tap_check(d[0] == 0 && d[1] == 0,
		  "slice 0, nothing attached: the guest counts nothing (%llu, %llu)",
		  (unsigned long long)d[0], (unsigned long long)d[1]);
	link = bpf_map__attach_struct_ops(skel->maps.policy_a);
	if (!tap_check(link != NULL, "an allow-all policy attaches"))
		tap_bail("cannot attach: %s", strerror(errno));
	slice(vcpu, last, d);
	TAP_CHECK_EQ(d[0], EXACT, "slice 1, a policy attached: INST_RETIRED counts exactly");
	TAP_CHECK_EQ(d[1], EXACT, "slice 1, a policy attached: CPU_CYCLES counts exactly");
	bpf_link__destroy(link);
	slice(vcpu, last, d);
	tap_check(d[0] == 0 && d[1] == 0,
		  "slice 2, detached again: the guest counts nothing (%llu, %llu)",
		  (unsigned long long)d[0], (unsigned long long)d[1]);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	kvmt_vm_free(vm);

	/* With a policy attached, a new VM counts as the policy says. */
	link = bpf_map__attach_struct_ops(skel->maps.policy_a);
	vm = vm_with(&vcpu, guest_measure);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = KVMT_GUEST(vm, sample);
	kvmt_vm_free(vm);
	bpf_link__destroy(link);
	tap_check(s.inst == EXACT && s.swinc == SWINC_N,
		  "a VM created with a policy attached counts INST_RETIRED and SW_INCR exactly (%llu, %llu)",
		  (unsigned long long)s.inst, (unsigned long long)s.swinc);

	/*
	 * A policy attached for another cgroup's VMs decides nothing for
	 * this one: it must not open its counters (a review of RFC v2's first
	 * cut found that any attached policy did).
	 */
	scoped = test_policy__open();
	if (!scoped)
		tap_bail("cannot open a second copy of the policies");
	scoped->struct_ops.policy_b->cgroup_id = pt_make_cgroup(CG_OTHER);
	if (test_policy__load(scoped))
		tap_bail("cannot load the scoped policy");
	link = pt_attach(scoped->maps.policy_b);
	vm = vm_with(&vcpu, guest_measure);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = KVMT_GUEST(vm, sample);
	kvmt_vm_free(vm);
	bpf_link__destroy(link);
	test_policy__destroy(scoped);
	tap_check(s.inst == 0 && s.cycles == 0 && s.swinc == 0,
		  "a policy scoped to another cgroup leaves this VM counting nothing (%llu, %llu, %llu)",
		  (unsigned long long)s.inst, (unsigned long long)s.cycles,
		  (unsigned long long)s.swinc);

	test_policy__destroy(skel);
	return tap_finish();
}
