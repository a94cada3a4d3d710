// SPDX-License-Identifier: GPL-2.0
/*
 * Reloading tenants.d: one file per tenant, compiled and published
 * independently, so a broken file costs only its own update.
 *
 * A rejected file leaves its tenant's last good version in force; that
 * version is also saved under the state directory, so a daemon restarted
 * while a file is broken still enforces (and matches VMs by) the last
 * good one.  A deleted file removes the tenant: its VMs are classified
 * again (another tenant, or the host default) before its policy goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "../lib/policy_image.h"
#include "esc.h"
#include "policyd.h"
#include "strmap.h"
#include "tenant_files.h"

uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Policy ids by tenant name, kept across restarts (load_ids() reads them
 * back from the pinned tenants map).  ids_by_name and id_name are the two
 * directions; both are O(1), so 10,000 tenants stay linear.
 */
/* Whether a VM's entry still names policy @id (its VM not reclassified). */
static bool id_in_use(const struct policyd *d, uint32_t id)
{
	size_t i;

	for (i = 0; i < d->nvms; i++)
		if (d->vms[i].policy_id == id)
			return true;
	return false;
}

uint32_t tenant_id_of(struct policyd *d, const char *name, bool assign)
{
	uint32_t id;

	if (strmap_get(&d->ids_by_name, name, &id))
		return id;
	if (!assign)
		return VPMU_POLICY_NONE;
	/*
	 * The smallest free id (ids stay small and dense, and a gone
	 * tenant's id is reused), but never one a VM's entry still names:
	 * that VM would run under the new tenant's policy.
	 */
	for (id = d->next_free_id; id <= VPMU_MAX_POLICIES &&
	     (d->id_name[id] || id_in_use(d, id)); id++)
		;
	if (id > VPMU_MAX_POLICIES)
		return VPMU_POLICY_NONE;
	d->id_name[id] = strdup(name);
	if (!d->id_name[id] || !strmap_put(&d->ids_by_name, name, id)) {
		free(d->id_name[id]);
		d->id_name[id] = NULL;
		return VPMU_POLICY_NONE;
	}
	d->next_free_id = id + 1;
	return id;
}

static void forget_id(struct policyd *d, uint32_t id)
{
	if (id > VPMU_MAX_POLICIES || !d->id_name[id])
		return;
	strmap_del(&d->ids_by_name, d->id_name[id]);
	free(d->id_name[id]);
	d->id_name[id] = NULL;
	/* Reusable, once no VM's entry names it (tenant_id_of() checks). */
	if (id < d->next_free_id)
		d->next_free_id = id;
}

void tenant_remember_id(struct policyd *d, const char *name, uint32_t id)
{
	if (!id || id > VPMU_MAX_POLICIES || d->id_name[id] ||
	    strmap_get(&d->ids_by_name, name, NULL))
		return;
	d->id_name[id] = strdup(name);
	if (d->id_name[id])
		strmap_put(&d->ids_by_name, name, id);
}

static struct tenant_slot *slot_by_tenant(const struct policyd *d,
					  const char *name)
{
	uint32_t i;

	return strmap_get(&d->slot_by_tenant, name, &i) ? &d->slots[i] : NULL;
}

bool tenant_unpublished(const struct policyd *d, const char *name)
{
	const struct tenant_slot *s = slot_by_tenant(d, name);

	return s && s->publish_failed;
}

const struct tenant *tenant_by_id(const struct policyd *d, uint32_t id,
				  uint32_t *out_id)
{
	struct tenant_slot *s;

	if (!id || id > VPMU_MAX_POLICIES || !d->id_name[id])
		return NULL;
	s = slot_by_tenant(d, d->id_name[id]);
	if (!s || !s->t)
		return NULL;
	if (out_id)
		*out_id = id;
	return s->t;
}

size_t tenants_list(const struct policyd *d, struct tenant **out)
{
	size_t i, n = 0;

	for (i = 0; i < d->nslots; i++)
		if (d->slots[i].t)
			out[n++] = d->slots[i].t;
	return n;
}

static struct tenant_slot *slot_of(struct policyd *d, const char *file)
{
	uint32_t i;
	void *p;

	if (strmap_get(&d->slot_by_file, file, &i))
		return &d->slots[i];
	p = realloc(d->slots, (d->nslots + 1) * sizeof(*d->slots));
	if (!p)
		return NULL;
	d->slots = p;
	memset(&d->slots[d->nslots], 0, sizeof(d->slots[0]));
	snprintf(d->slots[d->nslots].file, sizeof(d->slots[0].file), "%s", file);
	if (!strmap_put(&d->slot_by_file, file, d->nslots))
		return NULL;
	return &d->slots[d->nslots++];
}

/* Index the slots by tenant name (after slots moved or names changed). */
static void index_tenants(struct policyd *d)
{
	size_t i;

	strmap_clear(&d->slot_by_tenant);
	for (i = 0; i < d->nslots; i++)
		if (d->slots[i].t &&
		    !strmap_get(&d->slot_by_tenant, d->slots[i].t->name, NULL))
			strmap_put(&d->slot_by_tenant, d->slots[i].t->name, i);
}

static void good_copy_path(const struct policyd *d, const char *file,
			   char *buf)
{
	tenant_good_copy_path(d->cfg.state_dir, file, buf, PATH_MAX);
}

/* Keep @text as @file's last good version (best effort). */
static void save_good(const struct policyd *d, const char *file,
		      const char *text, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s/good", d->cfg.state_dir);
	mkdir(d->cfg.state_dir, 0700);
	mkdir(dir, 0700);
	good_copy_path(d, file, path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd)) {
		close(fd);
		unlink(tmp);
		return;
	}
	close(fd);
	rename(tmp, path);
}

static void log_diag(struct diag *dg)
{
	size_t i;

	for (i = 0; i < dg->n; i++)
		log_msg(LOG_ERR, "%s", dg->msgs[i]);
	if (dg->dropped)
		log_msg(LOG_ERR, "... and %zu more errors", dg->dropped);
}

/* A tenant name already taken by another file's good tenant? */
static const char *name_taken(const struct policyd *d,
			      const struct tenant_slot *self, const char *name)
{
	struct tenant_slot *other = slot_by_tenant(d, name);

	return other && other != self && other->seen && other->t ?
	       other->file : NULL;
}

/*
 * Whether the engine can take @t's policy: laid out here, so that a file
 * the engine could never run is rejected (its tenant keeps its previous
 * version) instead of failing to publish at every retry.
 */
static bool fits_engine(const struct tenant *t, const char *path,
			struct diag *dg)
{
	struct vpmu_policy_header hdr = tenant_header(t);
	struct vpmu_policy_image img;
	int err;

	err = vpmu_policy_image_build(&img, &hdr, t->rules, t->nr);
	if (err) {
		diag_file(dg, path, "its policy cannot be laid out for the engine: %s",
			  strerror(-err));
		return false;
	}
	vpmu_policy_image_free(&img);
	return true;
}

static void read_slot(struct policyd *d, struct tenant_slot *s)
{
	char path[PATH_MAX];
	struct stat st = { 0 };
	struct diag dg;
	struct tenant *t;
	const char *other;
	size_t len;
	char *text;
	uint64_t dig;

	diag_init(&dg);
	snprintf(path, sizeof(path), "%s/%s", d->cfg.tenants_dir, s->file);
	/*
	 * Same inode, size and mtime as last time: unchanged, without
	 * reading it (a reload with 10,000 tenants reads only what changed).
	 */
	if (!stat(path, &st) && s->t && !s->broken && st.st_ino == s->ino &&
	    (uint64_t)st.st_size == s->size &&
	    st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec == s->mtime_ns)
		return;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	/* Not root's only, or broken: its tenant keeps its last good version. */
	text = tenant_file_read(path, &len, &dg);
	if (!text)
		goto bad;
	dig = digest_bytes(text, len);
	if (s->t && dig == s->file_digest && !s->broken) {
		free(text);
		return;		/* unchanged */
	}
	s->file_digest = dig;
	t = tenant_parse(path, text, len, d->cfg.target, &dg);
	if (t && !fits_engine(t, path, &dg)) {
		tenant_free(t);
		t = NULL;
	}
	if (t && (other = name_taken(d, s, t->name))) {
		diag_file(&dg, path, "tenant \"%s\" is already defined by %s",
			  t->name, ESC(other));
		tenant_free(t);
		t = NULL;
	}
	if (!t)
		goto bad;
	/* Saved as the good copy once published (finish_reload). */
	free(s->unsaved);
	s->unsaved = text;
	s->unsaved_len = len;
	if (s->broken)
		log_msg(LOG_NOTICE, "%s: accepted again", ESC(path));
	if (s->t) {
		strmap_del(&d->slot_by_tenant, s->t->name);
		/* A renamed tenant leaves its old policy behind. */
		if (strcmp(s->t->name, t->name))
			d->maybe_stale = true;
		strmap_put(&d->touched, s->t->name, 0);
	}
	strmap_put(&d->touched, t->name, 0);
	tenant_free(s->t);
	s->t = t;
	strmap_put(&d->slot_by_tenant, t->name, s - d->slots);
	s->broken = false;
	s->changed = true;
	diag_free(&dg);
	return;
bad:
	free(text);
	s->broken = true;
	log_diag(&dg);
	diag_free(&dg);
	if (s->t) {
		log_msg(LOG_WARNING,
			"%s: rejected; tenant \"%s\" keeps its previous policy",
			ESC(path), s->t->name);
		return;
	}
	/* First read since start: fall back to the saved good copy. */
	good_copy_path(d, s->file, path);
	diag_init(&dg);
	t = tenant_good_copy_load(path, d->cfg.target, &dg);
	log_diag(&dg);
	diag_free(&dg);
	if (t) {
		/* Messages name the real file, not the copy. */
		log_msg(LOG_WARNING,
			"%s/%s: rejected; using its last good version (%s)",
			d->cfg.tenants_dir, ESC(s->file), ESC(path));
		s->t = t;
		strmap_put(&d->touched, t->name, 0);
		if (!name_taken(d, s, t->name))
			strmap_put(&d->slot_by_tenant, t->name, s - d->slots);
		s->changed = true;
	} else {
		log_msg(LOG_WARNING, "%s/%s: rejected and no good version known",
			d->cfg.tenants_dir, ESC(s->file));
	}
}

static int publish(struct policyd *d, struct tenant_slot *s)
{
	struct vpmu_policy_header hdr = tenant_header(s->t);
	struct vpmu_tenant info = { 0 };
	uint32_t id = tenant_id_of(d, s->t->name, true);
	int err;

	if (id == VPMU_POLICY_NONE)
		return -ENOMEM;
	bpf_map_lookup_elem(d->eng.map_fd[EM_TENANTS], &id, &info);
	err = engine_publish(&d->eng, id, &hdr, s->t->rules, s->t->nr);
	if (err) {
		log_msg(LOG_ERR, "publishing tenant %s: %s", s->t->name,
			strerror(-err));
		return err;
	}
	snprintf(info.name, sizeof(info.name), "%s", s->t->name);
	snprintf(info.file, sizeof(info.file), "%s", s->t->file);
	info.digest = s->t->digest;
	info.loaded_ns = realtime_ns();
	info.nr_rules = s->t->nr;
	info.generation++;
	info.priority = s->t->priority;
	info.default_action = s->t->default_action;
	info.flags = hdr.flags;
	bpf_map_update_elem(d->eng.map_fd[EM_TENANTS], &id, &info, BPF_ANY);
	log_msg(LOG_INFO, "tenant %s: policy %u published (%zu rules, default %s, mode %s)",
		s->t->name, id, s->t->nr,
		s->t->default_action == VPMU_ALLOW ? "allow" : "deny",
		s->t->mode == TENANT_AUDIT ? "audit" : "enforce");
	return 0;
}

/* The tenant's state in the pinned tenants map, for vpmuctl. */
static void write_state(struct policyd *d, struct tenant_slot *s)
{
	uint8_t state = !s->t ? 0 :
			s->broken ? VPMU_TENANT_DEGRADED | VPMU_TENANT_REJECTED :
			s->publish_failed ? VPMU_TENANT_DEGRADED : 0;
	struct vpmu_tenant info;
	uint32_t id;

	if (!s->t || state == s->state_written)
		return;
	id = tenant_id_of(d, s->t->name, false);
	if (id == VPMU_POLICY_NONE ||
	    bpf_map_lookup_elem(d->eng.map_fd[EM_TENANTS], &id, &info))
		return;
	info.state = state;
	if (!bpf_map_update_elem(d->eng.map_fd[EM_TENANTS], &id, &info,
				 BPF_ANY))
		s->state_written = state;
	if (state)
		log_msg(LOG_WARNING,
			"tenant %s: degraded: %s; its last good policy stays in force",
			s->t->name, s->broken ? "its file is rejected" :
			"its new version is not published yet");
}

/* Write the engine's config; 1 if it changed (the VMs must re-ask). */
static int apply_config(struct policyd *d)
{
	struct vpmu_config old = { 0 };
	int err;
	struct vpmu_config c = {
		.abi_version = VPMU_ABI_VERSION,
		.default_action = d->cfg.default_action,
		.audit = d->cfg.audit,
		.denials_per_sec = d->cfg.denials_per_sec,
	};

	/* Only a tenant that has a published policy. */
	if (d->cfg.default_tenant[0] &&
	    tenant_by_id(d, tenant_id_of(d, d->cfg.default_tenant, false), NULL))
		c.default_policy_id = tenant_id_of(d, d->cfg.default_tenant,
						   false);
	d->denial_log.per_sec = d->cfg.log_denials_per_sec;
	engine_get_config(&d->eng, &old);
	if (!memcmp(&old, &c, sizeof(c)))
		return 0;
	err = engine_set_config(&d->eng, &c);
	return err ? err : 1;
}

/* Policies published earlier (this run or a previous daemon) but gone now. */
static void drop_stale(struct policyd *d)
{
	__u32 key, next, *prev = NULL, *stale = NULL;
	size_t n = 0, cap = 0, i;
	struct vpmu_tenant info;
	void *p;

	/* Collect first: deleting while walking restarts the walk. */
	while (!bpf_map_get_next_key(d->eng.map_fd[EM_TENANTS], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(d->eng.map_fd[EM_TENANTS], &key, &info))
			continue;
		info.name[sizeof(info.name) - 1] = 0;
		if (tenant_by_id(d, key, NULL) && !strcmp(d->id_name[key], info.name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			p = realloc(stale, cap * sizeof(*stale));
			if (!p)
				break;
			stale = p;
		}
		stale[n++] = key;
		log_msg(LOG_INFO, "tenant %s: removed (policy %u)", info.name, key);
	}
	for (i = 0; i < n; i++) {
		engine_drop_policy(&d->eng, stale[i]);
		bpf_map_delete_elem(d->eng.map_fd[EM_TENANTS], &stale[i]);
		forget_id(d, stale[i]);
	}
	free(stale);
}

/*
 * The common end of a reload: drop the tenants of files gone (slots not
 * seen), publish what changed, and bring the host config, the VMs and
 * the pinned maps up to date.
 */
static int finish_reload(struct policyd *d, bool all)
{
	size_t i, broken = 0, changed = 0;
	char path[PATH_MAX];
	struct tenant **ts;
	int err;

	/* Files gone: their tenants go (after their VMs move, below). */
	for (i = 0; i < d->nslots;) {
		struct tenant_slot *s = &d->slots[i];

		if (s->seen) {
			i++;
			continue;
		}
		log_msg(LOG_NOTICE, "%s/%s: deleted; tenant %s removed",
			d->cfg.tenants_dir, ESC(s->file),
			s->t ? s->t->name : "-");
		good_copy_path(d, s->file, path);
		unlink(path);
		if (s->t)
			strmap_put(&d->touched, s->t->name, 0);
		tenant_free(s->t);
		free(s->unsaved);
		strmap_del(&d->slot_by_file, s->file);
		d->maybe_stale = true;
		d->slots[i] = d->slots[--d->nslots];
		if (i < d->nslots)
			strmap_put(&d->slot_by_file, d->slots[i].file, i);
		changed++;
	}
	index_tenants(d);
	ts = calloc(d->nslots + 1, sizeof(*ts));
	err = ts ? vms_index_tenants(d, ts, tenants_list(d, ts)) : -ENOMEM;
	free(ts);
	if (err) {
		/* Without the index no VM can be classified: keep entries. */
		log_msg(LOG_ERR, "indexing the tenants: %s", strerror(-err));
		d->retry = true;
	}
	for (i = 0; i < d->nslots; i++) {
		struct tenant_slot *s = &d->slots[i];

		if (s->broken)
			broken++;
		if (!s->t || !s->changed)
			continue;
		if (publish(d, s)) {
			/* Kept changed: published by the retry. */
			s->publish_failed = true;
			d->publish_failures++;
			d->retry = true;
			continue;
		}
		s->publish_failed = false;
		s->changed = false;
		changed++;
		if (s->unsaved) {
			save_good(d, s->file, s->unsaved, s->unsaved_len);
			free(s->unsaved);
			s->unsaved = NULL;
		}
	}
	d->unknown_tenants = 0;
	for (i = 0; i < d->nslots; i++) {
		d->unknown_tenants += d->slots[i].broken && !d->slots[i].t;
		write_state(d, &d->slots[i]);
	}
	/* A new host default (action or tenant) changes verdicts too. */
	if (apply_config(d) > 0)
		changed++;
	/* A full reload reads every cgroup again, as SIGUSR1 does. */
	if (all)
		d->meta_pass++;
	if (d->classify_all_next && !err && !d->unknown_tenants) {
		all = true;
		d->classify_all_next = false;
	}
	if (vms_classify(d, all ? NULL : &d->touched) > 0)
		changed++;
	/*
	 * Classified VMs kept their entries (classify()): what this reload
	 * changed is not applied to them yet.
	 */
	if (err || d->unknown_tenants)
		d->classify_all_next = true;
	strmap_clear(&d->touched);
	/* A walk of every pinned tenant: only when one may have gone. */
	if (d->maybe_stale)
		drop_stale(d);
	d->maybe_stale = false;
	if (changed)
		engine_refresh(&d->eng, 0);
	d->reloads++;
	d->reloaded_ns = realtime_ns();
	log_msg(LOG_INFO, "reload %u: %zu tenants, %zu rejected, %zu VMs",
		d->reloads, d->nslots - broken, broken, d->nvms);
	policyd_publish_state(d);
	return (int)broken;
}

int tenants_reload(struct policyd *d, bool reread_config)
{
	struct policyd_config cfg = d->cfg;
	char **names = NULL;
	size_t n = 0, i;
	struct diag dg;

	if (reread_config) {
		diag_init(&dg);
		if (config_load(d->config_path, true, &cfg, &dg)) {
			/* Paths are fixed at start: they name what we hold. */
			memcpy(cfg.pin_dir, d->cfg.pin_dir, sizeof(cfg.pin_dir));
			/* Another target: every file compiles differently. */
			for (i = 0; cfg.target != d->cfg.target && i < d->nslots; i++) {
				d->slots[i].size = UINT64_MAX;
				d->slots[i].file_digest = 0;
			}
			d->cfg = cfg;
		} else {
			log_diag(&dg);
			log_msg(LOG_WARNING, "%s: rejected; keeping the previous configuration",
				d->config_path);
		}
		diag_free(&dg);
	}

	diag_init(&dg);
	if (tenant_files_list(d->cfg.tenants_dir, &names, &n, &dg)) {
		/*
		 * Missing or unreadable is not empty (a mount that went away,
		 * a directory being replaced), and a partial listing would
		 * look like deleted files: keep every tenant, its good copy
		 * and every VM's entry as they are; new VMs stay pending.
		 */
		log_msg(LOG_ERR,
			"%s; keeping the current tenants (new VMs stay pending) until it can be read",
			dg.n ? dg.msgs[0] : ESC(d->cfg.tenants_dir));
		diag_free(&dg);
		d->frozen = true;
		/*
		 * The host's own settings do not depend on the tenants: a
		 * new configuration applies now, not once the directory is
		 * back (the tenants keep their policies either way).
		 */
		if (reread_config && apply_config(d) > 0) {
			log_msg(LOG_NOTICE, "%s: applied while the tenants are frozen",
				ESC(d->config_path));
			engine_refresh(&d->eng, 0);
		}
		return -1;
	}
	diag_free(&dg);
	d->frozen = false;

	for (i = 0; i < d->nslots; i++)
		d->slots[i].seen = false;
	for (i = 0; i < n; i++) {
		struct tenant_slot *s = slot_of(d, names[i]);

		if (s)
			s->seen = true;
	}
	for (i = 0; i < n; i++) {
		struct tenant_slot *s = slot_of(d, names[i]);

		if (s)
			read_slot(d, s);
	}
	tenant_files_free(names, n);

	return finish_reload(d, true);
}

int tenants_reload_files(struct policyd *d, char **names, size_t n)
{
	char path[PATH_MAX];
	struct tenant_slot *sl;
	struct stat st;
	uint32_t idx;
	bool gone;
	size_t i;

	for (i = 0; i < d->nslots; i++)
		d->slots[i].seen = true;
	for (i = 0; i < n; i++) {
		if (!tenant_file_wanted(names[i]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d->cfg.tenants_dir,
			 names[i]);
		gone = stat(path, &st) != 0;
		if (gone && errno != ENOENT)
			return tenants_reload(d, false);	/* let a full scan judge */
		/*
		 * A tenant's file gone: the full scan judges whether that
		 * may be believed (tenants.d root's only, see
		 * tenant_files_list()).
		 */
		if ((gone || !S_ISREG(st.st_mode)) &&
		    strmap_get(&d->slot_by_file, names[i], &idx))
			return tenants_reload(d, false);
		if (gone || !S_ISREG(st.st_mode))
			continue;
		sl = slot_of(d, names[i]);
		if (!sl)
			return tenants_reload(d, false);
		sl->seen = true;
		read_slot(d, sl);
	}
	return finish_reload(d, false);
}
