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
#include "vm_status.h"

struct row {
	struct vpmu_vm_found vm;
	struct vpmu_vm pol;
	bool classified;
	__u64 allowed, denied, would_deny;
	struct vpmu_audit_vm audit;	/* its entries and overflow */
};

struct rows {
	struct row *r;
	size_t n;
};

static struct row *row_of(struct row *rows, size_t n, __u64 id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].vm.vm_id == id)
			return &rows[i];
	return NULL;
}

/* What applies to the VM, and why (vm_status.c). */
static enum vm_status vm_state(struct engine *e, const struct vpmu_config *cfg,
			       const struct row *r, char *reason, size_t len)
{
	struct vpmu_tenant info, dflt;
	struct vm_status_in in = { .default_action = cfg->default_action };

	if (r->classified)
		in.vm = &r->pol;
	if (r->classified && r->pol.policy_id != VPMU_POLICY_PENDING &&
	    !bpf_map_lookup_elem(e->map_fd[EM_TENANTS], &r->pol.policy_id,
				 &info))
		in.tenant = &info;
	if (cfg->default_policy_id &&
	    !bpf_map_lookup_elem(e->map_fd[EM_TENANTS],
				 &cfg->default_policy_id, &dflt)) {
		dflt.name[sizeof(dflt.name) - 1] = 0;
		in.default_tenant = dflt.name;
	}
	return vm_status_of(&in, reason, len);
}

/* Add one audit entry to its VM's row. */
static int add_counts(const struct vpmu_audit_key *k,
		      const struct vpmu_audit_val *v, void *arg)
{
	struct rows *rs = arg;
	struct row *r = row_of(rs->r, rs->n, k->vm_id);

	if (r) {
		r->allowed += v->allowed;
		r->denied += v->denied;
		r->would_deny += v->would_deny;
	}
	return 0;
}

int ctl_vms(struct ctl *c)
{
	struct vpmu_vm_found *found = NULL;
	struct vpmu_config cfg = { 0 };
	struct row *rows;
	struct rows rs;
	struct engine e;
	char tenant[64], shown[1024], reason[512];
	const char *state;
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
	rs.r = rows;
	rs.n = n;
	ctl_audit_walk(&e, add_counts, &rs);
	engine_get_config(&e, &cfg);
	if (c->json)
		printf("[");
	else
		printf("%-6s %-7s %-40s %-16s %-6s %10s %10s %10s %10s  %-12s  %s\n",
		       "VM", "PID", "CGROUP", "TENANT", "POLICY", "ALLOWED",
		       "DENIED", "WOULD-DENY", "OVERFLOW", "STATE", "REASON");
	for (i = 0; i < n; i++) {
		struct row *r = &rows[i];

		path = cgroup_path_of(c->cfg.cgroup_root, r->vm.cgroup_id);
		state = vm_status_name(vm_state(&e, &cfg, r, reason,
						sizeof(reason)));
		if (!r->classified || r->pol.policy_id == VPMU_POLICY_PENDING)
			snprintf(tenant, sizeof(tenant), "(pending)");
		else if (r->pol.flags & VPMU_VM_DEFAULT)
			snprintf(tenant, sizeof(tenant), "(host default)");
		else
			ctl_tenant_name(&e, r->pol.policy_id, tenant,
					sizeof(tenant));
		if (c->json) {
			printf("%s{\"vm_id\":%llu,\"pid\":%d,\"cgroup\":",
			       i ? "," : "", (unsigned long long)r->vm.vm_id,
			       r->vm.tgid);
			ctl_json_str(stdout, path ? path : "");
			printf(",\"tenant\":");
			ctl_json_str(stdout, tenant);
			printf(",\"policy\":%u,\"tie\":%s,\"allowed\":%llu,\"denied\":%llu,\"would_deny\":%llu,\"audit_overflow\":%llu,\"state\":\"%s\",\"reason\":",
			       r->classified && r->pol.policy_id != VPMU_POLICY_PENDING ?
			       r->pol.policy_id : 0,
			       r->pol.flags & VPMU_VM_TIE ? "true" : "false",
			       (unsigned long long)r->allowed,
			       (unsigned long long)r->denied,
			       (unsigned long long)r->would_deny,
			       (unsigned long long)r->audit.overflow, state);
			ctl_json_str(stdout, reason);
			printf("}");
		} else {
			/* Delegates name cgroups: show, do not obey. */
			printf("%-6llu %-7d %-40s %-16s %-6u %10llu %10llu %10llu %10llu  %-12s  %s\n",
			       (unsigned long long)r->vm.vm_id, r->vm.tgid,
			       path ? esc(shown, sizeof(shown), path) : "(gone)",
			       tenant,
			       r->classified && r->pol.policy_id != VPMU_POLICY_PENDING ?
			       r->pol.policy_id : 0,
			       (unsigned long long)r->allowed,
			       (unsigned long long)r->denied,
			       (unsigned long long)r->would_deny,
			       (unsigned long long)r->audit.overflow, state,
			       reason);
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
