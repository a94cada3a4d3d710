// SPDX-License-Identifier: GPL-2.0
/*
 * The VMs the daemon knows: found at start by the vpmu_vms iterator,
 * learnt from the engine's vm_init records afterwards, classified by
 * their cgroup's metadata, and written to vm_policy.
 *
 * Until the daemon classifies a VM, its vm_policy entry is PENDING (the
 * engine's vm_init wrote it) or missing, and the engine denies every
 * event of it.  The daemon writes a tenant's policy id, or "host default"
 * for a VM that matched no tenant, and only when it knows: a VM whose
 * cgroup cannot be resolved (gone, or never found) or whose tenant has no
 * published policy stays PENDING.  The VMs are found again as soon as a
 * lifecycle record was lost to a full ring buffer (records.c), and every
 * VMS_RESCAN_SEC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "esc.h"
#include "match.h"
#include "policyd.h"

const struct vm_entry *vms_find(const struct policyd *d, uint64_t vm_id)
{
	size_t i;

	for (i = 0; i < d->nvms; i++)
		if (d->vms[i].vm_id == vm_id)
			return &d->vms[i];
	return NULL;
}

/* Decide @v's policy; write it if it changed.  True if it changed. */
static bool classify(struct policyd *d, struct vm_entry *v,
		     struct tenant **ts, size_t nts)
{
	struct vpmu_vm val = { .cgroup_id = v->cgroup_id, .tgid = v->tgid };
	struct tenant *t = NULL;
	struct vm_meta meta;
	const char *why = NULL;
	bool tie = false;
	char cg[1024];

	/* The tenant set is unknown (tenants.d unreadable): keep entries. */
	if (d->frozen)
		return false;
	/*
	 * A rejected file with no good version: its tenant is unknown and
	 * could claim any VM, over any other tenant.  Classified VMs keep
	 * their entries; new ones stay pending until it is known.
	 */
	if (d->unknown_tenants && v->policy_id != (uint32_t)-1 &&
	    v->policy_id != VPMU_POLICY_PENDING)
		return false;
	if (!v->path)
		v->path = cgroup_path_of(d->cfg.cgroup_root, v->cgroup_id);
	if (v->path) {
		vm_meta_init(&meta, d->cfg.cgroup_root, d->cfg.machines_dir,
			     strdup(v->path));
		t = match_pick(ts, nts, &meta, &tie);
		vm_meta_free(&meta);
	}
	if (!v->path) {
		/* Not "no tenant": whatever it was in, it may have matched. */
		why = "its cgroup cannot be resolved";
		val.policy_id = VPMU_POLICY_PENDING;
	} else if (d->unknown_tenants) {
		why = "a tenant file is rejected with no good version: that tenant may be this VM's";
		val.policy_id = VPMU_POLICY_PENDING;
	} else if (t) {
		val.policy_id = tenant_id_of(d, t->name, false);
		if (val.policy_id == VPMU_POLICY_NONE) {
			/* Never 0 for a tenant: that is the host default. */
			why = "its tenant has no published policy";
			val.policy_id = VPMU_POLICY_PENDING;
		}
		if (tie)
			val.flags |= VPMU_VM_TIE;
	} else {
		/* 0: the engine's host default (config.default_policy_id). */
		val.flags |= VPMU_VM_DEFAULT;
	}
	if (val.policy_id == v->policy_id && val.flags == v->flags &&
	    v->policy_id != (uint32_t)-1)
		return false;
	if (bpf_map_update_elem(d->eng.map_fd[EM_VM_POLICY], &v->vm_id, &val,
				BPF_ANY)) {
		log_msg(LOG_ERR, "VM %llu: writing its policy: %s",
			(unsigned long long)v->vm_id, strerror(errno));
		return false;
	}
	v->policy_id = val.policy_id;
	v->flags = val.flags;
	if (why) {
		log_msg(LOG_WARNING,
			"VM %llu (cgroup id %llu, pid %d): pending, every event denied: %s",
			(unsigned long long)v->vm_id,
			(unsigned long long)v->cgroup_id, v->tgid, why);
		return true;
	}
	/* Cgroup names are chosen by whoever made the cgroup. */
	esc(cg, sizeof(cg), v->path ? v->path : "(gone)");
	if (tie)
		log_msg(LOG_WARNING,
			"VM %llu (cgroup %s) matches several tenants with equal precedence; using %s",
			(unsigned long long)v->vm_id, cg, t->name);
	log_msg(LOG_INFO, "VM %llu (cgroup %s, pid %d): tenant %s, policy %u",
		(unsigned long long)v->vm_id, cg, v->tgid,
		t ? t->name : "(host default)", val.policy_id);
	return true;
}

static struct tenant **tenant_array(const struct policyd *d, size_t *n)
{
	struct tenant **ts = calloc(d->nslots + 1, sizeof(*ts));

	*n = ts ? tenants_list(d, ts) : 0;
	return ts;
}

int vms_classify_all(struct policyd *d)
{
	size_t nts, i;
	struct tenant **ts = tenant_array(d, &nts);
	int changed = 0;

	if (!ts)
		return -ENOMEM;
	for (i = 0; i < d->nvms; i++)
		changed += classify(d, &d->vms[i], ts, nts);
	free(ts);
	return changed;
}

int vms_add(struct policyd *d, uint64_t vm_id, uint64_t cgroup_id,
	    int32_t tgid, const struct vpmu_vm *prev, bool refresh)
{
	struct vm_entry *v = (struct vm_entry *)vms_find(d, vm_id);
	struct tenant **ts;
	size_t nts;
	bool changed;
	void *p;

	if (!v) {
		p = realloc(d->vms, (d->nvms + 1) * sizeof(*d->vms));
		if (!p)
			return -ENOMEM;
		d->vms = p;
		v = &d->vms[d->nvms++];
		memset(v, 0, sizeof(*v));
		v->vm_id = vm_id;
		v->cgroup_id = cgroup_id;
		v->tgid = tgid;
		v->policy_id = (uint32_t)-1;	/* not written yet */
		if (prev) {
			/* What a previous daemon wrote: unchanged stays. */
			v->policy_id = prev->policy_id;
			v->flags = prev->flags;
		}
	}
	ts = tenant_array(d, &nts);
	if (!ts)
		return -ENOMEM;
	changed = classify(d, v, ts, nts);
	free(ts);
	if (changed && refresh)
		engine_refresh(&d->eng, vm_id);
	return 0;
}

void vms_remove(struct policyd *d, uint64_t vm_id)
{
	size_t i;

	for (i = 0; i < d->nvms; i++) {
		if (d->vms[i].vm_id != vm_id)
			continue;
		free(d->vms[i].path);
		d->vms[i] = d->vms[--d->nvms];
		break;
	}
	/* The engine's vm_destroy dropped it already; a missed one too. */
	bpf_map_delete_elem(d->eng.map_fd[EM_VM_POLICY], &vm_id);
}

/*
 * At start, and every VMS_RESCAN_SEC: take every live VM, and drop vm_policy entries of VMs that
 * ended while no daemon ran (their vm_destroy record may be lost).
 */
int vms_reconcile(struct policyd *d)
{
	struct vpmu_vm_found *found = NULL;
	__u64 key, next, *prev = NULL;
	struct vpmu_vm old;
	size_t k;
	int n, i;

	/* Lifecycle records lost from now on are not covered by this scan. */
	d->lifecycle_drops = engine_drops(&d->eng, VPMU_DROP_LIFECYCLE);
	n = engine_find_vms(&found);
	if (n < 0) {
		log_msg(LOG_ERR, "finding running VMs: %s", strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++) {
		bool had = !bpf_map_lookup_elem(d->eng.map_fd[EM_VM_POLICY],
						&found[i].vm_id, &old);

		/*
		 * Refresh a VM whose classification changed (its cgroup's
		 * metadata did): its vCPUs must not keep verdicts of the old
		 * tenant.
		 */
		vms_add(d, found[i].vm_id, found[i].cgroup_id, found[i].tgid,
			had ? &old : NULL, true);
	}
	/* VMs whose vm_destroy record was lost (a full ring buffer). */
	for (k = 0; k < d->nvms;) {
		bool live = false;

		for (i = 0; i < n && !live; i++)
			live = found[i].vm_id == d->vms[k].vm_id;
		if (live) {
			k++;
			continue;
		}
		log_msg(LOG_INFO, "VM %llu: gone", (unsigned long long)d->vms[k].vm_id);
		vms_remove(d, d->vms[k].vm_id);
	}
	free(found);
	while (!bpf_map_get_next_key(d->eng.map_fd[EM_VM_POLICY], prev, &next)) {
		key = next;
		if (!vms_find(d, key)) {
			bpf_map_delete_elem(d->eng.map_fd[EM_VM_POLICY], &key);
			log_msg(LOG_INFO, "VM %llu: gone while the daemon was away",
				(unsigned long long)key);
			prev = NULL;
			continue;
		}
		prev = &key;
	}
	return n;
}
