// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_btf: the kvm_pmu_policy_ops type that the running kernel
 * registers has exactly the members its documentation describes, and its
 * CFI stubs carry the names BPF tooling expects (<type>__<op>).
 *
 * RFC v1 also had pmu_load() and pmu_put(), whose documented meaning the
 * code did not implement (never called for x86's perf-based vPMU, not
 * re-run on arm64 when policies changed, a stale mask surviving a detach)
 * and which ran BPF from the scheduler and from x86 VM entry with IRQs
 * off, and nested_reprogram(), which ran BPF on every nested transition.
 * v2 drops all three (a verdict flag, KVM_PMU_POLICY_MODE_SENSITIVE,
 * replaces the last); this test fails on a kernel that still has them.
 * On x86 the type lives in kvm.ko's BTF, on arm64 in vmlinux's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../lib/libbpf_tap.h"
#include "../lib/tap.h"

static const char *const want[] = {
	"event_filter", "vm_init", "vm_destroy", "cgroup_id", "name",
};
#define NR_WANT (sizeof(want) / sizeof(want[0]))

/* The BTF that holds kvm_pmu_policy_ops, and its type id there. */
static struct btf *find_type(struct btf *vmlinux, __s32 *id)
{
	struct btf *kvm;

	*id = btf__find_by_name_kind(vmlinux, "kvm_pmu_policy_ops", BTF_KIND_STRUCT);
	if (*id > 0)
		return vmlinux;
	kvm = btf__load_module_btf("kvm", vmlinux);
	if (!kvm)
		return NULL;
	*id = btf__find_by_name_kind(kvm, "kvm_pmu_policy_ops", BTF_KIND_STRUCT);
	return *id > 0 ? kvm : NULL;
}

/* Whether /proc/kallsyms has a symbol named exactly @name. */
static int have_symbol(const char *name)
{
	char line[512], sym[256];
	FILE *f = fopen("/proc/kallsyms", "r");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", sym) == 1 && !strcmp(sym, name);
	fclose(f);
	return found;
}

int main(void)
{
	const struct btf_member *m;
	const struct btf_type *t;
	struct btf *vmlinux, *btf;
	char got[512] = "";
	unsigned int i, j;
	__s32 id;
	int ok;

	tap_libbpf_quiet();
	tap_plan(4);
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		tap_bail("no kernel BTF: %s", strerror(errno));
	btf = find_type(vmlinux, &id);
	if (!tap_check(btf != NULL, "the kernel's BTF has struct kvm_pmu_policy_ops"))
		tap_bail("no kvm_pmu_policy_ops type");
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", btf__name_by_offset(btf, m[i].name_off));
	}
	ok = btf_vlen(t) == NR_WANT;
	for (j = 0; ok && j < NR_WANT; j++)
		ok = !strcmp(btf__name_by_offset(btf, m[j].name_off), want[j]);
	tap_check(ok, "its members are exactly event_filter, vm_init, vm_destroy, cgroup_id, name (got: %s)",
		  got);
	tap_check(!strstr(got, "pmu_load") && !strstr(got, "pmu_put") &&
		  !strstr(got, "nested_reprogram"),
		  "no pmu_load, pmu_put or nested_reprogram op: no BPF from vcpu_load/vcpu_put, VM entry or nested transitions");
	ok = have_symbol("kvm_pmu_policy_ops__event_filter");
	if (ok < 0)
		tap_skip("no /proc/kallsyms in this kernel", "CFI stubs are named kvm_pmu_policy_ops__<op>");
	else
		tap_check(ok && have_symbol("kvm_pmu_policy_ops__vm_init") == 1,
			  "CFI stubs are named kvm_pmu_policy_ops__<op>");
	if (btf != vmlinux)
		btf__free(btf);
	btf__free(vmlinux);
	return tap_finish();
}
