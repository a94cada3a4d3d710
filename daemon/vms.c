// SPDX-License-Identifier: GPL-2.0
/*
 * The VMs the daemon knows: found at start by the vpmu_vms iterator,
 * learnt from the engine's vm_init records afterwards, classified by
 * their cgroup's metadata, and written to vm_policy.
 *
 * Until the daemon classifies a new VM the engine decides for it by the
 * entry of its cgroup or an ancestor (written for cgroups that hold
 * classified VMs, so a VMM's next VM there is covered), else the host
 * default (deny unless configured).  A VM of a strict tenant created in a
 * new cgroup is therefore under the host default for the moment until
 * the daemon classifies it (milliseconds), which is as strict as the host
 * is configured to be.  Every VMS_RESCAN_SEC the VMs are found again, so
 * a record lost to a full ring buffer is caught up with.
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
	struct vm_meta meta;
	char cg[1024];
	struct tenant *t;
	bool tie;

	/* The tenant set is unknown (tenants.d unreadable): keep entries. */
	if (d->frozen)
		return false;
	if (!v->path)
		v->path = cgroup_path_of(d->cfg.cgroup_root, v->cgroup_id);
	vm_meta_init(&meta, d->cfg.cgroup_root, d->cfg.machines_dir,
		     v->path ? strdup(v->path) : NULL);
	t = match_pick(ts, nts, &meta, &tie);
	vm_meta_free(&meta);
	if (t) {
		val.policy_id = tenant_id_of(d, t->name, false);
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
	/*
	 * The VM's cgroup classifies the next VM created there (a VMM
	 * restarting its guest) until the daemon has seen that one.
	 */
	if (t && !tie)
		bpf_map_update_elem(d->eng.map_fd[EM_CGROUP_POLICY],
				    &v->cgroup_id, &val.policy_id, BPF_ANY);
	else
		bpf_map_delete_elem(d->eng.map_fd[EM_CGROUP_POLICY],
				    &v->cgroup_id);
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

void vms_remove(struct policyd *d, uint64_t vm_id, uint64_t cgroup_id)
{
	uint64_t cg = cgroup_id;
	size_t i;

	for (i = 0; i < d->nvms; i++) {
		if (d->vms[i].vm_id != vm_id)
			continue;
		cg = d->vms[i].cgroup_id;
		free(d->vms[i].path);
		d->vms[i] = d->vms[--d->nvms];
		break;
	}
	for (i = 0; cg && i < d->nvms; i++)
		if (d->vms[i].cgroup_id == cg)
			cg = 0;
	/* The last VM of its cgroup: the cgroup may be gone next. */
	if (cg)
		bpf_map_delete_elem(d->eng.map_fd[EM_CGROUP_POLICY], &cg);
	/* The engine's vm_destroy dropped it already; a missed one too. */
	bpf_map_delete_elem(d->eng.map_fd[EM_VM_POLICY], &vm_id);
}

/* cgroup_policy entries for cgroups no known VM runs in. */
static void drop_stale_cgroups(struct policyd *d)
{
	__u64 key, next, *prev = NULL;
	size_t i;
	bool used;

	while (!bpf_map_get_next_key(d->eng.map_fd[EM_CGROUP_POLICY], prev,
				     &next)) {
		key = next;
		for (i = 0, used = false; i < d->nvms && !used; i++)
			used = d->vms[i].cgroup_id == key;
		if (!used) {
			bpf_map_delete_elem(d->eng.map_fd[EM_CGROUP_POLICY], &key);
			prev = NULL;
			continue;
		}
		prev = &key;
	}
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

	n = engine_find_vms(&found);
	if (n < 0) {
		log_msg(LOG_ERR, "finding running VMs: %s", strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++) {
		bool had = !bpf_map_lookup_elem(d->eng.map_fd[EM_VM_POLICY],
						&found[i].vm_id, &old);

		vms_add(d, found[i].vm_id, found[i].cgroup_id, found[i].tgid,
			had ? &old : NULL, false);
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
		vms_remove(d, d->vms[k].vm_id, d->vms[k].cgroup_id);
	}
	free(found);
	drop_stale_cgroups(d);
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
