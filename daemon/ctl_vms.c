// SPDX-License-Identifier: GPL-2.0
/* vpmuctl vms: every VM, its tenant and what its guest was allowed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "ctl.h"
#include "esc.h"
#include "metrics_engine.h"

struct row {
	struct vpmu_vm_found vm;
	struct vpmu_vm pol;
	bool classified;
	__u64 allowed, denied;
	struct vpmu_audit_vm audit;	/* its entries and overflow */
};

static struct row *row_of(struct row *rows, size_t n, __u64 id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].vm.vm_id == id)
			return &rows[i];
	return NULL;
}

/* What applies to the VM (metrics_engine.c, as its metrics say). */
static const char *vm_state(const struct engine *e, const struct row *r)
{
	return vm_state_name(e, &r->pol, r->classified);
}

int ctl_vms(struct ctl *c)
{
	struct vpmu_vm_found *found = NULL;
	struct vpmu_audit_key ak, *aprev = NULL, anext;
	struct vpmu_audit_val av;
	struct row *rows;
	struct engine e;
	char tenant[64], shown[1024];
	char *path;
	int n, i;

	if (ctl_open_engine(c, &e))
		return 1;
	n = engine_find_vms(&found);
	if (n < 0) {
		fprintf(stderr, "vpmuctl: finding VMs: %s\n", strerror(-n));
		engine_close(&e);
		return 1;
	}
	rows = calloc(n + 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		rows[i].vm = found[i];
		rows[i].classified = !bpf_map_lookup_elem(e.map_fd[EM_VM_POLICY],
							  &found[i].vm_id,
							  &rows[i].pol);
		bpf_map_lookup_elem(e.map_fd[EM_AUDIT_VMS], &found[i].vm_id,
				    &rows[i].audit);
	}
	while (!bpf_map_get_next_key(e.map_fd[EM_AUDIT], aprev, &anext)) {
		struct row *r;

		ak = anext;
		aprev = &ak;
		if (bpf_map_lookup_elem(e.map_fd[EM_AUDIT], &ak, &av))
			continue;
		r = row_of(rows, n, ak.vm_id);
		if (r) {
			r->allowed += av.allowed;
			r->denied += av.denied;
		}
	}
	if (c->json)
		printf("[");
	else
		printf("%-6s %-7s %-40s %-16s %-6s %10s %10s %10s  %s\n", "VM",
		       "PID", "CGROUP", "TENANT", "POLICY", "ALLOWED", "DENIED",
		       "OVERFLOW", "STATE");
	for (i = 0; i < n; i++) {
		struct row *r = &rows[i];

		path = cgroup_path_of(c->cfg.cgroup_root, r->vm.cgroup_id);
		vm_tenant_label(&e, &r->pol, r->classified, tenant,
				sizeof(tenant));
		if (c->json) {
			printf("%s{\"vm_id\":%llu,\"pid\":%d,\"cgroup\":",
			       i ? "," : "", (unsigned long long)r->vm.vm_id,
			       r->vm.tgid);
			ctl_json_str(stdout, path ? path : "");
			printf(",\"tenant\":");
			ctl_json_str(stdout, tenant);
			printf(",\"policy\":%u,\"tie\":%s,\"allowed\":%llu,\"denied\":%llu,\"audit_overflow\":%llu,\"state\":\"%s\"}",
			       r->classified && r->pol.policy_id != VPMU_POLICY_PENDING ?
			       r->pol.policy_id : 0,
			       r->pol.flags & VPMU_VM_TIE ? "true" : "false",
			       (unsigned long long)r->allowed,
			       (unsigned long long)r->denied,
			       (unsigned long long)r->audit.overflow, vm_state(&e, r));
		} else {
			/* Delegates name cgroups: show, do not obey. */
			printf("%-6llu %-7d %-40s %-16s %-6u %10llu %10llu %10llu  %s\n",
			       (unsigned long long)r->vm.vm_id, r->vm.tgid,
			       path ? esc(shown, sizeof(shown), path) : "(gone)",
			       tenant,
			       r->classified && r->pol.policy_id != VPMU_POLICY_PENDING ?
			       r->pol.policy_id : 0,
			       (unsigned long long)r->allowed,
			       (unsigned long long)r->denied,
			       (unsigned long long)r->audit.overflow, vm_state(&e, r));
		}
		free(path);
	}
	if (c->json)
		printf("]\n");
	free(rows);
	free(found);
	engine_close(&e);
	return 0;
}
