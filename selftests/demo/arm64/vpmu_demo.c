// SPDX-License-Identifier: GPL-2.0
/*
 * vpmu_demo: what `make demo` shows.  A guest programs INST_RETIRED,
 * CPU_CYCLES and SW_INCR, runs a loop of known length, and reports its
 * counts; first with no filter, then with the VMM's static filter denying
 * INST_RETIRED, then with an allow-list of CPU_CYCLES only.  Then the host
 * administrator's side: the vpmu-policy engine (BPF) attached, tenant
 * "acme" (VMs started in the cgroup acme.slice) denied INST_RETIRED and
 * SW_INCR whatever the VMM allows, another tenant untouched, and the
 * engine's audit of what each guest got.  The counts are exact (QEMU
 * -icount), so the effect of each filter is plain to see.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../../include/vpmu/maps.h"
#include "../../../include/vpmu/rule.h"
#include "../../../lib/policy_image.h"
#include "../../../lib/policy_maps.h"
#include "../../lib/policy_test.h"
#include "vpmu_engine.skel.h"

#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"

#define LOOP_N	1000000ULL
#define SWINC_N 10ULL

static struct pmu_sample sample;

static void guest_main(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&sample, 0, LOOP_N, SWINC_N);
}

static void run_in(const char *cg, const char *what, int deny_inst,
		   int allow_cycles_only);

/*
 * With the engine attached: vm_policy, and what to classify a new VM as
 * (the daemon's job, done here by hand).  The engine denies everything to
 * a VM until it is classified.
 */
static int vm_policy_fd = -1;
static struct vpmu_vm classify_as;

static void run(const char *what, int deny_inst, int allow_cycles_only)
{
	run_in(NULL, what, deny_inst, allow_cycles_only);
}

static void run_in(const char *cg, const char *what, int deny_inst,
		   int allow_cycles_only)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	struct pmu_sample *s;

	if (cg)
		pt_enter_cgroup(cg);
	vm = kvmt_vm_create();
	if (cg)
		pt_enter_cgroup(PT_CGROUP_ROOT);
	if (!vm)
		kvmt_die("cannot create a KVM VM");
	if (vm_policy_fd >= 0 && classify_as.policy_id != VPMU_POLICY_PENDING)
		pt_classify_pending(vm_policy_fd, classify_as.policy_id,
				    classify_as.flags);
	vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, guest_main, 0);
	if (deny_inst)
		kvmt_pmu_filter(vcpu, PMU_EV_INST_RETIRED, 1,
				KVM_PMU_EVENT_DENY);
	if (allow_cycles_only)
		kvmt_pmu_filter(vcpu, PMU_EV_CPU_CYCLES, 1,
				KVM_PMU_EVENT_ALLOW);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = &KVMT_GUEST(vm, sample);
	printf("demo: %-34s %12llu %12llu %8llu   %s\n", what,
	       (unsigned long long)s->inst, (unsigned long long)s->cycles,
	       (unsigned long long)s->swinc,
	       (s->pmceid0 >> PMU_EV_INST_RETIRED) & 1 ? "yes" : "no");
	kvmt_vm_free(vm);
}

static const char *event_name(__u32 ev)
{
	switch (ev) {
	case PMU_EV_SW_INCR: return "SW_INCR";
	case PMU_EV_INST_RETIRED: return "INST_RETIRED";
	case PMU_EV_CPU_CYCLES: return "CPU_CYCLES";
	}
	return "other";
}

/* The engine's audit map, as `bpftool map dump name audit` shows it. */
static void print_audit(int fd)
{
	struct vpmu_audit_key key, next;
	struct vpmu_audit_val val;
	bool first = true;

	printf("demo: what each guest got, from the engine's audit map\n");
	printf("demo: (the same records: bpftool map dump name audit)\n");
	printf("demo:   %5s  %-12s %7s %7s\n", "VM id", "event", "allowed", "denied");
	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &val) ||
		    !strcmp(event_name(key.event), "other"))
			continue;
		printf("demo:   %5llu  %-12s %7llu %7llu\n",
		       (unsigned long long)key.vm_id, event_name(key.event),
		       (unsigned long long)val.allowed,
		       (unsigned long long)val.denied);
	}
}

/* The engine, with one tenant policy, as vpmu-policyd would set it up. */
static void policy_demo(void)
{
	struct vpmu_rule rules[] = {
		{ .event = PMU_EV_SW_INCR, .space = VPMU_SPACE_ARM64,
		  .action = VPMU_DENY, .kinds = VPMU_KIND_ANY },
		{ .event = PMU_EV_INST_RETIRED, .space = VPMU_SPACE_ARM64,
		  .action = VPMU_DENY, .kinds = VPMU_KIND_ANY },
	};
	struct vpmu_config cfg = { .abi_version = VPMU_ABI_VERSION,
				   .default_policy_id = 2,
				   .default_action = VPMU_DENY,
				   .audit = VPMU_AUDIT_DENIALS,
				   .denials_per_sec = 100 };
	struct vpmu_policy_header h;
	struct vpmu_engine *eng;
	struct bpf_link *link;
	struct vpmu_policy_maps maps;
	__u32 id, zero = 0;
	int fd;

	eng = vpmu_engine__open_and_load();
	if (!eng) {
		printf("demo: cannot load the vpmu-policy engine: %s\n", strerror(errno));
		return;
	}
	bpf_map_update_elem(bpf_map__fd(eng->maps.config), &zero, &cfg, BPF_ANY);
	maps = VPMU_POLICY_MAPS_OF(eng);
	for (id = 1; id <= 2; id++) {
		__u32 nr = id == 1 ? 2 : 0;

		h = vpmu_policy_header(nr, VPMU_ALLOW);
		fd = vpmu_policy_map_create(&h, rules, nr, NULL);
		if (fd < 0) {
			printf("demo: cannot lay out policy %u: %s\n", id,
			       strerror(-fd));
			return;
		}
		vpmu_policy_publish_fd(&maps, id, fd);
		close(fd);
	}
	pt_make_cgroup(PT_CGROUP_ROOT "/acme.slice");
	pt_make_cgroup(PT_CGROUP_ROOT "/other.slice");
	vm_policy_fd = bpf_map__fd(eng->maps.vm_policy);
	link = bpf_map__attach_struct_ops(eng->maps.vpmu_engine);
	if (!link) {
		printf("demo: cannot attach the engine: %s\n", strerror(errno));
		return;
	}
	printf("demo: \n");
	printf("demo: vpmu-policy engine attached (BPF struct_ops kvm_pmu_policy_ops).\n");
	printf("demo: tenant acme (cgroup acme.slice): deny INST_RETIRED, SW_INCR; host default: allow;\n");
	printf("demo: a VM not classified yet (pending) counts nothing\n");
	printf("demo: %-34s %12s %12s %8s   %s\n", "VM (no VMM filter)",
	       "INST_RETIRED", "CPU_CYCLES", "SW_INCR", "PMCEID shows INST_RETIRED");
	classify_as = (struct vpmu_vm){ .policy_id = 1 };
	run_in(PT_CGROUP_ROOT "/acme.slice", "acme.slice", 0, 0);
	classify_as = (struct vpmu_vm){ .policy_id = VPMU_POLICY_NONE,
					.flags = VPMU_VM_DEFAULT };
	run_in(PT_CGROUP_ROOT "/other.slice", "other.slice (host default)", 0, 0);
	classify_as = (struct vpmu_vm){ .policy_id = VPMU_POLICY_PENDING };
	run_in(PT_CGROUP_ROOT "/other.slice", "not classified yet (pending)", 0, 0);
	printf("demo: \n");
	printf("demo: attached policies (/sys/kernel/debug/kvm/pmu_policies):\n");
	fflush(stdout);
	if (system("sed 's/^/demo:   /' /sys/kernel/debug/kvm/pmu_policies"))
		printf("demo:   (not readable)\n");
	print_audit(bpf_map__fd(eng->maps.audit));
	bpf_link__destroy(link);
	vpmu_engine__destroy(eng);
}

int main(void)
{
	printf("demo: guest loop of %llu iterations = %llu instructions; %llu "
	       "PMSWINC writes\n",
	       LOOP_N, (unsigned long long)PMU_LOOP_INSTS(LOOP_N), SWINC_N);
	printf("demo: %-34s %12s %12s %8s   %s\n",
	       "VMM filter (KVM_ARM_VCPU_PMU_V3_FILTER)", "INST_RETIRED",
	       "CPU_CYCLES", "SW_INCR", "PMCEID shows INST_RETIRED");
	run("none", 0, 0);
	run("deny INST_RETIRED", 1, 0);
	run("allow CPU_CYCLES only", 0, 1);
	printf("demo: SW_INCR counts in every case: stock KVM never filters "
	       "it.\n");
	policy_demo();
	return 0;
}
