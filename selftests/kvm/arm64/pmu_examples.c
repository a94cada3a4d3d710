// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_examples: the example filters in bpf/examples, attached the way a
 * user would, with `bpftool struct_ops register OBJ DIR` (which pins their
 * links), configured with map updates, and detached by removing the pinned
 * link.  Each must take effect with exact counts and leave no trace once
 * detached.  Needs kvm-arm.mode=nested for nested_stop's vEL2 guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"

#define LOOP_N 20000ULL
#define EXACT PMU_LOOP_INSTS(LOOP_N)
#define LINKS "/sys/fs/bpf/examples"
#define ROUNDS 6

static struct pmu_sample sample, rounds[ROUNDS];

static void guest_measure(uint64_t arg)
{
	pmu_guest_measure(&sample, (uint32_t)arg, LOOP_N, 0);
}

/* Reprogram and measure ROUNDS times in one VM. */
static void guest_rounds(uint64_t arg)
{
	int i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++)
		pmu_guest_measure(&rounds[i], 0, LOOP_N, 0);
}

static struct kvmt_vm *new_vm(struct kvmt_vcpu **vcpu, uint64_t features,
			      void (*fn)(uint64_t), uint64_t arg)
{
	struct kvmt_vm *vm = kvmt_vm_create();

	if (!vm)
		kvmt_die("cannot create a VM");
	*vcpu = kvmt_vcpu_add(vm, features, fn, arg);
	return vm;
}

static struct pmu_sample measure(uint64_t features, uint32_t filter)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm = new_vm(&vcpu, features, guest_measure, filter);
	struct pmu_sample s;

	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = KVMT_GUEST(vm, sample);
	kvmt_vm_free(vm);
	return s;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		tap_diag("'%s' exited with 0x%x", cmd, rc);
	return rc;
}

static bool attach(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "mkdir -p " LINKS " && bpftool struct_ops register /tests/%s.bpf.o " LINKS
		 " >/dev/null", name);
	return !sh(cmd);
}

static bool listed(const char *name);

/*
 * Unpin the link.  The kernel releases a link from a workqueue, so wait
 * (up to 2 s) for the policy to leave the list.
 */
static bool detach(const char *name)
{
	char path[128];
	int i;

	snprintf(path, sizeof(path), LINKS "/%s", name);
	if (unlink(path))
		return false;
	for (i = 0; i < 200 && listed(name); i++)
		usleep(10000);
	return !listed(name);
}

/* The fd of the newest map called @name (maps of attached examples). */
static int map_fd(const char *name)
{
	__u32 id = 0, best = 0;
	int fd;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (!bpf_map_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(info.name, name))
			best = id;
		close(fd);
	}
	return best ? bpf_map_get_fd_by_id(best) : -1;
}

static bool listed(const char *name)
{
	char buf[1024];
	int fd = open("/sys/kernel/debug/kvm/pmu_policies", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, name) != NULL;
}

static void test_nested_stop(void)
{
	struct pmu_sample s;

	if (!tap_check(attach("nested_stop") && listed("nested_stop"),
		       "nested_stop registers with bpftool"))
		return;
	s = measure(KVMT_VCPU_PMU | KVMT_VCPU_EL2, PMEVTYPER_NSH);
	TAP_CHECK_EQ(s.inst, 0, "nested_stop: nothing counts at vEL2");
	s = measure(KVMT_VCPU_PMU, 0);
	TAP_CHECK_EQ(s.inst, EXACT, "nested_stop: a VM without nesting counts");
	tap_check(detach("nested_stop"),
		  "nested_stop detaches (link unpinned)");
	s = measure(KVMT_VCPU_PMU | KVMT_VCPU_EL2, PMEVTYPER_NSH);
	TAP_CHECK_EQ(s.inst, EXACT, "detached: vEL2 counts again");
}

static void test_rate_limit(void)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	__u32 zero = 0, limit = 3;
	int fd;

	if (!tap_check(attach("rate_limit"), "rate_limit registers with bpftool"))
		return;
	fd = map_fd("rate_limit_cfg");
	tap_check(fd >= 0 && !bpf_map_update_elem(fd, &zero, &limit, BPF_ANY),
		  "its limit is set by a map update (3 per second)");
	close(fd);
	vm = new_vm(&vcpu, KVMT_VCPU_PMU, guest_rounds, 0);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	tap_check(KVMT_GUEST(vm, rounds[0]).inst == EXACT &&
			  KVMT_GUEST(vm, rounds[ROUNDS - 1]).inst == 0,
		  "rate_limit: the first programming counts, the %dth is over budget (%llu, %llu)",
		  ROUNDS, (unsigned long long)KVMT_GUEST(vm, rounds[0]).inst,
		  (unsigned long long)KVMT_GUEST(vm, rounds[ROUNDS - 1]).inst);
	kvmt_vm_free(vm);
	tap_check(detach("rate_limit"),
		  "rate_limit detaches");
}

static void test_vm_allowlist(void)
{
	struct { __u64 vm_id; __u32 event, pad; } ek = { 0 };
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	__s32 pid = getpid();
	__u32 one = 1;
	__u64 vm_id = 0;
	int seen, vms, events;

	if (!tap_check(attach("vm_allowlist"), "vm_allowlist registers with bpftool"))
		return;
	vm = new_vm(&vcpu, KVMT_VCPU_PMU, guest_measure, 0);
	seen = map_fd("allowlist_seen");
	vms = map_fd("allowlist_vms");
	events = map_fd("allowlist_evts");
	tap_check(seen >= 0 && !bpf_map_lookup_elem(seen, &pid, &vm_id) && vm_id,
		  "vm_allowlist: allowlist_seen maps our pid to the VM (id %llu)",
		  (unsigned long long)vm_id);
	ek.vm_id = vm_id;
	ek.event = PMU_EV_CPU_CYCLES;
	bpf_map_update_elem(vms, &vm_id, &one, BPF_ANY);
	bpf_map_update_elem(events, &ek, &one, BPF_ANY);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	tap_check(KVMT_GUEST(vm, sample).inst == 0 &&
			  KVMT_GUEST(vm, sample).cycles == EXACT,
		  "vm_allowlist: only the listed CPU_CYCLES counts for that VM");
	kvmt_vm_free(vm);
	TAP_CHECK_EQ(measure(KVMT_VCPU_PMU, 0).inst, EXACT,
		     "vm_allowlist: other VMs are left alone");
	close(seen);
	close(vms);
	close(events);
	tap_check(detach("vm_allowlist"),
		  "vm_allowlist detaches");
}

int main(void)
{
	kvmt_require_el2();
	if (access("/usr/sbin/bpftool", X_OK))
		tap_skip_all("no bpftool in this guest");
	tap_plan(5 + 4 + 5 + 1);
	test_nested_stop();
	test_rate_limit();
	test_vm_allowlist();
	tap_check(!strcmp(pt_read_policies(), "name scope_cgroup_id invalid_verdicts\n"),
		  "nothing is left attached");
	return tap_finish();
}
