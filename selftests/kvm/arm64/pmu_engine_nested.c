// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_engine_nested: the engine's nested-reprogram rule.
 *
 * A policy denies INST_RETIRED at virtual EL2 only.  The guest hypervisor
 * programs and enables the counter at vEL2 (denied: KVM creates no perf
 * event) with filter bits that count at EL1 and EL2 alike, then drops to
 * vEL1 and runs a loop without touching the counter.  KVM itself would not
 * reprogram such a counter on the transition (its EL1 and EL2 filtering
 * agree), so the counter counts at vEL1 only if the policy asks for it:
 * with VPMU_POLICY_NESTED in its header it does, without it the counter
 * stays dead.  Needs kvm-arm.mode=nested.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../../include/vpmu/maps.h"
#include "../../../include/vpmu/rule.h"
#include "../../../lib/policy_image.h"
#include "../../../lib/policy_maps.h"
#include "../../lib/arm64/guest_el2.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/libbpf_tap.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "vpmu_engine.skel.h"

#define LOOP_N 20000ULL
#define POLICY 1

static uint64_t el1_inst, el1_cycles;
static uint8_t el1_stack[16384] __attribute__((aligned(16)));

static void guest_el1(void)
{
	uint64_t n = LOOP_N;

	asm volatile("1: subs %0, %0, #1\n b.ne 1b" : "+r"(n) : : "cc");
	el1_inst = pmu_read_evcntr(PMU_CTR_INST);
	el1_cycles = pmu_read_evcntr(PMU_CTR_CYCLES);
	for (;;)
		GUEST_DONE();
}

static void guest_main(uint64_t arg)
{
	(void)arg;
	pmu_guest_setup(PMEVTYPER_NSH);
	pmu_guest_reset();
	write_sysreg((1u << PMU_CTR_INST) | (1u << PMU_CTR_CYCLES), pmcntenset_el0);
	isb();
	guest_enter_el1(guest_el1, el1_stack + sizeof(el1_stack));
}

static void run(struct vpmu_engine *eng, __u8 flags, uint64_t *inst,
		uint64_t *cycles)
{
	struct vpmu_rule rule = { .event = PMU_EV_INST_RETIRED,
				  .space = VPMU_SPACE_ARM64,
				  .action = VPMU_DENY,
				  .flags = VPMU_RULE_HYP_ONLY,
				  .kinds = VPMU_KIND_ANY };
	struct vpmu_policy_header h = vpmu_policy_header(1, VPMU_ALLOW);
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	struct vpmu_policy_maps maps;
	__u32 id = POLICY;
	int fd, err;

	h.flags = flags;
	/* Laid out as the daemon does it (lib/policy_image.c). */
	fd = vpmu_policy_map_create(&h, &rule, 1, NULL);
	if (fd < 0)
		kvmt_die("creating the policy: %s", strerror(-fd));
	maps = VPMU_POLICY_MAPS_OF(eng);
	err = vpmu_policy_publish_fd(&maps, id, fd);
	if (err)
		kvmt_die("publishing the policy: %s", strerror(-err));
	close(fd);

	vm = kvmt_vm_create();
	/* What the daemon does: no tenant matches, the host default. */
	pt_classify_pending(bpf_map__fd(eng->maps.vm_policy), VPMU_POLICY_NONE,
			    VPMU_VM_DEFAULT);
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU | KVMT_VCPU_EL2, guest_main, 0);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	*inst = KVMT_GUEST(vm, el1_inst);
	*cycles = KVMT_GUEST(vm, el1_cycles);
	kvmt_vm_free(vm);
}

int main(void)
{
	struct vpmu_config cfg = { .abi_version = VPMU_ABI_VERSION,
				   .default_policy_id = POLICY,
				   .default_action = VPMU_ALLOW };
	uint64_t inst, cycles;
	struct vpmu_engine *eng;
	struct bpf_link *link;
	__u32 zero = 0;

	kvmt_require_el2();
	tap_libbpf_quiet();
	tap_plan(4);

	eng = vpmu_engine__open_and_load();
	if (!eng)
		tap_bail("cannot load the engine: %s", strerror(errno));
	bpf_map_update_elem(bpf_map__fd(eng->maps.config), &zero, &cfg, BPF_ANY);
	link = bpf_map__attach_struct_ops(eng->maps.vpmu_engine);
	if (!link)
		tap_bail("cannot attach the engine: %s", strerror(errno));

	run(eng, VPMU_POLICY_NESTED, &inst, &cycles);
	tap_check(inst >= 2 * LOOP_N,
		  "NESTED policy: the counter denied at vEL2 counts at vEL1 (%llu)",
		  (unsigned long long)inst);
	tap_check(cycles >= 2 * LOOP_N, "CPU_CYCLES counts throughout (%llu)",
		  (unsigned long long)cycles);
	run(eng, 0, &inst, &cycles);
	TAP_CHECK_EQ(inst, 0,
		     "without the flag KVM keeps the vEL2 verdict at vEL1");
	tap_check(cycles >= 2 * LOOP_N, "CPU_CYCLES still counts (%llu)",
		  (unsigned long long)cycles);

	bpf_link__destroy(link);
	vpmu_engine__destroy(eng);
	return tap_finish();
}
