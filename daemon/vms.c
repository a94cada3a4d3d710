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
 *
 * At scale (1,000 VMs, 10,000 tenants) the work stays bounded: VMs are
 * found by id in a hash map; a cgroup's metadata is read once per pass
 * (a rescan, SIGUSR1, a full reload) and shared by its VMs; a VM is
 * tried only against the tenants that could match it (tenant_index.h);
 * and a reload re-classifies only the VMs its changed tenants could
 * affect.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "esc.h"
#include "match.h"
#include "policyd.h"
#include "tenant_index.h"
#include "vm_status.h"

/* One cgroup's metadata, shared by the VMs created in it. */
struct cg_meta {
	uint64_t cgroup_id;
	uint32_t pass;		/* d->meta_pass when read */
	unsigned int refs;
	/*
	 * Found gone: cgroup ids are never reused, so it is not looked for
	 * again (each look may cost a walk of every cgroup).
	 */
	bool dead;
	struct vm_meta m;
};

const struct vm_entry *vms_find(const struct policyd *d, uint64_t vm_id)
{
	uint64_t i;

	return u64map_get(&d->vm_index, vm_id, &i) ? &d->vms[i] : NULL;
}

const char *vm_cgroup_path(const struct vm_entry *v)
{
	return v->cgm && v->cgm->m.path && !v->cgm->m.gone ? v->cgm->m.path :
							       NULL;
}

static struct cg_meta *cg_meta_get(struct policyd *d, uint64_t cgroup_id)
{
	struct cg_meta *c;
	uint64_t p;

	if (u64map_get(&d->cg_metas, cgroup_id, &p)) {
		c = (struct cg_meta *)(uintptr_t)p;
		c->refs++;
		return c;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cgroup_id = cgroup_id;
	c->pass = d->meta_pass - 1;	/* not read yet */
	c->refs = 1;
	if (!u64map_put(&d->cg_metas, cgroup_id, (uintptr_t)c)) {
		free(c);
		return NULL;
	}
	return c;
}

static void cg_meta_put(struct policyd *d, struct cg_meta *c)
{
	if (!c || --c->refs)
		return;
	u64map_del(&d->cg_metas, c->cgroup_id);
	vm_meta_free(&c->m);
	free(c);
}

/*
 * @c's metadata as of this pass: read by the path of the cgroup the
 * kernel recorded (found by its id), every read checked against that id.
 */
static const struct vm_meta *cg_meta_read(struct policyd *d, struct cg_meta *c)
{
	char *path;
	int err;

	if (c->pass == d->meta_pass || c->dead)
		return &c->m;
	vm_meta_free(&c->m);
	path = cgroup_path_of(d->cfg.cgroup_root, c->cgroup_id);
	err = path ? 0 : errno;
	vm_meta_read(&c->m, d->cfg.cgroup_root, d->cfg.machines_dir, path,
		     c->cgroup_id, d->tix.xattrs, d->tix.nxattrs);
	c->pass = d->meta_pass;
	c->dead = c->m.gone || err == ESTALE;
	return &c->m;
}

/* No candidates in d->cands yet: classify() finds them. */
#define CANDS_UNKNOWN SIZE_MAX

/*
 * The tenant @m belongs to (NULL if none), from the candidates only:
 * those in d->cands (@n of them, found for @m by affected()), or found
 * now if @n is CANDS_UNKNOWN.
 */
static struct tenant *pick(struct policyd *d, const struct vm_meta *m,
			   size_t n, bool *tie)
{
	if (n == CANDS_UNKNOWN)
		n = tenant_index_candidates(&d->tix, m, d->cands);
	return match_pick(d->cands, n, m, tie);
}

/*
 * Decide @v's policy (@ncands: as for pick()); write it if it changed.
 * True if it changed.
 */
static bool classify(struct policyd *d, struct vm_entry *v, size_t ncands)
{
	struct vpmu_vm val = { .cgroup_id = v->cgroup_id, .tgid = v->tgid };
	const struct vm_meta *m = NULL;
	struct tenant *t = NULL;
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
	if ((d->unknown_tenants || !d->tix_ok) && v->policy_id != (uint32_t)-1 &&
	    v->policy_id != VPMU_POLICY_PENDING)
		return false;
	if (v->cgm)
		m = cg_meta_read(d, v->cgm);
	if (m && m->path && !m->gone && d->tix_ok)
		t = pick(d, m, ncands, &tie);
	/*
	 * Matched by a version of its tenant that failed to publish: the
	 * engine runs the version before, whose clauses need not claim this
	 * VM, so neither configuration puts it there.  It keeps its entry
	 * (a new VM stays pending) until the publish succeeds.
	 */
	if (t && tenant_unpublished(d, t->name) &&
	    tenant_id_of(d, t->name, false) != v->policy_id) {
		if (v->policy_id != (uint32_t)-1 &&
		    v->policy_id != VPMU_POLICY_PENDING)
			return false;
		t = NULL;
		why = "its tenant's new version is not published yet";
	}
	if (why) {
		val.policy_id = VPMU_POLICY_PENDING;
	} else if (!d->tix_ok) {
		/* An empty index would match nothing: the host default. */
		why = "the tenants could not be indexed (out of memory)";
		val.policy_id = VPMU_POLICY_PENDING;
	} else if (!m || !m->path || m->gone) {
		/* Not "no tenant": whatever it was in, it may have matched. */
		val.reason = m && m->gone ? VPMU_REASON_CGROUP_GONE :
					    VPMU_REASON_CGROUP_UNKNOWN;
		val.policy_id = VPMU_POLICY_PENDING;
	} else if (d->unknown_tenants) {
		val.reason = VPMU_REASON_TENANT_UNKNOWN;
		val.policy_id = VPMU_POLICY_PENDING;
	} else if (t) {
		val.policy_id = tenant_id_of(d, t->name, false);
		if (val.policy_id == VPMU_POLICY_NONE) {
			/* Never 0 for a tenant: that is the host default. */
			val.reason = VPMU_REASON_UNPUBLISHED;
			val.policy_id = VPMU_POLICY_PENDING;
		}
		if (tie)
			val.flags |= VPMU_VM_TIE;
	} else {
		/* 0: the engine's host default (config.default_policy_id). */
		val.flags |= VPMU_VM_DEFAULT;
	}
	if (val.policy_id == VPMU_POLICY_PENDING)
		why = vm_reason_text(val.reason);
	if (val.policy_id == v->policy_id && val.flags == v->flags &&
	    val.reason == v->reason && v->policy_id != (uint32_t)-1)
		return false;
	if (bpf_map_update_elem(d->eng.map_fd[EM_VM_POLICY], &v->vm_id, &val,
				BPF_ANY)) {
		log_msg(LOG_ERR, "VM %llu: writing its policy: %s",
			(unsigned long long)v->vm_id, strerror(errno));
		return false;
	}
	v->policy_id = val.policy_id;
	v->flags = val.flags;
	v->reason = val.reason;
	if (why) {
		log_msg(LOG_WARNING,
			"VM %llu (cgroup id %llu, pid %d): pending, every event denied: %s",
			(unsigned long long)v->vm_id,
			(unsigned long long)v->cgroup_id, v->tgid, why);
		return true;
	}
	/* Cgroup names are chosen by whoever made the cgroup. */
	esc(cg, sizeof(cg), m->path);
	if (tie)
		log_msg(LOG_WARNING,
			"VM %llu (cgroup %s) matches several tenants with equal precedence; using %s",
			(unsigned long long)v->vm_id, cg, t->name);
	log_msg(LOG_INFO, "VM %llu (cgroup %s, pid %d): tenant %s, policy %u",
		(unsigned long long)v->vm_id, cg, v->tgid,
		t ? t->name : "(host default)", val.policy_id);
	return true;
}

/*
 * Whether a reload that changed the tenants named in @touched may change
 * @v's tenant: its own tenant changed or went, it ties, it is not
 * classified yet, or a changed tenant could match it now.
 */
static bool affected(struct policyd *d, const struct vm_entry *v,
		     const struct strmap *touched, size_t *ncands)
{
	const char *cur;
	size_t n, i;

	*ncands = CANDS_UNKNOWN;
	if (v->policy_id == (uint32_t)-1 || v->policy_id == VPMU_POLICY_PENDING ||
	    (v->flags & VPMU_VM_TIE) || !v->cgm)
		return true;
	cur = v->policy_id <= VPMU_MAX_POLICIES ? d->id_name[v->policy_id] : NULL;
	if (cur && strmap_get(touched, cur, NULL))
		return true;
	n = tenant_index_candidates(&d->tix, cg_meta_read(d, v->cgm), d->cands);
	for (i = 0; i < n; i++)
		if (strmap_get(touched, d->cands[i]->name, NULL)) {
			*ncands = n;	/* classify() picks among them */
			return true;
		}
	return false;
}

int vms_classify(struct policyd *d, const struct strmap *touched)
{
	size_t i, n = CANDS_UNKNOWN;
	int changed = 0;

	for (i = 0; i < d->nvms; i++) {
		policyd_keepalive();
		if (!touched || affected(d, &d->vms[i], touched, &n))
			changed += classify(d, &d->vms[i], n);
	}
	return changed;
}

int vms_index_tenants(struct policyd *d, struct tenant *const *ts, size_t n)
{
	void *p;
	int err;

	d->tix_ok = false;
	err = tenant_index_build(&d->tix, ts, n);
	if (err)
		return err;
	p = realloc(d->cands, (d->tix.nentries + 1) * sizeof(*d->cands));
	if (!p) {
		tenant_index_free(&d->tix);
		return -ENOMEM;
	}
	d->cands = p;
	d->tix_ok = true;
	return 0;
}

int vms_add(struct policyd *d, uint64_t vm_id, uint64_t cgroup_id,
	    int32_t tgid, const struct vpmu_vm *prev, bool refresh)
{
	struct vm_entry *v = (struct vm_entry *)vms_find(d, vm_id);
	void *p;

	if (!v) {
		p = realloc(d->vms, (d->nvms + 1) * sizeof(*d->vms));
		if (!p)
			return -ENOMEM;
		d->vms = p;
		if (!u64map_put(&d->vm_index, vm_id, d->nvms))
			return -ENOMEM;
		v = &d->vms[d->nvms++];
		memset(v, 0, sizeof(*v));
		v->vm_id = vm_id;
		v->cgroup_id = cgroup_id;
		v->tgid = tgid;
		v->policy_id = (uint32_t)-1;	/* not written yet */
		/* NULL (out of memory): the VM stays pending. */
		v->cgm = cg_meta_get(d, cgroup_id);
		if (prev) {
			/* What a previous daemon wrote: unchanged stays. */
			v->policy_id = prev->policy_id;
			v->flags = prev->flags;
			v->reason = prev->reason;
		}
	}
	if (classify(d, v, CANDS_UNKNOWN) && refresh)
		engine_refresh(&d->eng, vm_id);
	return 0;
}

void vms_remove(struct policyd *d, uint64_t vm_id)
{
	uint64_t i;

	if (u64map_get(&d->vm_index, vm_id, &i)) {
		u64map_del(&d->vm_index, vm_id);
		cg_meta_put(d, d->vms[i].cgm);
		d->vms[i] = d->vms[--d->nvms];
		if (i < d->nvms)
			u64map_put(&d->vm_index, d->vms[i].vm_id, i);
	}
	/* The engine's vm_destroy dropped it already; a missed one too. */
	bpf_map_delete_elem(d->eng.map_fd[EM_VM_POLICY], &vm_id);
}

/*
 * At start, and every VMS_RESCAN_SEC: take every live VM, re-reading the
 * metadata of @reread of their cgroups (SIZE_MAX: all), and drop
 * vm_policy entries of VMs that ended while no daemon ran (their
 * vm_destroy record may be lost).  Linear in the VMs: a map of the live
 * ones, not a search per VM.
 */
/*
 * Mark the metadata of the cgroups of the next @n VMs (round robin) to be
 * read again: a periodic rescan picks up changed metadata in turn, at a
 * bounded cost per rescan.
 */
static void reread_some(struct policyd *d, size_t n)
{
	size_t k;

	for (k = 0; k < n && k < d->nvms; k++) {
		struct vm_entry *v = &d->vms[d->meta_cursor++ % d->nvms];

		if (v->cgm)
			v->cgm->pass = d->meta_pass - 1;
	}
}

int vms_reconcile(struct policyd *d, size_t reread)
{
	struct u64map live = { 0 };
	struct vpmu_vm_found *found = NULL;
	__u64 key, next, *prev = NULL, *gone = NULL;
	size_t k, ngone = 0;
	struct vpmu_vm old;
	int n, i;
	void *p;

	/* Lifecycle records lost from now on are not covered by this scan. */
	d->lifecycle_drops = engine_drops(&d->eng, VPMU_DROP_LIFECYCLE);
	n = engine_find_vms(&found);
	if (n < 0) {
		log_msg(LOG_ERR, "finding running VMs: %s", strerror(-n));
		return n;
	}
	if (reread == SIZE_MAX)
		d->meta_pass++;	/* every cgroup is read again, once */
	else
		reread_some(d, reread);
	for (i = 0; i < n; i++) {
		/* What a previous daemon wrote matters for new VMs only. */
		bool had = !vms_find(d, found[i].vm_id) &&
			   !bpf_map_lookup_elem(d->eng.map_fd[EM_VM_POLICY],
						&found[i].vm_id, &old);

		policyd_keepalive();
		if (!u64map_put(&live, found[i].vm_id, 1)) {
			/* Without the map nothing may be judged gone. */
			log_msg(LOG_ERR, "finding running VMs: out of memory");
			u64map_clear(&live);
			free(found);
			return -ENOMEM;
		}
		/*
		 * Refresh a VM whose classification changed (its cgroup's
		 * metadata did): its vCPUs must not keep verdicts of the old
		 * tenant.
		 */
		vms_add(d, found[i].vm_id, found[i].cgroup_id, found[i].tgid,
			had ? &old : NULL, true);
	}
	free(found);
	/* VMs whose vm_destroy record was lost (a full ring buffer). */
	for (k = 0; k < d->nvms;) {
		if (u64map_get(&live, d->vms[k].vm_id, NULL)) {
			k++;
			continue;
		}
		log_msg(LOG_INFO, "VM %llu: gone", (unsigned long long)d->vms[k].vm_id);
		vms_remove(d, d->vms[k].vm_id);
	}
	u64map_clear(&live);
	/* Entries of VMs that ended while no daemon ran. */
	while (!bpf_map_get_next_key(d->eng.map_fd[EM_VM_POLICY], prev, &next)) {
		key = next;
		prev = &key;
		if (vms_find(d, key))
			continue;
		p = realloc(gone, (ngone + 1) * sizeof(*gone));
		if (!p)
			break;
		gone = p;
		gone[ngone++] = key;
	}
	for (k = 0; k < ngone; k++) {
		bpf_map_delete_elem(d->eng.map_fd[EM_VM_POLICY], &gone[k]);
		log_msg(LOG_INFO, "VM %llu: gone while the daemon was away",
			(unsigned long long)gone[k]);
	}
	free(gone);
	return n;
}
