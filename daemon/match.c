// SPDX-License-Identifier: GPL-2.0
/* Tenant matching and precedence (see match.h). */
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "cgroup.h"
#include "esc.h"
#include "match.h"

void match_note(struct match_notes *ns, bool used, const char *fmt, ...)
{
	struct match_note nt = { .used = used };
	va_list ap;
	size_t i;
	void *p;

	if (!ns)
		return;
	va_start(ap, fmt);
	vsnprintf(nt.text, sizeof(nt.text), fmt, ap);
	va_end(ap);
	/* Every tenant's clauses ask again: say it once. */
	for (i = 0; i < ns->n; i++)
		if (ns->v[i].used == used && !strcmp(ns->v[i].text, nt.text))
			return;
	if (ns->n == ns->cap) {
		p = realloc(ns->v, (ns->cap ? 2 * ns->cap : 16) * sizeof(nt));
		if (!p)
			return;
		ns->v = p;
		ns->cap = ns->cap ? 2 * ns->cap : 16;
	}
	ns->v[ns->n++] = nt;
}

void match_notes_free(struct match_notes *ns)
{
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/*
 * Service and scope components other than the unit, and machines whose
 * scope is one of them: what the daemon no longer takes as the VM's
 * unit or machine, noted with the reason.
 */
static void note_other_units(const struct vm_meta *m)
{
	char comp[256], name[256];
	const char *p = m->path, *c;
	size_t n;
	int d = 0;

	while ((c = cgroup_next(&p, &n))) {
		d++;
		if (d == m->unit_depth || n >= sizeof(comp))
			continue;
		memcpy(comp, c, n);
		comp[n] = 0;
		if ((n <= 8 || strcmp(comp + n - 8, ".service")) &&
		    (n <= 6 || strcmp(comp + n - 6, ".scope")))
			continue;
		if (d > m->trust.names)
			match_note(m->notes, false,
				   "unit \"%s\" (depth %d): below the delegation boundary",
				   ESC(comp), d);
		else
			match_note(m->notes, false,
				   "unit \"%s\" (depth %d): not right below the leading slices",
				   ESC(comp), d);
		if (cgroup_machine(m->machines_dir, comp, name, sizeof(name)))
			match_note(m->notes, false,
				   "machine \"%s\": its scope \"%s\" is not the VM's unit",
				   ESC(name), ESC(comp));
	}
}

/* Is a leading component of @path, above depth @depth, "user.slice"? */
static bool in_user_slice(const char *path, int depth)
{
	const char *p = path, *c;
	size_t n;
	int d = 0;

	while ((c = cgroup_next(&p, &n)) && ++d < depth)
		if (n == 10 && !strncmp(c, "user.slice", 10))
			return true;
	return false;
}

/*
 * Why machined's machine for @m's unit may not name the VM, or NULL.
 * Since systemd 258 local users may register machines with the system
 * machined, which records the unit their VM runs in: their
 * user@UID.service (the delegation boundary, which they own), or a unit
 * in user.slice.  A machine name is the host's word only for a unit
 * root's systemd made for root: above the boundary, or the boundary
 * itself if it is root's (machined's own delegated scopes, libvirt's).
 */
static const char *machine_untrusted(const struct vm_meta *m)
{
	if (!fnmatch("user@*.service", m->unit, FNM_NOESCAPE))
		return "a user's service manager (user@*.service)";
	if (in_user_slice(m->path, m->unit_depth))
		return "in user.slice";
	if (m->trust.boundary && m->unit_depth >= m->trust.boundary &&
	    !m->trust.boundary_root)
		return "at the delegation boundary, which is not root's";
	return NULL;
}

static void note_meta(const struct vm_meta *m)
{
	char pre[PATH_MAX];

	if (!m->notes)
		return;
	if (!m->path) {
		match_note(m->notes, false, "cgroup: unknown (gone)");
		return;
	}
	match_note(m->notes, true, "cgroup \"%s\"", ESC(m->path));
	if (m->trust.boundary &&
	    cgroup_prefix(m->path, m->trust.boundary, pre, sizeof(pre)))
		match_note(m->notes, false,
			   "names below \"%s\" (depth %d), and its user.* xattrs: below the delegation boundary (%s)",
			   ESC(pre), m->trust.boundary, m->trust.why);
	if (m->unit[0])
		match_note(m->notes, true, "unit \"%s\" (depth %d)",
			   ESC(m->unit), m->unit_depth);
	if (m->machine[0])
		match_note(m->notes, true,
			   "machine \"%s\" (machined's scope is the unit)",
			   ESC(m->machine));
	note_other_units(m);
}

void vm_meta_init_notes(struct vm_meta *m, const char *cgroup_root,
			const char *machines_dir, char *path,
			struct match_notes *notes)
{
	char ignored[sizeof(m->machine)] = "";
	const char *why = NULL;

	memset(m, 0, sizeof(*m));
	m->cgroup_root = cgroup_root;
	m->machines_dir = machines_dir;
	m->path = path;
	m->notes = notes;
	if (path) {
		cgroup_trust(cgroup_root, path, &m->trust);
		/*
		 * machined registers scopes root's systemd made: the unit
		 * below the slices, which the VM's cgroup lies in.
		 */
		if (cgroup_unit(path, m->trust.names, m->unit, sizeof(m->unit),
				&m->unit_depth))
			cgroup_machine(machines_dir, m->unit, m->machine,
				       sizeof(m->machine));
		if (m->machine[0] && (why = machine_untrusted(m))) {
			memcpy(ignored, m->machine, sizeof(ignored));
			m->machine[0] = 0;
		}
	}
	note_meta(m);
	if (ignored[0])
		match_note(notes, false,
			   "machine \"%s\": its unit \"%s\" is %s, where users may register machines",
			   ESC(ignored), ESC(m->unit), why);
}

void vm_meta_init(struct vm_meta *m, const char *cgroup_root,
		  const char *machines_dir, char *path)
{
	vm_meta_init_notes(m, cgroup_root, machines_dir, path, NULL);
}

/* An xattr as classification reads it, once per cgroup per pass. */
struct xattr_memo {
	struct xattr_memo *next;
	int depth;		/* -1: none */
	char val[1024];
	char name[];
};

void vm_meta_free(struct vm_meta *m)
{
	struct xattr_memo *x, *next;

	for (x = m->memo; x; x = next) {
		next = x->next;
		free(x);
	}
	m->memo = NULL;
	free(m->path);
	m->path = NULL;
}

/*
 * Whether @m's path still names the cgroup the kernel recorded: cgroup2
 * cannot rename, and ids are never reused, so if it does after a read,
 * the read was of that cgroup (its ancestors cannot go while it lives).
 */
static bool still_there(struct vm_meta *m)
{
	if (m->cgroup_id && !m->gone &&
	    cgroup_id_of(m->cgroup_root, m->path) != m->cgroup_id)
		m->gone = true;
	return !m->gone;
}

int vm_meta_xattr(const struct vm_meta *cm, const char *name, char *val,
		  size_t len)
{
	struct vm_meta *m = (struct vm_meta *)cm;	/* the memo only */
	char from[PATH_MAX];
	struct xattr_memo *x;
	int max;

	if (!m->path || m->gone)
		return -1;
	for (x = m->memo; x && strcmp(x->name, name); x = x->next)
		;
	if (!x) {
		x = calloc(1, sizeof(*x) + strlen(name) + 1);
		if (!x)
			return -1;
		strcpy(x->name, name);
		max = cgroup_depth(m->path);
		if (!strncmp(name, "user.", 5)) {
			/*
			 * The boundary as of now, not of the pass: the cgroup
			 * may have been handed to a user since (the names
			 * keep the pass's view; xattrs are read now).
			 */
			struct cgroup_trust now;

			cgroup_trust(m->cgroup_root, m->path, &now);
			max = now.xattrs < m->trust.xattrs ? now.xattrs :
			      m->trust.xattrs;
		}
		if (!cgroup_prefix(m->path, max, from, sizeof(from)) ||
		    !cgroup_xattr(m->cgroup_root, from, name, x->val,
				  sizeof(x->val), &x->depth))
			x->depth = -1;
		if (!still_there(m)) {
			free(x);
			return -1;
		}
		x->next = m->memo;
		m->memo = x;
	}
	if (x->depth < 0 || strlen(x->val) >= len)
		return -1;
	strcpy(val, x->val);
	return x->depth;
}

void vm_meta_read(struct vm_meta *m, const char *cgroup_root,
		  const char *machines_dir, char *path, uint64_t id,
		  char *const *names, size_t n)
{
	char val[1024];
	size_t i;

	vm_meta_init(m, cgroup_root, machines_dir, path);
	m->cgroup_id = id;
	if (!m->path)
		return;
	for (i = 0; i < n && !m->gone; i++)
		vm_meta_xattr(m, names[i], val, sizeof(val));
	still_there(m);
}

/*
 * Globs on cgroup and unit names take '\' literally: it is systemd's own
 * escape (machine-qemu\x2d1\x2dvm.scope), and names are written as
 * systemctl shows them, not with every '\' doubled once more for fnmatch().
 */
#define FNM_NAME FNM_NOESCAPE

/*
 * Deepest ancestor-or-self of @path, at most @max deep (named by root),
 * matching @glob: its depth, or -1.
 */
static int match_cgroup(const char *glob, const char *path, int max)
{
	char buf[PATH_MAX], *slash;

	if (!cgroup_prefix(path, max, buf, sizeof(buf)))
		return -1;
	for (;;) {
		if (!fnmatch(glob, buf, FNM_PATHNAME | FNM_NAME))
			return cgroup_depth(buf);
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return !fnmatch(glob, "/", FNM_PATHNAME | FNM_NAME) ?
			       0 : -1;
		*slash = 0;
	}
}

/*
 * Deepest leading ".slice" component, at most @max deep, matching @glob:
 * its depth, or -1.
 */
static int match_slice(const char *glob, const char *path, int max)
{
	char comp[256];
	const char *p = path, *end;
	int d = 0, best = -1;
	size_t n;

	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (++d > max)
			break;
		/*
		 * systemd's slices are the leading components of a path; a
		 * ".slice" below a scope or service is a cgroup its owner
		 * (possibly a delegated user) named, and says nothing.
		 */
		if (n <= 6 || memcmp(p + n - 6, ".slice", 6))
			break;
		if (n < sizeof(comp)) {
			memcpy(comp, p, n);
			comp[n] = 0;
			if (!fnmatch(glob, comp, FNM_NAME))
				best = d;
		}
		p += n;
	}
	return best;
}

/*
 * xattr @c of @m's cgroup or its nearest ancestor that has it, into
 * @val: its depth, or -1.  trusted.* attributes can be set only with
 * CAP_SYS_ADMIN in the init user namespace (a delegate, a container's
 * root or a user session cannot), so they count at any depth.  user.*
 * ones, which whoever may write a cgroup can set, only where the clause
 * opts in, and never from the delegation boundary down.
 */
static int xattr_depth(const struct match_cond *c, const struct vm_meta *m,
		       char *val, size_t len)
{
	char from[PATH_MAX];
	int depth;

	if (!strncmp(c->xattr, "user.", 5) && m->notes &&
	    cgroup_xattr(m->cgroup_root, m->path, c->xattr, val, len, &depth) &&
	    depth > m->trust.xattrs &&
	    cgroup_prefix(m->path, depth, from, sizeof(from)))
		match_note(m->notes, false,
			   "xattr %s=\"%s\" on \"%s\": at or below the delegation boundary",
			   ESC(c->xattr), ESC(val), ESC(from));
	depth = vm_meta_xattr(m, c->xattr, val, len);
	if (depth < 0)
		return -1;
	if (cgroup_prefix(m->path, depth, from, sizeof(from)))
		match_note(m->notes, true, "xattr %s=\"%s\" on \"%s\" (depth %d)",
			   ESC(c->xattr), ESC(val), ESC(from), depth);
	return depth;
}

/* The depth at which @c holds for @m, or -1. */
static int cond_depth(const struct match_cond *c, const struct vm_meta *m)
{
	char val[1024];
	int depth;

	if (!m->path || m->gone)
		return -1;
	switch (c->field) {
	case MATCH_CGROUP:
		return match_cgroup(c->pattern, m->path, m->trust.names);
	case MATCH_SLICE:
		return match_slice(c->pattern, m->path, m->trust.names);
	case MATCH_UNIT:
		return m->unit[0] && !fnmatch(c->pattern, m->unit, FNM_NAME) ?
		       m->unit_depth : -1;
	case MATCH_MACHINE:
		return m->machine[0] && !fnmatch(c->pattern, m->machine, 0) ?
		       m->unit_depth : -1;
	case MATCH_XATTR:
		depth = xattr_depth(c, m, val, sizeof(val));
		if (depth < 0)
			return -1;
		return !fnmatch(c->pattern, val, 0) ? depth : -1;
	}
	return -1;
}

int match_score_cmp(const struct match_score *a, const struct match_score *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->conds != b->conds)
		return a->conds < b->conds ? -1 : 1;
	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return 0;
}

bool tenant_matches(const struct tenant *t, const struct vm_meta *m,
		    struct match_score *score)
{
	struct match_score s;
	bool any = false;
	size_t i, j;
	int d;

	for (i = 0; i < t->nclauses; i++) {
		const struct match_clause *cl = &t->clauses[i];

		s = (struct match_score){ .priority = t->priority,
					  .conds = (int)cl->n };
		for (j = 0; j < cl->n; j++) {
			d = cond_depth(&cl->conds[j], m);
			if (d < 0)
				break;
			if (d > s.depth)
				s.depth = d;
		}
		if (j < cl->n)
			continue;
		if (!any || match_score_cmp(&s, score) > 0)
			*score = s;
		any = true;
	}
	return any;
}

struct tenant *match_pick(struct tenant *const *ts, size_t n,
			  const struct vm_meta *m, bool *tie)
{
	struct match_score best = { 0 }, s;
	struct tenant *pick = NULL;
	size_t i;
	int c;

	*tie = false;
	for (i = 0; i < n; i++) {
		if (!ts[i] || !tenant_matches(ts[i], m, &s))
			continue;
		c = pick ? match_score_cmp(&s, &best) : 1;
		if (c > 0 || (c == 0 && strcmp(ts[i]->name, pick->name) < 0)) {
			*tie = c == 0;
			pick = ts[i];
			best = s;
		} else if (c == 0) {
			*tie = true;
		}
	}
	return pick;
}

/* Whether a clause of @ts names xattr @name (user.* only with opt-in). */
static bool xattr_named(struct tenant *const *ts, size_t n, const char *name)
{
	const struct match_clause *cl;
	size_t i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; ts[i] && j < ts[i]->nclauses; j++)
			for (cl = &ts[i]->clauses[j], k = 0; k < cl->n; k++)
				if (cl->conds[k].field == MATCH_XATTR &&
				    !strcmp(cl->conds[k].xattr, name))
					return true;
	return false;
}

void match_note_untrusted(const struct vm_meta *m, struct tenant *const *ts,
			  size_t n)
{
	char abs[PATH_MAX], pre[PATH_MAX], names[4096], val[1024];
	ssize_t len, vlen;
	int d, depth;
	char *x;

	if (!m->notes || !m->path)
		return;
	depth = cgroup_depth(m->path);
	for (d = 0; d <= depth; d++) {
		if (!cgroup_prefix(m->path, d, pre, sizeof(pre)) ||
		    snprintf(abs, sizeof(abs), "%s%s", m->cgroup_root,
			     d ? pre : "") >= (int)sizeof(abs))
			continue;
		len = llistxattr(abs, names, sizeof(names));
		for (x = names; len > 0 && x < names + len; x += strlen(x) + 1) {
			/* user.delegate is cgroup_trust()'s, with a note. */
			if (strncmp(x, "user.", 5) ||
			    !strcmp(x, "user.delegate") ||
			    xattr_named(ts, n, x))
				continue;
			vlen = getxattr(abs, x, val, sizeof(val) - 1);
			val[vlen > 0 ? vlen : 0] = 0;
			match_note(m->notes, false,
				   "xattr %s=\"%s\" on \"%s\": untrusted namespace (no clause with \"untrusted_xattrs\": true names it)",
				   ESC(x), ESC(val), ESC(pre));
		}
	}
}
