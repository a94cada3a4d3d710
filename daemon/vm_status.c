// SPDX-License-Identifier: GPL-2.0
/* A VM's state and its reason (vm_status.h). */
#include <stdbool.h>
#include <stdio.h>

#include "vm_status.h"

const char *vm_status_name(enum vm_status s)
{
	switch (s) {
	case VM_PENDING: return "pending";
	case VM_HOST_DEFAULT: return "host-default";
	case VM_ENFORCED: return "enforced";
	case VM_AUDIT: return "audit";
	case VM_DEGRADED: return "degraded";
	}
	return "?";
}

const char *vm_reason_text(uint32_t reason)
{
	switch (reason) {
	case VPMU_REASON_NEW:
		return "not classified by the daemon yet";
	case VPMU_REASON_CGROUP_UNKNOWN:
		return "its cgroup cannot be resolved";
	case VPMU_REASON_CGROUP_GONE:
		return "its cgroup was removed while it was being read";
	case VPMU_REASON_TENANT_UNKNOWN:
		return "a tenant file is rejected with no good version: that tenant may be this VM's";
	case VPMU_REASON_UNPUBLISHED:
		return "its tenant has no published policy";
	}
	return "unknown reason";
}

enum vm_status vm_status_of(const struct vm_status_in *in, char *reason,
			    size_t len)
{
	const struct vpmu_vm *vm = in->vm;
	const struct vpmu_tenant *t = in->tenant;
	const char *tie;
	bool audit;

	if (!vm) {
		snprintf(reason, len, "no vm_policy entry (the map was full, or the VM predates the engine)");
		return VM_PENDING;
	}
	if (vm->policy_id == VPMU_POLICY_PENDING) {
		snprintf(reason, len, "%s", vm_reason_text(vm->reason));
		return VM_PENDING;
	}
	if (vm->flags & VPMU_VM_DEFAULT) {
		if (in->default_tenant)
			snprintf(reason, len, "matched no tenant: host default tenant %.*s",
				 VPMU_TENANT_NAME_MAX, in->default_tenant);
		else
			snprintf(reason, len, "matched no tenant: host default action %s",
				 in->default_action == VPMU_ALLOW ? "allow" : "deny");
		return VM_HOST_DEFAULT;
	}
	if (!t) {
		/* The engine denies for a tenant policy it cannot find. */
		snprintf(reason, len, "policy %u has no tenant: every event denied",
			 vm->policy_id);
		return VM_DEGRADED;
	}
	audit = t->flags & VPMU_POLICY_MODE_AUDIT;
	tie = vm->flags & VPMU_VM_TIE ?
	      "; several tenants matched with equal precedence" : "";
	if (t->state & VPMU_TENANT_DEGRADED) {
		snprintf(reason, len, "tenant %.*s: %s; its last good version%s is in force%s",
			 VPMU_TENANT_NAME_MAX, t->name,
			 t->state & VPMU_TENANT_REJECTED ? "its file is rejected" :
			 "its new version is not published yet (retried)",
			 audit ? " (audit mode)" : "", tie);
		return VM_DEGRADED;
	}
	if (audit) {
		snprintf(reason, len, "tenant %.*s in audit mode: its denials are counted as would-deny, not applied%s",
			 VPMU_TENANT_NAME_MAX, t->name, tie);
		return VM_AUDIT;
	}
	snprintf(reason, len, "tenant %.*s, generation %u%s",
		 VPMU_TENANT_NAME_MAX, t->name, t->generation, tie);
	return VM_ENFORCED;
}
