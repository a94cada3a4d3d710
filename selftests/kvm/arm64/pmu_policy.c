// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy: BPF policies (kvm_pmu_policy_ops) decide which PMU events
 * arm64 guests count, on top of the VMM's static filter.
 *
 * The test policies (selftests/bpf/progs/test_policy.bpf.c) deny events
 * listed in maps, by the cgroup the VM was created from.  VMs are created
 * from two cgroups, X and Y, and measure with exact counts (QEMU -icount),
 * so "denied" is 0 and "allowed" is the closed form, never "about right".
 * Checked: per-cgroup denial, SW_INCR and PMCEID coverage, deny-wins with
 * the static filter, VM lifecycle reports, re-evaluation between KVM_RUN
 * slices (map change + refresh kfunc, attach, detach, and a link update
 * swapping policies), two instances at once, scope by cgroup, invalid
 * verdicts, and the privilege and sleepable checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/guest_sysreg.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/libbpf_tap.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "../../bpf/progs/test_policy.h"
#include "test_policy.skel.h"

#define LOOP_N 20000ULL
#define SWINC_N 30ULL
#define SLICES 7
#define EXACT PMU_LOOP_INSTS(LOOP_N)

/* KVM_SET_ONE_REG id of PMEVTYPER<n>_EL0: op0 3, op1 3, CRn 14, CRm 12 + n/8. */
#define PMEVTYPER_ID(n) ARM64_SYS_REG(3, 3, 14, 12 + ((n) >> 3), (n) & 7)

#define CG_ROOT PT_CGROUP_ROOT
#define CG_X CG_ROOT "/vpmu-x"
#define CG_Y CG_ROOT "/vpmu-y"


static struct pmu_sample sample;

static void guest_measure(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&sample, 0, LOOP_N, SWINC_N);
}

/* Program once, then count in slices; report cumulative counts. */
static void guest_slices(uint64_t arg)
{
	(void)arg;
	pmu_guest_count_slices(LOOP_N, SLICES);
}

static struct test_policy *skel;
static struct bpf_link *link_a;
static uint64_t cg_x, cg_y;

/* Move this process into @cg (a cgroup directory). */
/* Create a VM from cgroup @cg, with an optional static allow-list. */
static struct kvmt_vm *vm_in(const char *cg, struct kvmt_vcpu **vcpu,
			     void (*fn)(uint64_t), int allow_event)
{
	struct kvmt_vm *vm;

	pt_enter_cgroup(cg);
	vm = kvmt_vm_create();
	pt_enter_cgroup(CG_ROOT);
	if (!vm)
		kvmt_die("cannot create a VM");
	*vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, fn, 0);
	if (allow_event >= 0 &&
	    kvmt_pmu_filter(*vcpu, allow_event, 1, KVM_PMU_EVENT_ALLOW))
		kvmt_die("static filter");
	return vm;
}

static struct pmu_sample measure_in(const char *cg, int allow_event)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm = vm_in(cg, &vcpu, guest_measure, allow_event);
	struct pmu_sample s;

	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = KVMT_GUEST(vm, sample);
	kvmt_vm_free(vm);
	return s;
}

static void deny(int map_fd, uint64_t cgroup_id, uint32_t event, bool on)
{
	struct deny_key k = { .cgroup_id = cgroup_id, .event = event };
	__u8 one = 1;
	int err = on ? bpf_map_update_elem(map_fd, &k, &one, BPF_ANY) :
		       bpf_map_delete_elem(map_fd, &k);

	if (err)
		kvmt_die("deny map update: %s", strerror(errno));
}

static void refresh_all(void)
{
	int ret = pt_refresh(bpf_program__fd(skel->progs.refresh), 0);

	if (ret < 0)
		kvmt_die("refreshing every VM: %d", ret);
}

static uint64_t stat_read(int idx)
{
	return pt_stat(bpf_map__fd(skel->maps.stats), idx);
}

static void test_per_cgroup(void)
{
	int fd = bpf_map__fd(skel->maps.deny_a);
	struct pmu_sample x, y;

	deny(fd, cg_x, PMU_EV_INST_RETIRED, true);
	deny(fd, cg_x, PMU_EV_SW_INCR, true);
	x = measure_in(CG_X, -1);
	y = measure_in(CG_Y, -1);
	TAP_CHECK_EQ(x.inst, 0, "cgroup X: the policy's denied INST_RETIRED reads 0");
	TAP_CHECK_EQ(x.cycles, EXACT, "cgroup X: CPU_CYCLES keeps its exact count");
	TAP_CHECK_EQ(y.inst, EXACT, "cgroup Y: INST_RETIRED exact (the rule is X's)");
	TAP_CHECK_EQ(y.cycles, EXACT, "cgroup Y: CPU_CYCLES exact");
	TAP_CHECK_EQ(x.swinc, 0, "cgroup X: SW_INCR obeys the policy");
	TAP_CHECK_EQ(y.swinc, SWINC_N, "cgroup Y: SW_INCR exact");
	tap_check(!(x.pmceid0 >> PMU_EV_INST_RETIRED & 1) &&
			  (x.pmceid0 >> PMU_EV_CPU_CYCLES & 1),
		  "cgroup X: PMCEID0 hides INST_RETIRED, shows CPU_CYCLES (0x%llx)",
		  (unsigned long long)x.pmceid0);
	tap_check(y.pmceid0 >> PMU_EV_INST_RETIRED & 1,
		  "cgroup Y: PMCEID0 shows INST_RETIRED (0x%llx)",
		  (unsigned long long)y.pmceid0);
	tap_check(stat_read(STAT_PROBES) > 0, "the policy was asked about PMCEID");
	deny(fd, cg_x, PMU_EV_INST_RETIRED, false);
	deny(fd, cg_x, PMU_EV_SW_INCR, false);
}

static void test_deny_wins(void)
{
	uint64_t seen = stat_read(STAT_STATIC_DENIED_SEEN);
	struct pmu_sample y;

	/* The VMM allows only CPU_CYCLES; the policy allows everything. */
	y = measure_in(CG_Y, PMU_EV_CPU_CYCLES);
	TAP_CHECK_EQ(y.inst, 0, "deny wins: a policy cannot allow what the static filter denies");
	TAP_CHECK_EQ(y.cycles, EXACT, "deny wins: what both allow counts exactly");
	tap_check(stat_read(STAT_STATIC_DENIED_SEEN) > seen,
		  "the policy saw the static filter's denial (for audit)");
}

static void test_lifecycle(void)
{
	int fd = bpf_map__fd(skel->maps.vms);
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	struct vm_rec rec;
	__u64 mine, before;

	vm = vm_in(CG_X, &vcpu, guest_measure, -1);
	mine = pt_find_vm(fd, cg_x);
	tap_check(mine != 0,
		  "vm_init reported the VM (id %llu) with cgroup X's id and our tgid",
		  (unsigned long long)mine);
	kvmt_vm_free(vm);
	rec.alive = 1;
	tap_check(mine && !bpf_map_lookup_elem(fd, &mine, &rec) && !rec.alive,
		  "vm_destroy reported the VM gone");

	/* A VM created while nothing is attached is announced on attach. */
	bpf_link__destroy(link_a);
	vm = vm_in(CG_Y, &vcpu, guest_measure, -1);
	before = pt_find_vm(fd, cg_y);
	link_a = pt_attach(skel->maps.policy_a);
	mine = pt_find_vm(fd, cg_y);
	tap_check(!before && mine,
		  "a VM that existed before the policy attached was announced to it (vm_init, id %llu)",
		  (unsigned long long)mine);
	kvmt_vm_free(vm);
}

/* Run one slice; return the INST_RETIRED it counted. */
static uint64_t slice(struct kvmt_vcpu *vcpu, uint64_t *last)
{
	struct kvmt_ucall uc = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
	uint64_t delta = uc.args[1] - *last;

	*last = uc.args[1];
	return delta;
}

static void test_reevaluation(void)
{
	int fd = bpf_map__fd(skel->maps.deny_a);
	struct bpf_link *link_b;
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	uint64_t last = 0;

	vm = vm_in(CG_Y, &vcpu, guest_slices, -1);
	TAP_CHECK_EQ(slice(vcpu, &last), EXACT, "slice 0: counting");
	deny(fd, cg_y, PMU_EV_INST_RETIRED, true);
	refresh_all();
	TAP_CHECK_EQ(slice(vcpu, &last), 0,
		     "slice 1: map update + refresh stops counting, no selector write");
	deny(fd, cg_y, PMU_EV_INST_RETIRED, false);
	refresh_all();
	TAP_CHECK_EQ(slice(vcpu, &last), EXACT, "slice 2: allowed again, counting resumes");

	/* The same through attach and detach of a second instance. */
	deny(bpf_map__fd(skel->maps.deny_b), 0, PMU_EV_INST_RETIRED, true);
	link_b = pt_attach(skel->maps.policy_b);
	TAP_CHECK_EQ(slice(vcpu, &last), 0, "slice 3: attaching a denying policy stops counting");
	bpf_link__destroy(link_b);
	TAP_CHECK_EQ(slice(vcpu, &last), EXACT, "slice 4: detaching it resumes counting");

	/* And through a link swapping policy_a for policy_b in place. */
	tap_check(!bpf_link__update_map(link_a, skel->maps.policy_b),
		  "a link swaps policy_a for policy_b (update)");
	TAP_CHECK_EQ(slice(vcpu, &last), 0, "slice 5: the swapped-in policy applies at once");
	tap_check(!bpf_link__update_map(link_a, skel->maps.policy_a),
		  "... and swaps back");
	deny(bpf_map__fd(skel->maps.deny_b), 0, PMU_EV_INST_RETIRED, false);
	TAP_CHECK_EQ(slice(vcpu, &last), EXACT, "slice 6: policy_a again, counting");

	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	kvmt_vm_free(vm);
}

static void test_two_instances(void)
{
	struct bpf_link *link_b;
	struct pmu_sample y;

	deny(bpf_map__fd(skel->maps.deny_a), 0, PMU_EV_INST_RETIRED, true);
	deny(bpf_map__fd(skel->maps.deny_b), 0, PMU_EV_CPU_CYCLES, true);
	link_b = pt_attach(skel->maps.policy_b);
	tap_check(strstr(pt_read_policies(), "test_a 0 0\ntest_b 0 0\n"),
		  "debugfs lists both policies in attach order");
	y = measure_in(CG_Y, -1);
	tap_check(y.inst == 0 && y.cycles == 0,
		  "two instances: each one's denial applies (inst %llu, cycles %llu)",
		  (unsigned long long)y.inst, (unsigned long long)y.cycles);
	bpf_link__destroy(link_b);
	y = measure_in(CG_Y, -1);
	tap_check(y.inst == 0 && y.cycles == EXACT,
		  "detaching one removes exactly its effect (inst %llu, cycles %llu)",
		  (unsigned long long)y.inst, (unsigned long long)y.cycles);
	deny(bpf_map__fd(skel->maps.deny_a), 0, PMU_EV_INST_RETIRED, false);
	deny(bpf_map__fd(skel->maps.deny_b), 0, PMU_EV_CPU_CYCLES, false);
}

static void test_invalid_verdict(void)
{
	int fd = bpf_map__fd(skel->maps.override);
	__u32 k0 = 0, k1 = 1, ev = PMU_EV_INST_RETIRED, v = 7 + 1, off = 0;
	struct pmu_sample y;

	bpf_map_update_elem(fd, &k0, &ev, BPF_ANY);
	bpf_map_update_elem(fd, &k1, &v, BPF_ANY);
	y = measure_in(CG_Y, -1);
	bpf_map_update_elem(fd, &k1, &off, BPF_ANY);
	TAP_CHECK_EQ(y.inst, 0, "an invalid verdict (7) denies");
	tap_check(pt_invalid_verdicts("test_a") > 0,
		  "the invalid verdict is counted for the policy in debugfs");
}

/* Policy B scoped to cgroup X; its rule denies INST_RETIRED everywhere. */
static void test_scope(void)
{
	struct test_policy *scoped;
	struct bpf_link *link;
	struct pmu_sample x, y;
	struct deny_key k = { .event = PMU_EV_INST_RETIRED };
	__u8 one = 1;

	scoped = test_policy__open();
	if (!scoped)
		kvmt_die("opening a second copy of the policy");
	scoped->struct_ops.policy_b->cgroup_id = cg_x;
	if (test_policy__load(scoped))
		kvmt_die("loading the scoped policy");
	bpf_map_update_elem(bpf_map__fd(scoped->maps.deny_b), &k, &one, BPF_ANY);
	link = pt_attach(scoped->maps.policy_b);
	x = measure_in(CG_X, -1);
	y = measure_in(CG_Y, -1);
	TAP_CHECK_EQ(x.inst, 0, "a policy scoped to cgroup X applies to X's VMs");
	TAP_CHECK_EQ(y.inst, EXACT, "... and not to Y's");
	bpf_link__destroy(link);
	test_policy__destroy(scoped);
}

static void test_sleepable_rejected(void)
{
	struct bpf_object *obj;
	int err;

	libbpf_set_print(NULL);
	obj = bpf_object__open_file("/tests/bad_sleepable.bpf.o", NULL);
	err = obj ? bpf_object__load(obj) : -errno;
	tap_libbpf_quiet();
	tap_check(obj && err, "a sleepable event_filter is rejected at load (%d)", err);
	bpf_object__close(obj);
}

/* Guest for test_stale_event(): see there. */
static void guest_stale_event(uint64_t arg)
{
	uint64_t before, after;

	(void)arg;
	write_sysreg(0xffffffffu, pmcntenclr_el0);
	write_sysreg(PMCR_LC | PMCR_E | PMCR_P, pmcr_el0);
	pmu_write_evtyper(0, PMU_EV_INST_RETIRED);
	isb();
	GUEST_SYNC(1);
	/* No selector write since the policy changed: just enable. */
	before = pmu_read_evcntr(0);
	pmu_guest_count_loop_on(1, LOOP_N);
	after = pmu_read_evcntr(0);
	for (;;)
		guest_ucall(UCALL_DONE, after - before, 0, 0, 0, 0);
}

/*
 * A perf event outlives a change of its counter's selector that KVM does
 * not reprogram (a vCPU reset, a KVM_SET_ONE_REG of PMEVTYPER).  A refresh
 * must not keep such an event because the new selector is allowed: here
 * INST_RETIRED's event is set up, the VMM rewrites the selector to SW_INCR
 * (allowed, counted by KVM, not by the event), the policy denies
 * INST_RETIRED, and the guest enables the counter and loops.  A first cut
 * of RFC v2 kept the INST_RETIRED event running.
 */
static void test_stale_event(void)
{
	int fd = bpf_map__fd(skel->maps.deny_a);
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	struct kvmt_ucall uc;

	vm = vm_in(CG_Y, &vcpu, guest_stale_event, -1);
	kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
	kvmt_set_reg(vcpu, PMEVTYPER_ID(0), PMU_EV_SW_INCR);
	deny(fd, cg_y, PMU_EV_INST_RETIRED, true);
	refresh_all();
	uc = kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	TAP_CHECK_EQ(uc.args[0], 0,
		     "a perf event whose selector was rewritten behind KVM's back stops on a deny");
	deny(fd, cg_y, PMU_EV_INST_RETIRED, false);
	kvmt_vm_free(vm);
}

/*
 * Attaching decides for every VM of the host: a task with every
 * capability but CAP_SYS_ADMIN (what a BPF token could hand out) cannot.
 */
static void test_attach_privilege(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct d[2];
		struct bpf_link *link;

		if (syscall(SYS_capget, &h, d))
			_exit(2);
		d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
		if (syscall(SYS_capset, &h, d))
			_exit(2);
		libbpf_set_print(NULL);
		link = bpf_map__attach_struct_ops(skel->maps.policy_b);
		_exit(!link && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "attaching a policy without CAP_SYS_ADMIN fails with EPERM");
}

/*
 * The refresh kfunc makes every vCPU reprogram its counters: a process
 * that only holds the program's file descriptor, without CAP_SYS_ADMIN,
 * gets EPERM from it.
 */
static void test_refresh_privilege(void)
{
	int prog = bpf_program__fd(skel->progs.refresh), status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(pt_refresh(prog, 0) == -EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the refresh kfunc refuses a caller without CAP_SYS_ADMIN (EPERM)");
}

int main(void)
{
	struct kvmt_vm *vm;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	kvmt_vm_free(vm);
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		tap_skip_all("no kernel BTF");
	tap_libbpf_quiet();
	tap_plan(39);

	cg_x = pt_make_cgroup(CG_X);
	cg_y = pt_make_cgroup(CG_Y);
	skel = test_policy__open_and_load();
	if (!tap_check(skel != NULL, "the verifier accepts the test policies"))
		tap_bail("cannot load the policies: %s", strerror(errno));
	link_a = pt_attach(skel->maps.policy_a);
	tap_check(link_a != NULL, "policy_a attaches");

	test_per_cgroup();
	test_deny_wins();
	test_lifecycle();
	test_reevaluation();
	test_two_instances();
	test_invalid_verdict();
	test_scope();
	tap_check(pt_unprivileged_load_refused((void *(*)(void))test_policy__open_and_load),
		  "an unprivileged user cannot load a policy (EPERM)");
	test_sleepable_rejected();
	test_refresh_privilege();
	test_stale_event();
	test_attach_privilege();

	bpf_link__destroy(link_a);
	tap_check(!strcmp(pt_read_policies(), "name scope_cgroup_id invalid_verdicts\n"),
		  "after detach no policy is listed");
	test_policy__destroy(skel);
	return tap_finish();
}
