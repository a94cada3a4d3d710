// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy: the kvm_pmu_policy_ops struct_ops on x86, where KVM is a
 * module.
 *
 * The struct_ops type lives in kvm.ko's BTF, so loading the test policies
 * proves it registered from the module.  A policy attaches (listed in
 * debugfs) and detaches, sees VMs created from a chosen cgroup with that
 * cgroup's id and our tgid, the refresh kfunc reaches live VMs, and a
 * guest toggling EFER.SVME (an AMD nested transition) reaches
 * nested_reprogram.
 * Counting itself needs a hardware PMU: under TCG that part reports SKIP
 * with the reason, on hardware it checks that a denied event reads 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/x86_64/kvmt_x86_64.h"
#include "../../lib/guest.h"
#include "../../lib/libbpf_tap.h"
#include "../../lib/tap.h"
#include "../../bpf/progs/test_policy.h"
#include "test_policy.skel.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_X CG_ROOT "/vpmu-x"
#define LOOP_N 100000ULL
#define EV_INST_RETIRED 0xc0

static struct test_policy *skel;
static uint64_t guest_count;
static uint32_t guest_evtsel_msr, guest_ctr_msr;

static void guest_count_insts(uint64_t n)
{
	uint32_t lo, hi;

	asm volatile("wrmsr" : : "c"(guest_ctr_msr), "a"(0), "d"(0));
	asm volatile("wrmsr" : : "c"(guest_evtsel_msr),
		     "a"(EV_INST_RETIRED | (1u << 16) | (1u << 17) | (1u << 22)),
		     "d"(0));
	asm volatile("1: dec %0; jnz 1b" : "+r"(n) : : "cc");
	asm volatile("wrmsr" : : "c"(guest_evtsel_msr), "a"(0), "d"(0));
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(guest_ctr_msr));
	guest_count = ((uint64_t)hi << 32) | lo;
}

static void guest_idle(uint64_t arg)
{
	(void)arg;
}

#define MSR_EFER 0xc0000080
#define EFER_SVME (1u << 12)

/* Set and clear EFER.SVME: two AMD nested transitions for KVM. */
static void guest_toggle_svme(uint64_t arg)
{
	uint32_t lo, hi;

	(void)arg;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_EFER));
	asm volatile("wrmsr" : : "c"(MSR_EFER), "a"(lo | EFER_SVME), "d"(hi));
	asm volatile("wrmsr" : : "c"(MSR_EFER), "a"(lo & ~EFER_SVME), "d"(hi));
}

static uint64_t stat_read(__u32 k)
{
	__u64 v = 0;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &k, &v);
	return v;
}

/* EFER.SVME toggles reach nested_reprogram, PMU or not. */
static void test_nested_reprogram(void)
{
	char nested = 'N';
	uint64_t before = stat_read(STAT_NESTED_REPROGRAMS);
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	FILE *f = fopen("/sys/module/kvm_amd/parameters/nested", "r");

	if (f) {
		if (fscanf(f, " %c", &nested) != 1)
			nested = 'N';
		fclose(f);
	}
	if (nested != '1' && nested != 'Y') {
		tap_skip("needs kvm_amd with nested=1",
			 "EFER.SVME toggles call nested_reprogram");
		return;
	}
	vm = kvmt_vm_create();
	vcpu = kvmt_vcpu_add(vm, 0, guest_toggle_svme, 0);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	kvmt_vm_free(vm);
	tap_check(stat_read(STAT_NESTED_REPROGRAMS) >= before + 2,
		  "EFER.SVME toggles call nested_reprogram (%llu calls)",
		  (unsigned long long)(stat_read(STAT_NESTED_REPROGRAMS) - before));
}

static uint64_t make_cgroup(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) && errno != EEXIST)
		kvmt_die("mkdir %s: %s", path, strerror(errno));
	if (stat(path, &st))
		kvmt_die("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

static void enter_cgroup(const char *cg)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		kvmt_die("joining %s: %s", cg, strerror(errno));
	close(fd);
}

static const char *read_policies(void)
{
	static char buf[1024];
	int fd = open("/sys/kernel/debug/kvm/pmu_policies", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static int refresh(uint64_t vm_id)
{
	struct refresh_args args = { .vm_id = vm_id };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args,
		    .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.refresh), &opts))
		return -errno;
	return args.ret;
}

/* The newest live VM record vm_init made for us from cgroup @cg, or 0. */
static uint64_t find_vm(uint64_t cg)
{
	int fd = bpf_map__fd(skel->maps.vms);
	__u64 key, next, mine = 0;
	struct vm_rec rec;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &rec) && rec.alive &&
		    rec.cgroup_id == cg && rec.tgid == getpid() && key > mine)
			mine = key;
	}
	return mine;
}

static int host_pmu_errno(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.exclude_kernel = 1,
	};
	int fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* On hardware: a VM whose policy denies 0xC0 counts nothing. */
static void test_counting(void)
{
	struct deny_key k = { .event = EV_INST_RETIRED };
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	int err = host_pmu_errno();
	__u8 one = 1;

	if (err) {
		char reason[128];

		snprintf(reason, sizeof(reason),
			 "no hardware PMU under TCG (perf_event_open: %s)",
			 strerror(err));
		tap_skip(reason, "a denied event reads 0 in the guest");
		return;
	}
	if (access("/sys/module/kvm_amd", F_OK) == 0) {
		guest_evtsel_msr = 0xc0010000;
		guest_ctr_msr = 0xc0010004;
	} else {
		guest_evtsel_msr = 0x186;
		guest_ctr_msr = 0xc1;
	}
	bpf_map_update_elem(bpf_map__fd(skel->maps.deny_a), &k, &one, BPF_ANY);
	vm = kvmt_vm_create();
	vcpu = kvmt_vcpu_add(vm, 0, guest_count_insts, LOOP_N);
	KVMT_GUEST(vm, guest_evtsel_msr) = guest_evtsel_msr;
	KVMT_GUEST(vm, guest_ctr_msr) = guest_ctr_msr;
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	TAP_CHECK_EQ(KVMT_GUEST(vm, guest_count), 0,
		     "a denied event reads 0 in the guest");
	kvmt_vm_free(vm);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.deny_a), &k);
}

static void test_unprivileged(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct test_policy *p;

		libbpf_set_print(NULL);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		p = test_policy__open_and_load();
		_exit(p ? 0 : (errno == EPERM || errno == EACCES) ? 1 : 3);
	}
	waitpid(pid, &status, 0);
	tap_check(WIFEXITED(status) && WEXITSTATUS(status) == 1,
		  "an unprivileged user cannot load a policy (status 0x%x)", status);
}

int main(void)
{
	struct kvmt_vcpu *vcpu;
	struct bpf_link *link;
	struct vm_rec rec;
	struct kvmt_vm *vm;
	uint64_t cg_x, id;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	kvmt_vm_free(vm);
	tap_libbpf_quiet();
	tap_plan(11);

	skel = test_policy__open_and_load();
	if (!tap_check(skel != NULL,
		       "the policies load against kvm.ko's struct_ops type (module BTF)"))
		tap_bail("cannot load the policies: %s", strerror(errno));
	link = bpf_map__attach_struct_ops(skel->maps.policy_a);
	if (!tap_check(link != NULL, "policy_a attaches"))
		tap_bail("cannot attach: %s", strerror(errno));
	tap_check(strstr(read_policies(), "\ntest_a 0 0\n") != NULL,
		  "debugfs kvm/pmu_policies lists it");

	cg_x = make_cgroup(CG_X);
	enter_cgroup(CG_X);
	vm = kvmt_vm_create();
	enter_cgroup(CG_ROOT);
	vcpu = kvmt_vcpu_add(vm, 0, guest_idle, 0);
	id = find_vm(cg_x);
	tap_check(id != 0,
		  "vm_init reported the VM (id %llu) with cgroup X's id and our tgid",
		  (unsigned long long)id);
	TAP_CHECK_EQ(refresh(id), 1, "the refresh kfunc reaches the VM");
	TAP_CHECK_EQ(kvmt_vcpu_run(vcpu).cmd, UCALL_DONE,
		     "the VM runs with the policy attached");
	kvmt_vm_free(vm);
	rec.alive = 1;
	tap_check(id && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.vms), &id,
					     &rec) && !rec.alive,
		  "vm_destroy reported the VM gone");

	test_nested_reprogram();
	test_counting();
	test_unprivileged();

	bpf_link__destroy(link);
	tap_check(!strstr(read_policies(), "test_a"), "after detach it is gone");
	test_policy__destroy(skel);
	return tap_finish();
}
