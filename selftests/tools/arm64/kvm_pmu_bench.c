// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pmu_bench: what the PMU policy hooks cost the host kernel, counted in
 * instructions, for `make bench-kernel` (scripts/bench-kernel.sh).  Not a
 * test: it prints numbers.
 *
 * Run in the arm64 test VM under QEMU -icount shift=0, where the virtual
 * clock advances one nanosecond per instruction the emulated CPU retires,
 * whatever the host does: CLOCK_MONOTONIC_RAW across a stretch of work is
 * the instructions it took (ours, the kernel's, and the few interrupts in
 * between).  Our own instructions are the same binary on every kernel, so
 * the differences are the kernel's.  (A perf counter on this task would
 * say the same more narrowly, but the emulated PMU never schedules a
 * task-bound counter here: time_running stays 0.)  It counts
 *
 *   roundtrip   one KVM_RUN round trip: the guest exits with a ucall at
 *               once, KVM returns to us, we enter again;
 *   evtyper     one guest write to PMEVTYPER0_EL0 (trapped: KVM releases
 *               and re-creates the counter's perf event, asking the
 *               policies), net of the round trip that reports them.
 *
 * It measures with nothing attached, then (on a kernel with the series)
 * with an allow-all policy, then with the vpmu engine holding a 300-rule
 * policy as the host default.  Each number is the median of REPS runs.
 * Output lines:  bench MODE roundtrip N evtyper N
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../../../include/vpmu/maps.h"
#include "../../../include/vpmu/rule.h"
#include "../../../lib/policy_image.h"
#include "../../../lib/policy_maps.h"
#include "../../lib/arm64/guest_sysreg.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/guest.h"
#include "../../lib/policy_test.h"
#include "test_policy.skel.h"
#include "vpmu_engine.skel.h"

#define ROUNDTRIPS 2000
#define WRITES 500
#define REPS 5

enum { G_ROUNDTRIPS, G_WRITES };

static void guest_main(uint64_t arg)
{
	uint64_t i;

	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	for (;;) {
		if (arg == G_ROUNDTRIPS) {
			GUEST_SYNC(0);
			continue;
		}
		for (i = 0; i < WRITES; i++)
			pmu_write_evtyper(0, i & 1 ? PMU_EV_CPU_CYCLES :
						     PMU_EV_INST_RETIRED);
		GUEST_SYNC(1);
	}
}

/* Instructions (virtual ns under -icount shift=0) that @fn(@v) took. */
static uint64_t counted(void (*fn)(struct kvmt_vcpu *), struct kvmt_vcpu *v)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	fn(v);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	return (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000ULL +
	       (uint64_t)b.tv_nsec - (uint64_t)a.tv_nsec;
}

static void run_roundtrips(struct kvmt_vcpu *v)
{
	int i;

	for (i = 0; i < ROUNDTRIPS; i++)
		kvmt_vcpu_run_expect(v, UCALL_SYNC);
}

static void run_writes(struct kvmt_vcpu *v)
{
	kvmt_vcpu_run_expect(v, UCALL_SYNC);
}

/* Numbers are in tenths of an instruction: guest code has no FP here. */
static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v)
{
	qsort(v, REPS, sizeof(*v), cmp);
	return v[REPS / 2];
}

/* vm_policy of the engine while it is attached, else -1. */
static int vm_policy_fd = -1;

static void measure(const char *mode)
{
	uint64_t rt[REPS], wr[REPS], m_rt, m_wr;
	struct kvmt_vcpu *a, *b;
	struct kvmt_vm *va, *vb;
	int r;

	va = kvmt_vm_create();
	vb = kvmt_vm_create();
	if (!va || !vb)
		kvmt_die("cannot create a VM: %s", strerror(errno));
	/* Under the engine: classified to the host default, as the daemon does. */
	if (vm_policy_fd >= 0)
		pt_classify_pending(vm_policy_fd, VPMU_POLICY_NONE,
				    VPMU_VM_DEFAULT);
	a = kvmt_vcpu_add(va, KVMT_VCPU_PMU, guest_main, G_ROUNDTRIPS);
	b = kvmt_vcpu_add(vb, KVMT_VCPU_PMU, guest_main, G_WRITES);
	/* Warm up: first entries fault in memory and create perf events. */
	run_roundtrips(a);
	run_writes(b);
	for (r = 0; r < REPS; r++) {
		uint64_t rt10 = counted(run_roundtrips, a) * 10 / ROUNDTRIPS;

		rt[r] = rt10;
		wr[r] = (counted(run_writes, b) * 10 - rt10) / WRITES;
	}
	m_rt = median(rt);
	m_wr = median(wr);
	printf("bench %s roundtrip %llu.%llu evtyper %llu.%llu\n", mode,
	       (unsigned long long)m_rt / 10, (unsigned long long)m_rt % 10,
	       (unsigned long long)m_wr / 10, (unsigned long long)m_wr % 10);
	fflush(stdout);
	kvmt_vm_free(va);
	kvmt_vm_free(vb);
}

static bool have_policies(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool have;

	have = btf && btf__find_by_name_kind(btf, "kvm_pmu_policy_ops",
					      BTF_KIND_STRUCT) > 0;
	btf__free(btf);
	return have;
}

/* The vpmu engine with a 300-rule policy as every VM's host default. */
static struct bpf_link *attach_engine(struct vpmu_engine **engp)
{
	static struct vpmu_rule rules[300];
	struct vpmu_policy_header h = vpmu_policy_header(300, VPMU_ALLOW);
	struct vpmu_config c = {
		.abi_version = VPMU_ABI_VERSION,
		.default_policy_id = 1,
		.default_action = VPMU_DENY,
		.audit = VPMU_AUDIT_DENIALS,
		.denials_per_sec = 1000,
	};
	struct vpmu_engine *eng = vpmu_engine__open_and_load();
	__u32 zero = 0, i;
	int fd, err;

	if (!eng)
		kvmt_die("loading the engine: %s", strerror(errno));
	/* 300 denied events nobody programs here: the decision still looks. */
	for (i = 0; i < 300; i++)
		rules[i] = (struct vpmu_rule){ .event = 0x4000 + i,
					       .space = VPMU_SPACE_ARM64,
					       .action = VPMU_DENY,
					       .kinds = VPMU_KIND_ANY };
	fd = vpmu_policy_map_create(&h, rules, 300, NULL);
	if (fd < 0)
		kvmt_die("creating the policy map: %s", strerror(-fd));
	{
		struct vpmu_policy_maps m = VPMU_POLICY_MAPS_OF(eng);

		err = vpmu_policy_publish_fd(&m, 1, fd);
	}
	if (err)
		kvmt_die("publishing the policy: %s", strerror(-err));
	close(fd);
	bpf_map_update_elem(bpf_map__fd(eng->maps.config), &zero, &c, BPF_ANY);
	*engp = eng;
	vm_policy_fd = bpf_map__fd(eng->maps.vm_policy);
	return bpf_map__attach_struct_ops(eng->maps.vpmu_engine);
}

int main(void)
{
	struct test_policy *skel;
	struct vpmu_engine *eng;
	struct bpf_link *link;

	libbpf_set_print(NULL);
	measure("nothing");
	if (!have_policies()) {
		printf("# this kernel has no kvm_pmu_policy_ops: nothing else to measure\n");
		return 0;
	}
	skel = test_policy__open_and_load();
	if (!skel)
		kvmt_die("loading the test policies: %s", strerror(errno));
	link = bpf_map__attach_struct_ops(skel->maps.policy_a);
	if (!link)
		kvmt_die("attaching an allow-all policy: %s", strerror(errno));
	measure("allow-all");
	bpf_link__destroy(link);
	test_policy__destroy(skel);

	link = attach_engine(&eng);
	if (!link)
		kvmt_die("attaching the engine: %s", strerror(errno));
	measure("engine-300");
	bpf_link__destroy(link);
	vpmu_engine__destroy(eng);
	return 0;
}
