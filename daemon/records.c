// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's ring buffers: VMs coming and going (lifecycle), and
 * decisions to log (records).  Records written while no daemon ran wait
 * in the pinned buffers and are read at start, after the reconcile that
 * already took those VMs.  A lifecycle record lost to a full buffer (the
 * engine counts it in drops) makes the daemon find the VMs again at once.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "policyd.h"

static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void log_record(struct policyd *d, const struct vpmu_record *r)
{
	const struct vm_entry *v = vms_find(d, r->vm_id);
	const struct tenant *t = tenant_by_id(d, r->policy_id, NULL);
	char event[96];
	const char *name;
	int umask = r->space == VPMU_SPACE_X86_GP ?
		    (int)((r->raw_selector >> 8) & 0xff) : -1;
	struct log_decision ld = {
		.vm_id = r->vm_id,
		.tenant = t ? t->name :
			  r->policy_id == VPMU_POLICY_PENDING ? "(pending)" :
								"(host default)",
		/* What the guest got; else the deny audit mode held back. */
		.action = r->action != VPMU_ALLOW ? "deny" :
			  r->flags & VPMU_REC_F_WOULD_DENY ? "would-deny" :
							     "allow",
		.cgroup = v && vm_cgroup_path(v) ? vm_cgroup_path(v) : "?",
		.vcpu = r->vcpu_id,
		.selector = r->raw_selector,
	};

	if (!ratelimit_ok(&d->denial_log, monotonic_us()))
		return;
	name = vpmu_event_name(d->cfg.target, r->space, r->event, umask);
	if (!name)
		name = vpmu_event_name(d->cfg.target, r->space, r->event, -1);
	if (name)
		snprintf(event, sizeof(event), "%s", name);
	else if (r->space == VPMU_SPACE_X86_FIXED)
		snprintf(event, sizeof(event), "fixed:%u", r->event);
	else
		snprintf(event, sizeof(event), "0x%x", r->event);
	ld.event = event;
	log_decision(r->action == VPMU_ALLOW &&
		     !(r->flags & VPMU_REC_F_WOULD_DENY) ? LOG_INFO : LOG_NOTICE,
		     &ld);
}

int records_handle(void *ctx, void *data, size_t size)
{
	struct policyd *d = ctx;
	const struct vpmu_record *r = data;

	if (size < sizeof(*r))
		return 0;
	switch (r->type) {
	case VPMU_REC_VM_INIT:
		vms_add(d, r->vm_id, r->cgroup_id, r->tgid, NULL, true);
		policyd_publish_state(d);
		break;
	case VPMU_REC_VM_DESTROY:
		if (vms_find(d, r->vm_id))
			log_msg(LOG_INFO, "VM %llu: destroyed",
				(unsigned long long)r->vm_id);
		vms_remove(d, r->vm_id);
		policyd_publish_state(d);
		break;
	case VPMU_REC_DECISION:
		log_record(d, r);
		break;
	}
	return 0;
}

bool records_check_lost(struct policyd *d)
{
	uint64_t now = engine_drops(&d->eng, VPMU_DROP_LIFECYCLE);

	if (now == d->lifecycle_drops)
		return false;
	log_msg(LOG_WARNING,
		"%llu VM lifecycle records lost (ring buffer full): finding the VMs again",
		(unsigned long long)(now - d->lifecycle_drops));
	vms_reconcile(d, 0);	/* takes the new count; finds VMs only */
	policyd_publish_state(d);
	return true;
}
