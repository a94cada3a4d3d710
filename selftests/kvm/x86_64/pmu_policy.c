// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_policy: the kvm_pmu_policy_ops struct_ops on x86, where KVM is a
 * module.
 *
 * The struct_ops type lives in kvm.ko's BTF, so loading the test policies
 * proves it registered from the module.  A policy attaches (listed in
 * debugfs) and detaches, sees VMs created from a chosen cgroup with that
 * cgroup's id and our tgid, the refresh kfunc reaches live VMs, and a
 * guest toggling EFER.SVME (an AMD nested transition, which reprograms the
 * counters whose policy verdict is mode-sensitive) runs to its end with a
 * policy attached.
 * Counting itself needs a hardware PMU: under TCG that part reports SKIP
 * with the reason, on hardware it checks that a denied event reads 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/x86_64/kvmt_x86_64.h"
#include "../../lib/guest.h"
#include "../../lib/libbpf_tap.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "../../bpf/progs/test_policy.h"
#include "test_policy.skel.h"

#define CG_ROOT PT_CGROUP_ROOT
#define CG_X CG_ROOT "/vpmu-x"
#define LOOP_N 100000ULL
#define EV_INST_RETIRED 0xc0

static struct test_policy *skel;
static uint64_t guest_count;
static uint32_t guest_evtsel_msr, guest_ctr_msr, guest_evtsel_hi;

static void guest_count_insts(uint64_t n)
{
	uint32_t lo, hi;

	asm volatile("wrmsr" : : "c"(guest_ctr_msr), "a"(0), "d"(0));
	asm volatile("wrmsr" : : "c"(guest_evtsel_msr),
		     "a"(EV_INST_RETIRED | (1u << 16) | (1u << 17) | (1u << 22)),
		     "d"(guest_evtsel_hi));
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

/*
 * EFER.SVME toggles are AMD nested transitions: with a policy attached
 * (whose verdicts are all mode-sensitive) the guest runs through them.
 * Without a PMU nothing is programmed, so only the path is exercised.
 */
static void test_svme_toggles(void)
{
	char nested = 'N';
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
			 "a guest toggling EFER.SVME runs with a policy attached");
		return;
	}
	vm = kvmt_vm_create();
	vcpu = kvmt_vcpu_add(vm, 0, guest_toggle_svme, 0);
	TAP_CHECK_EQ(kvmt_vcpu_run(vcpu).cmd, UCALL_DONE,
		     "a guest toggling EFER.SVME runs with a policy attached");
	kvmt_vm_free(vm);
}

/* Skip @what (and return true) on a host whose PMU perf cannot open. */
static bool skip_without_pmu(const char *what)
{
	int err = pt_host_pmu_errno();
	char reason[128];

	if (!err)
		return false;
	snprintf(reason, sizeof(reason),
		 "no hardware PMU under TCG (perf_event_open: %s)", strerror(err));
	tap_skip(reason, "%s", what);
	return true;
}

/*
 * Run a guest that counts 0xC0 (its selector's bits 63:32 are @evtsel_hi)
 * with a policy denying 0xC0 attached; what the guest read.
 */
static uint64_t count_denied_inst(uint32_t evtsel_msr, uint32_t ctr_msr,
				  uint32_t evtsel_hi)
{
	struct deny_key k = { .event = EV_INST_RETIRED };
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	uint64_t count;
	__u8 one = 1;

	bpf_map_update_elem(bpf_map__fd(skel->maps.deny_a), &k, &one, BPF_ANY);
	vm = kvmt_vm_create();
	vcpu = kvmt_vcpu_add(vm, 0, guest_count_insts, LOOP_N);
	KVMT_GUEST(vm, guest_evtsel_msr) = evtsel_msr;
	KVMT_GUEST(vm, guest_ctr_msr) = ctr_msr;
	KVMT_GUEST(vm, guest_evtsel_hi) = evtsel_hi;
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	count = KVMT_GUEST(vm, guest_count);
	kvmt_vm_free(vm);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.deny_a), &k);
	return count;
}

/* On hardware: a VM whose policy denies 0xC0 counts nothing. */
static void test_counting(void)
{
	const char *what = "a denied event reads 0 in the guest";
	bool amd = access("/sys/module/kvm_amd", F_OK) == 0;

	if (skip_without_pmu(what))
		return;
	TAP_CHECK_EQ(count_denied_inst(amd ? 0xc0010000 : 0x186,
				       amd ? 0xc0010004 : 0xc1, 0), 0, "%s", what);
}

/*
 * On Intel hardware with TSX: a selector with IN_TX (bit 32) set is still
 * event 0xC0 to a policy, as it is to KVM's static filter.  RFC v1 folded
 * bits 35:32 into the event on every vendor, so an Intel guest could count
 * a denied 0xC0 as "0x1C0" by setting IN_TX.
 */
static void test_in_tx_decode(void)
{
	const char *what = "Intel: 0xC0 with IN_TX set is still the denied 0xC0";
	unsigned int eax, ebx, ecx, edx;

	if (skip_without_pmu(what))
		return;
	if (access("/sys/module/kvm_intel", F_OK) != 0) {
		tap_skip("IN_TX/IN_TXCP are Intel selector bits; this host runs kvm_amd",
			 "%s", what);
		return;
	}
	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
		     : "a"(7), "c"(0));
	if (!(ebx & (1u << 4)) && !(ebx & (1u << 11))) {
		tap_skip("the CPU has no TSX (HLE/RTM): KVM refuses IN_TX", "%s", what);
		return;
	}
	TAP_CHECK_EQ(count_denied_inst(0x186, 0xc1, 1), 0, "%s", what);
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
	tap_plan(12);

	skel = test_policy__open_and_load();
	if (!tap_check(skel != NULL,
		       "the policies load against kvm.ko's struct_ops type (module BTF)"))
		tap_bail("cannot load the policies: %s", strerror(errno));
	link = bpf_map__attach_struct_ops(skel->maps.policy_a);
	if (!tap_check(link != NULL, "policy_a attaches"))
		tap_bail("cannot attach: %s", strerror(errno));
	tap_check(strstr(pt_read_policies(), "\ntest_a 0 0\n") != NULL,
		  "debugfs kvm/pmu_policies lists it");

	cg_x = pt_make_cgroup(CG_X);
	pt_enter_cgroup(CG_X);
	vm = kvmt_vm_create();
	pt_enter_cgroup(CG_ROOT);
	vcpu = kvmt_vcpu_add(vm, 0, guest_idle, 0);
	id = pt_find_vm(bpf_map__fd(skel->maps.vms), cg_x);
	tap_check(id != 0,
		  "vm_init reported the VM (id %llu) with cgroup X's id and our tgid",
		  (unsigned long long)id);
	TAP_CHECK_EQ(pt_refresh(bpf_program__fd(skel->progs.refresh), id), 1, "the refresh kfunc reaches the VM");
	TAP_CHECK_EQ(kvmt_vcpu_run(vcpu).cmd, UCALL_DONE,
		     "the VM runs with the policy attached");
	kvmt_vm_free(vm);
	rec.alive = 1;
	tap_check(id && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.vms), &id,
					     &rec) && !rec.alive,
		  "vm_destroy reported the VM gone");

	test_svme_toggles();
	test_counting();
	test_in_tx_decode();
	tap_check(pt_unprivileged_load_refused((void *(*)(void))test_policy__open_and_load),
		  "an unprivileged user cannot load a policy (EPERM)");

	bpf_link__destroy(link);
	tap_check(!strstr(pt_read_policies(), "test_a"), "after detach it is gone");
	test_policy__destroy(skel);
	return tap_finish();
}
