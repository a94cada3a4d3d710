// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_engine: the policy engine (bpf/vpmu_engine.bpf.c) with its maps
 * filled as vpmu-policyd fills them, on arm64 guests with exact counts.
 *
 * Checked: vm_init writes a PENDING entry before the VM runs, and a VM
 * that is pending or has no entry counts nothing (fail closed); a VM
 * counts by its tenant's policy once classified (the test writes
 * vm_policy as the daemon does), by the host default policy when
 * classified as matching no tenant, and by the host default action when
 * that policy is missing, while a tenant whose policy is missing denies;
 * re-attaching keeps classified entries; swapping a policy's rule map while
 * a guest runs applies from the next slice, whole (both counters of one
 * slice follow the new policy); the audit map counts what the guest got;
 * denials reach the records ring buffer and VM lifecycle the lifecycle
 * one; vm_destroy drops the VM's entry and its audit entries.  A guest
 * programming more distinct events than VPMU_MAX_AUDIT_PER_VM gets no
 * more audit entries (its overflow counts them) and leaves another VM's
 * entries alone, with audit smaller than its flood; a policy in audit
 * mode lets a denied event count exactly and counts it as would-deny
 * (audit entry and record); with the records
 * ring buffer full (nobody reading it), VM creation and destruction still
 * reach the lifecycle one, and the lost decision records are counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../../include/vpmu/maps.h"
#include "../../../include/vpmu/rule.h"
#include "../../../lib/policy_image.h"
#include "../../../lib/policy_maps.h"
#include "../../lib/arm64/kvmt_arm64.h"
#include "../../lib/arm64/pmu_guest.h"
#include "../../lib/guest.h"
#include "../../lib/libbpf_tap.h"
#include "../../lib/policy_test.h"
#include "../../lib/tap.h"
#include "vpmu_engine.skel.h"

#define LOOP_N 20000ULL
#define SLICES 6
#define EXACT PMU_LOOP_INSTS(LOOP_N)
#define CG_X PT_CGROUP_ROOT "/engine-x"
#define CG_Y PT_CGROUP_ROOT "/engine-y"
/*
 * The test's engine has a smaller audit map than the flood's events and a
 * one-page records ring buffer, so that one guest can fill both.
 */
#define TEST_AUDIT_ENTRIES 512
#define FLOOD_EVENTS 600

enum { POL_DENY_INST = 1, POL_ALLOW_ALL = 2, POL_MISSING = 99 };

static struct vpmu_engine *eng;
static struct pmu_sample sample;

static void guest_measure(uint64_t arg)
{
	(void)arg;
	pmu_guest_measure(&sample, 0, LOOP_N, 0);
}

static void guest_slices(uint64_t arg)
{
	(void)arg;
	pmu_guest_count_slices(LOOP_N, SLICES);
}

/* Program FLOOD_EVENTS distinct events, one after another, on counter 0. */
static void guest_flood(uint64_t arg)
{
	uint32_t i;

	(void)arg;
	for (i = 0; i < FLOOD_EVENTS; i++)
		pmu_write_evtyper(0, 0x4000 + i);
}

/* A policy map laid out as the daemon does it: @nr rules (sorted). */
static int new_policy_flags(int dflt, __u8 flags, const struct vpmu_rule *rules,
			    __u32 nr)
{
	struct vpmu_policy_header h = vpmu_policy_header(nr, dflt);
	int fd;

	h.flags = flags;
	fd = vpmu_policy_map_create(&h, rules, nr, NULL);
	if (fd < 0)
		kvmt_die("creating a policy map: %s", strerror(-fd));
	return fd;
}

static int new_policy(int dflt, const struct vpmu_rule *rules, __u32 nr)
{
	return new_policy_flags(dflt, 0, rules, nr);
}

/*
 * The policy maps' size classes exist so that the verifier inlines every
 * array lookup of a decision: none may be left as a call.
 */
static void check_inlined(int prog_fd)
{
	static const char *const calls[] = {
		"array_map_lookup_elem", "array_of_map_lookup_elem",
		" bpf_map_lookup_elem",
	};
	int i, n, total = 0;

	for (i = 0; i < 3; i++) {
		n = pt_xlated_calls(prog_fd, calls[i]);
		if (n < 0) {
			tap_skip("bpftool cannot dump the program", "lookups inlined");
			return;
		}
		total += n;
	}
	TAP_CHECK_EQ(total, 0,
		     "event_filter: every array and policy map lookup is inline code");
}

static struct vpmu_rule deny_arm(__u32 event)
{
	return (struct vpmu_rule){ .event = event, .space = VPMU_SPACE_ARM64,
				   .action = VPMU_DENY,
				   .kinds = VPMU_KIND_ANY };
}

/* Publish policy @id whole, as the daemon does (lib/policy_maps.c). */
static void set_policy(__u32 id, int fd)
{
	struct vpmu_policy_maps m = VPMU_POLICY_MAPS_OF(eng);
	int err = vpmu_policy_publish_fd(&m, id, fd);

	if (err)
		kvmt_die("publishing policy %u: %s", id, strerror(-err));
	close(fd);
}

/*
 * A 300-rule policy (a larger size class than one rule's) denying
 * INST_RETIRED among 299 events nobody counts here.
 */
static int big_policy(void)
{
	static struct vpmu_rule r[300];
	__u32 i;

	/* Sorted by event, as the daemon's compiler sorts them. */
	r[0] = deny_arm(PMU_EV_INST_RETIRED);
	for (i = 1; i < 300; i++)
		r[i] = deny_arm(0x4000 + i);
	return new_policy(VPMU_ALLOW, r, 300);
}

static void set_config_audit(__u32 default_policy, int default_action,
			     __u8 audit, __u32 denials_per_sec)
{
	struct vpmu_config c = {
		.abi_version = VPMU_ABI_VERSION,
		.default_policy_id = default_policy,
		.default_action = default_action,
		.audit = audit,
		.denials_per_sec = denials_per_sec,
	};
	__u32 zero = 0;

	bpf_map_update_elem(bpf_map__fd(eng->maps.config), &zero, &c, BPF_ANY);
}

static void set_config(__u32 default_policy, int default_action)
{
	set_config_audit(default_policy, default_action, VPMU_AUDIT_DENIALS,
			 1000);
}

static void refresh(uint64_t vm_id)
{
	int ret = pt_refresh(bpf_program__fd(eng->progs.vpmu_refresh), vm_id);

	if (ret < 0)
		kvmt_die("refresh: %d", ret);
}

/* Leave a new VM as vm_init left it: pending. */
#define PENDING (-1LL)
/* Classified by the daemon as matching no tenant: the host default. */
#define HOST_DEFAULT (-2LL)
/* No entry at all (vm_policy full, or an entry lost). */
#define NO_ENTRY (-3LL)

static uint64_t newest_vm(uint64_t cg);

/* Write @vm_id's vm_policy entry as the daemon does. */
static void classify(uint64_t vm_id, long long policy)
{
	struct vpmu_vm v = {
		.policy_id = policy == HOST_DEFAULT ? VPMU_POLICY_NONE : policy,
		.flags = policy == HOST_DEFAULT ? VPMU_VM_DEFAULT : 0,
	};

	if (bpf_map_update_elem(bpf_map__fd(eng->maps.vm_policy), &vm_id, &v,
				BPF_ANY))
		kvmt_die("writing vm_policy: %s", strerror(errno));
}

/*
 * A VM created from cgroup @cg (id @cg_id), classified to @policy (or left
 * PENDING) before its vCPU exists; its id in *@vm_id.
 */
static struct kvmt_vm *vm_in(const char *cg, uint64_t cg_id, long long policy,
			     uint64_t *vm_id, struct kvmt_vcpu **vcpu,
			     void (*fn)(uint64_t))
{
	struct kvmt_vm *vm;
	uint64_t id;

	pt_enter_cgroup(cg);
	vm = kvmt_vm_create();
	pt_enter_cgroup(PT_CGROUP_ROOT);
	if (!vm)
		kvmt_die("cannot create a VM");
	id = newest_vm(cg_id);
	if (!id)
		kvmt_die("no vm_init record for the new VM");
	if (policy == NO_ENTRY)
		bpf_map_delete_elem(bpf_map__fd(eng->maps.vm_policy), &id);
	else if (policy != PENDING)
		classify(id, policy);
	if (vm_id)
		*vm_id = id;
	*vcpu = kvmt_vcpu_add(vm, KVMT_VCPU_PMU, fn, 0);
	return vm;
}

/* Measure in a new VM; it is left alive (for its audit) if @keep. */
static struct pmu_sample measure_keep(const char *cg, uint64_t cg_id,
				      long long policy, uint64_t *vm_id,
				      struct kvmt_vm **keep)
{
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm = vm_in(cg, cg_id, policy, vm_id, &vcpu,
				   guest_measure);
	struct pmu_sample s;

	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	s = KVMT_GUEST(vm, sample);
	if (keep)
		*keep = vm;
	else
		kvmt_vm_free(vm);
	return s;
}

static struct pmu_sample measure_in(const char *cg, uint64_t cg_id,
				    long long policy, uint64_t *vm_id)
{
	return measure_keep(cg, cg_id, policy, vm_id, NULL);
}

/* Ring buffer records, collected by consume(). */
#define MAX_RECS 512
static struct vpmu_record recs[MAX_RECS];
static int nr_recs;
static struct ring_buffer *rb;		/* lifecycle */
static struct ring_buffer *rb_dec;	/* records (decisions) */
static bool hold_decisions;		/* leave records unread */

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size >= sizeof(struct vpmu_record) && nr_recs < MAX_RECS)
		memcpy(&recs[nr_recs++], data, sizeof(struct vpmu_record));
	return 0;
}

static void consume(void)
{
	ring_buffer__consume(rb);
	if (!hold_decisions)
		ring_buffer__consume(rb_dec);
}

static __u64 drops_of(__u32 which)
{
	__u64 n = 0;

	bpf_map_lookup_elem(bpf_map__fd(eng->maps.drops), &which, &n);
	return n;
}

/*
 * The next audit entry of @vm after *@prev (NULL: the first) into @k and
 * @v; *@prev then points at @k.  False when there is none.
 */
static bool audit_next(uint64_t vm, struct vpmu_audit_key **prev,
		       struct vpmu_audit_key *k, struct vpmu_audit_val *v)
{
	int fd = bpf_map__fd(eng->maps.audit);
	struct vpmu_audit_key next;

	while (!bpf_map_get_next_key(fd, *prev, &next)) {
		*k = next;
		*prev = k;
		if (k->vm_id == vm && !bpf_map_lookup_elem(fd, k, v))
			return true;
	}
	return false;
}

/* @vm's audit entries, counted by walking audit; their sum in *@sum. */
static int audit_entries_of(uint64_t vm, __u64 *sum)
{
	struct vpmu_audit_key k, *prev = NULL;
	struct vpmu_audit_val v;
	int n = 0;

	if (sum)
		*sum = 0;
	while (audit_next(vm, &prev, &k, &v)) {
		n++;
		if (sum)
			*sum += v.allowed + v.denied;
	}
	return n;
}

static bool audit_vm_of(uint64_t vm, struct vpmu_audit_vm *out)
{
	memset(out, 0, sizeof(*out));
	return !bpf_map_lookup_elem(bpf_map__fd(eng->maps.audit_vms), &vm, out);
}

static bool has_record(__u32 type, uint64_t vm)
{
	int i;

	for (i = 0; i < nr_recs; i++)
		if (recs[i].type == type && recs[i].vm_id == vm)
			return true;
	return false;
}

/*
 * A guest programming FLOOD_EVENTS distinct events (more than its cap and
 * than audit holds), with every decision sent as a record and the records
 * ring buffer left unread, while another VM's audit entries exist.
 */
static void flood(uint64_t cg_x, uint64_t cg_y)
{
	struct kvmt_vm *keeper, *flooder, *late;
	struct kvmt_vcpu *vcpu;
	__u64 before_sum, after_sum, lost_before;
	uint64_t vm_k, vm_f, vm_l;
	struct vpmu_audit_vm av;
	int before, after, n;

	measure_keep(CG_X, cg_x, POL_DENY_INST, &vm_k, &keeper);
	before = audit_entries_of(vm_k, &before_sum);
	/* Every decision a record, none held back by the rate limit. */
	set_config_audit(POL_ALLOW_ALL, VPMU_DENY, VPMU_AUDIT_ALL, 1000000);
	consume();
	hold_decisions = true;
	lost_before = drops_of(VPMU_DROP_RECORDS);

	flooder = vm_in(CG_Y, cg_y, HOST_DEFAULT, &vm_f, &vcpu, guest_flood);
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	after = audit_entries_of(vm_k, &after_sum);
	tap_check(before == 3 && after == before && after_sum == before_sum,
		  "a VM flooding %d events leaves another VM's audit entries intact (%d -> %d entries, %llu -> %llu decisions)",
		  FLOOD_EVENTS, before, after, (unsigned long long)before_sum,
		  (unsigned long long)after_sum);
	n = audit_entries_of(vm_f, NULL);
	audit_vm_of(vm_f, &av);
	tap_check(n == VPMU_MAX_AUDIT_PER_VM && av.entries == (__u32)n,
		  "the flooding VM has at most its %d audit entries (%d, audit_vms says %u)",
		  VPMU_MAX_AUDIT_PER_VM, n, av.entries);
	tap_check(av.overflow >= FLOOD_EVENTS - VPMU_MAX_AUDIT_PER_VM,
		  "the decisions past its cap are counted as its overflow (%llu)",
		  (unsigned long long)av.overflow);
	tap_check(drops_of(VPMU_DROP_RECORDS) > lost_before,
		  "with the records ring buffer full, lost decision records are counted (%llu)",
		  (unsigned long long)(drops_of(VPMU_DROP_RECORDS) - lost_before));

	/* Records still full: a VM created and destroyed is still seen. */
	pt_enter_cgroup(CG_Y);
	late = kvmt_vm_create();
	pt_enter_cgroup(PT_CGROUP_ROOT);
	if (!late)
		kvmt_die("cannot create a VM");
	vm_l = newest_vm(cg_y);
	tap_check(vm_l > vm_f,
		  "with the records ring buffer full, VM_INIT arrives on the lifecycle ring buffer");
	kvmt_vm_free(flooder);
	kvmt_vm_free(late);
	consume();
	tap_check(has_record(VPMU_REC_VM_DESTROY, vm_f) && vm_l &&
		  has_record(VPMU_REC_VM_DESTROY, vm_l) &&
		  drops_of(VPMU_DROP_LIFECYCLE) == 0,
		  "and VM_DESTROY too, none lost (%llu lifecycle drops)",
		  (unsigned long long)drops_of(VPMU_DROP_LIFECYCLE));
	tap_check(audit_entries_of(vm_f, NULL) == 0 && !audit_vm_of(vm_f, &av),
		  "vm_destroy deleted the flooding VM's audit entries and its count");
	hold_decisions = false;
	consume();
	kvmt_vm_free(keeper);
	tap_check(audit_entries_of(vm_k, NULL) == 0 && !audit_vm_of(vm_k, &av),
		  "and the other VM's, once it is destroyed");
	set_config(POL_ALLOW_ALL, VPMU_DENY);
}

/*
 * KVM creates a perf event, and so asks the policies (where stock KVM
 * asks its static filter), for every counter a PMCR write resets, also
 * for counters the guest never programmed: their PMEVTYPER holds KVM's
 * reset-unknown pattern, 0x1de7ec7edbadc0de, event 0xc0de.
 */
#define KVM_RESET_UNKNOWN_EVENT 0xc0de

/*
 * The audit entries of @vm are the events its guest programmed
 * (pmu_guest_measure(): INST_RETIRED, CPU_CYCLES on an event counter and
 * on the cycle counter; SW_INCR is decided only when the guest
 * increments, and it does not here), each on the side it got under a
 * policy denying INST_RETIRED only, and KVM's reset value of the others.
 */
static void check_audit_of(uint64_t vm)
{
	struct vpmu_audit_key k, *prev = NULL;
	struct vpmu_audit_val v;
	int n = 0, wrong = 0;
	bool bad;

	while (audit_next(vm, &prev, &k, &v)) {
		n++;
		if (k.space != VPMU_SPACE_ARM64)
			bad = true;
		else if (k.event == PMU_EV_INST_RETIRED)
			bad = !v.denied || v.allowed;
		else if (k.event == PMU_EV_CPU_CYCLES ||
			 k.event == KVM_RESET_UNKNOWN_EVENT)
			bad = !v.allowed || v.denied;
		else
			bad = true;
		wrong += bad;
		if (bad)
			tap_diag("  event 0x%x space %u: %llu allowed, %llu denied",
				 k.event, k.space, (unsigned long long)v.allowed,
				 (unsigned long long)v.denied);
	}
	tap_check(n == 3 && !wrong,
		  "audit of X's VM: INST_RETIRED denied, CPU_CYCLES allowed, unprogrammed counters' reset value allowed, nothing else (%d entries)",
		  n);
}

/* The id of the newest VM created from cgroup @cg, from VM_INIT records. */
static uint64_t newest_vm(uint64_t cg)
{
	uint64_t id = 0;
	int i;

	consume();
	for (i = 0; i < nr_recs; i++)
		if (recs[i].type == VPMU_REC_VM_INIT && recs[i].cgroup_id == cg &&
		    recs[i].tgid == getpid() && recs[i].vm_id > id)
			id = recs[i].vm_id;
	return id;
}

struct deltas {
	uint64_t inst, cycles;
};

static struct deltas slice(struct kvmt_vcpu *vcpu, struct deltas *last)
{
	struct kvmt_ucall uc = kvmt_vcpu_run_expect(vcpu, UCALL_SYNC);
	struct deltas d = { uc.args[1] - last->inst, uc.args[2] - last->cycles };

	last->inst = uc.args[1];
	last->cycles = uc.args[2];
	return d;
}

/* Run one slice and check it counted exactly @inst and @cycles. */
static void expect_slice(struct kvmt_vcpu *vcpu, struct deltas *last,
			 uint64_t inst, uint64_t cycles, const char *what)
{
	struct deltas d = slice(vcpu, last);

	tap_check(d.inst == inst && d.cycles == cycles,
		  "%s (inst %llu, cycles %llu)", what,
		  (unsigned long long)d.inst, (unsigned long long)d.cycles);
}

int main(void)
{
	struct vpmu_rule deny_inst = deny_arm(PMU_EV_INST_RETIRED);
	struct vpmu_rule deny_cycles = deny_arm(PMU_EV_CPU_CYCLES);
	struct deltas last = { 0, 0 };
	struct vpmu_audit_val av = { 0 };
	struct vpmu_audit_key ak = { 0 };
	uint64_t cg_x, cg_y, vm_x, vm_y;
	struct pmu_sample x, y;
	struct vpmu_vm vmv = { .policy_id = POL_DENY_INST };
	struct kvmt_vcpu *vcpu;
	struct bpf_link *link;
	struct kvmt_vm *vm;
	int i, denials = 0;

	vm = kvmt_vm_create();
	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	kvmt_vm_free(vm);
	tap_libbpf_quiet();
	tap_plan(40);

	eng = vpmu_engine__open();
	if (!eng)
		tap_bail("cannot open the engine: %s", strerror(errno));
	bpf_map__set_max_entries(eng->maps.audit, TEST_AUDIT_ENTRIES);
	bpf_map__set_max_entries(eng->maps.records, sysconf(_SC_PAGESIZE));
	if (!tap_check(!vpmu_engine__load(eng), "the verifier accepts the engine"))
		tap_bail("cannot load the engine: %s", strerror(errno));
	check_inlined(bpf_program__fd(eng->progs.vpmu_event_filter));
	rb = ring_buffer__new(bpf_map__fd(eng->maps.lifecycle), on_record, NULL,
			      NULL);
	rb_dec = ring_buffer__new(bpf_map__fd(eng->maps.records), on_record,
				  NULL, NULL);
	cg_x = pt_make_cgroup(CG_X);
	cg_y = pt_make_cgroup(CG_Y);
	set_config(POL_ALLOW_ALL, VPMU_DENY);
	set_policy(POL_DENY_INST, new_policy(VPMU_ALLOW, &deny_inst, 1));
	set_policy(POL_ALLOW_ALL, new_policy(VPMU_ALLOW, NULL, 0));
	link = bpf_map__attach_struct_ops(eng->maps.vpmu_engine);
	if (!tap_check(link != NULL, "the engine attaches"))
		tap_bail("cannot attach: %s", strerror(errno));

	/* Pending until classified: nothing counts. */
	{
		struct kvmt_vcpu *pv;
		struct vpmu_vm pe;

		vm = vm_in(CG_Y, cg_y, PENDING, &vm_y, &pv, guest_measure);
		tap_check(!bpf_map_lookup_elem(bpf_map__fd(eng->maps.vm_policy),
					       &vm_y, &pe) &&
			  pe.policy_id == VPMU_POLICY_PENDING && pe.cgroup_id == cg_y,
			  "vm_init wrote a PENDING entry before the VM ran");
		kvmt_vm_free(vm);
	}
	y = measure_in(CG_Y, cg_y, PENDING, NULL);
	tap_check(y.inst == 0 && y.cycles == 0,
		  "a pending VM counts nothing, whatever the host default (%llu, %llu)",
		  (unsigned long long)y.inst, (unsigned long long)y.cycles);
	y = measure_in(CG_Y, cg_y, NO_ENTRY, NULL);
	tap_check(y.inst == 0 && y.cycles == 0,
		  "a VM with no entry at all counts nothing (%llu, %llu)",
		  (unsigned long long)y.inst, (unsigned long long)y.cycles);

	/* Classified: by tenant, or as matching none (host default). */
	x = measure_keep(CG_X, cg_x, POL_DENY_INST, &vm_x, &vm);
	y = measure_in(CG_Y, cg_y, HOST_DEFAULT, NULL);
	tap_check(x.inst == 0 && x.cycles == EXACT,
		  "X's tenant policy denies INST_RETIRED only (%llu, %llu)",
		  (unsigned long long)x.inst, (unsigned long long)x.cycles);
	tap_check(y.inst == EXACT && y.cycles == EXACT,
		  "a VM that matched no tenant gets the host default policy (allow all)");
	tap_check(vm_x != 0, "vm_init reached the ring buffer with the VM's cgroup");

	/* Audit: what the guest got, per VM and event. */
	ak.vm_id = vm_x;
	ak.event = PMU_EV_INST_RETIRED;
	ak.space = VPMU_SPACE_ARM64;
	bpf_map_lookup_elem(bpf_map__fd(eng->maps.audit), &ak, &av);
	tap_check(av.denied > 0 && av.allowed == 0,
		  "audit counts X's INST_RETIRED as denied (%llu denied, %llu allowed)",
		  (unsigned long long)av.denied, (unsigned long long)av.allowed);
	check_audit_of(vm_x);
	{
		struct vpmu_audit_vm avm;

		audit_vm_of(vm_x, &avm);
		TAP_CHECK_EQ(avm.entries, 3,
			     "audit_vms counts X's VM's audit entries");
	}
	kvmt_vm_free(vm);
	tap_check(audit_entries_of(vm_x, NULL) == 0,
		  "vm_destroy deleted X's VM's audit entries");
	consume();
	for (i = 0; i < nr_recs; i++)
		if (recs[i].type == VPMU_REC_DECISION && recs[i].vm_id == vm_x &&
		    recs[i].event == PMU_EV_INST_RETIRED &&
		    recs[i].action == VPMU_DENY)
			denials++;
	tap_check(denials > 0, "the denial reached the ring buffer (%d records)",
		  denials);

	/* A new classification applies from the next slice. */
	vm = vm_in(CG_Y, cg_y, HOST_DEFAULT, &vm_y, &vcpu, guest_slices);
	expect_slice(vcpu, &last, EXACT, EXACT, "slice 0: Y counts");
	bpf_map_update_elem(bpf_map__fd(eng->maps.vm_policy), &vm_y, &vmv, BPF_ANY);
	refresh(vm_y);
	expect_slice(vcpu, &last, 0, EXACT,
		     "slice 1: the VM's new entry applies");

	/* Swap the policy's rules whole while the guest runs. */
	set_policy(POL_DENY_INST, new_policy(VPMU_ALLOW, &deny_cycles, 1));
	refresh(vm_y);
	expect_slice(vcpu, &last, EXACT, 0,
		     "slice 2: the swapped policy applies whole");
	expect_slice(vcpu, &last, EXACT, 0, "slice 3: and stays");
	/*
	 * Into a larger size class and back, between slices: each slice
	 * counts under exactly one version, and a lost policy would show
	 * as the host default (deny both).
	 */
	set_policy(POL_DENY_INST, big_policy());
	refresh(vm_y);
	expect_slice(vcpu, &last, 0, EXACT,
		     "slice 4: moved to a 300-rule policy (another class), whole");
	set_policy(POL_DENY_INST, new_policy(VPMU_ALLOW, &deny_cycles, 1));
	refresh(vm_y);
	expect_slice(vcpu, &last, EXACT, 0,
		     "slice 5: and back to one rule, whole");
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	kvmt_vm_free(vm);
	tap_check(bpf_map_lookup_elem(bpf_map__fd(eng->maps.vm_policy), &vm_y,
				      &vmv) && errno == ENOENT,
		  "vm_destroy dropped the VM's entry");
	consume();
	for (i = 0, denials = 0; i < nr_recs; i++)
		denials += recs[i].type == VPMU_REC_VM_DESTROY &&
			   recs[i].vm_id == vm_y;
	tap_check(denials == 1, "vm_destroy reached the ring buffer");

	/* Scale: 10,000 policies loaded; a VM still gets exactly its own. */
	for (i = 0; i < 10000; i++)
		set_policy(1000 + i, new_policy(VPMU_ALLOW, i % 2 ? &deny_inst :
							  &deny_cycles, 1));
	y = measure_in(CG_Y, cg_y, 1000 + 9999, NULL);
	tap_check(y.inst == 0 && y.cycles == EXACT,
		  "with 10,000 policies loaded, policy 10999 decides (%llu, %llu)",
		  (unsigned long long)y.inst, (unsigned long long)y.cycles);

	/* A policy's own audit level overrides the host's. */
	{
		struct vpmu_audit_val none = { 0 };
		uint64_t vm_q;

		set_policy(7, new_policy_flags(VPMU_ALLOW,
					       VPMU_POLICY_AUDIT(VPMU_AUDIT_NONE),
					       NULL, 0));
		measure_keep(CG_Y, cg_y, 7, &vm_q, &vm);
		ak.vm_id = vm_q;
		ak.event = PMU_EV_CPU_CYCLES;
		tap_check(vm_q && bpf_map_lookup_elem(bpf_map__fd(eng->maps.audit),
						      &ak, &none) && errno == ENOENT,
			  "a policy with audit none leaves no audit record");
		kvmt_vm_free(vm);
	}

	/*
	 * Audit mode: the policy's deny is counted as would-deny and the
	 * guest counts as if allowed, even with the host's audit level
	 * "none"; what the policy allows is no would-deny.
	 */
	{
		struct vpmu_audit_val wv = { 0 };
		uint64_t vm_w;
		int would = 0;

		set_config_audit(POL_ALLOW_ALL, VPMU_DENY, VPMU_AUDIT_NONE, 1000);
		set_policy(8, new_policy_flags(VPMU_ALLOW, VPMU_POLICY_MODE_AUDIT,
					       &deny_inst, 1));
		y = measure_keep(CG_Y, cg_y, 8, &vm_w, &vm);
		tap_check(y.inst == EXACT && y.cycles == EXACT,
			  "audit mode: the denied INST_RETIRED counts exactly as if allowed (%llu, %llu)",
			  (unsigned long long)y.inst, (unsigned long long)y.cycles);
		ak.vm_id = vm_w;
		ak.event = PMU_EV_INST_RETIRED;
		ak.space = VPMU_SPACE_ARM64;
		bpf_map_lookup_elem(bpf_map__fd(eng->maps.audit), &ak, &wv);
		tap_check(wv.would_deny > 0 && wv.allowed == wv.would_deny &&
			  !wv.denied,
			  "audit mode counts INST_RETIRED as would-deny, with the host's audit none (%llu would-deny, %llu allowed, %llu denied)",
			  (unsigned long long)wv.would_deny,
			  (unsigned long long)wv.allowed,
			  (unsigned long long)wv.denied);
		ak.event = PMU_EV_CPU_CYCLES;
		memset(&wv, 0, sizeof(wv));
		bpf_map_lookup_elem(bpf_map__fd(eng->maps.audit), &ak, &wv);
		tap_check(wv.allowed > 0 && !wv.would_deny && !wv.denied,
			  "audit mode: CPU_CYCLES, which the policy allows, is no would-deny");
		kvmt_vm_free(vm);
		consume();
		for (i = 0; i < nr_recs; i++)
			would += recs[i].type == VPMU_REC_DECISION &&
				 recs[i].vm_id == vm_w &&
				 recs[i].event == PMU_EV_INST_RETIRED &&
				 recs[i].action == VPMU_ALLOW &&
				 (recs[i].flags & VPMU_REC_F_WOULD_DENY);
		tap_check(would > 0,
			  "a would-deny record (allowed, flagged) reaches the ring buffer (%d)",
			  would);
		set_config(POL_ALLOW_ALL, VPMU_DENY);
	}

	/* Re-attaching announces existing VMs: their entries stay. */
	{
		struct kvmt_vcpu *pv;
		struct vpmu_vm pe = { 0 };

		vm = vm_in(CG_Y, cg_y, POL_DENY_INST, &vm_y, &pv, guest_measure);
		bpf_link__destroy(link);
		link = bpf_map__attach_struct_ops(eng->maps.vpmu_engine);
		if (!link)
			tap_bail("cannot re-attach: %s", strerror(errno));
		bpf_map_lookup_elem(bpf_map__fd(eng->maps.vm_policy), &vm_y, &pe);
		TAP_CHECK_EQ(pe.policy_id, POL_DENY_INST,
			     "re-attaching keeps a classified VM's entry (vm_init does not overwrite)");
		kvmt_vm_free(vm);
	}

	/* One guest cannot take the others' audit or lifecycle records. */
	flood(cg_x, cg_y);

	/* Fail closed: a tenant's missing policy denies, whatever the host. */
	set_config(POL_ALLOW_ALL, VPMU_ALLOW);
	y = measure_in(CG_Y, cg_y, POL_MISSING, NULL);
	tap_check(y.inst == 0 && y.cycles == 0,
		  "a tenant whose policy is missing counts nothing, even with a host default action of allow");
	/* The host default policy is missing: the host default action. */
	set_config(POL_MISSING, VPMU_DENY);
	y = measure_in(CG_Y, cg_y, HOST_DEFAULT, NULL);
	tap_check(y.inst == 0 && y.cycles == 0,
		  "host default without its policy: a default action of deny denies everything");
	set_config(POL_MISSING, VPMU_ALLOW);
	y = measure_in(CG_Y, cg_y, HOST_DEFAULT, NULL);
	tap_check(y.inst == EXACT && y.cycles == EXACT,
		  "a host default action of allow is honoured");

	bpf_link__destroy(link);
	ring_buffer__free(rb);
	ring_buffer__free(rb_dec);
	vpmu_engine__destroy(eng);
	return tap_finish();
}
