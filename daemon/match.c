// SPDX-License-Identifier: GPL-2.0
/* Tenant matching and precedence (see match.h). */
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "match.h"

void vm_meta_init(struct vm_meta *m, const char *cgroup_root,
		  const char *machines_dir, char *path)
{
	memset(m, 0, sizeof(*m));
	m->cgroup_root = cgroup_root;
	m->machines_dir = machines_dir;
	m->path = path;
	if (path && cgroup_unit(path, m->unit, sizeof(m->unit),
				&m->unit_depth))
		cgroup_machine(machines_dir, m->unit, m->machine,
			       sizeof(m->machine));
}

void vm_meta_free(struct vm_meta *m)
{
	free(m->path);
	m->path = NULL;
}

/*
 * Globs on cgroup and unit names take '\' literally: it is systemd's own
 * escape (machine-qemu\x2d1\x2dvm.scope), and names are written as
 * systemctl shows them, not with every '\' doubled once more for fnmatch().
 */
#define FNM_NAME FNM_NOESCAPE

/* Deepest ancestor-or-self of @path matching @glob: its depth, or -1. */
static int match_cgroup(const char *glob, const char *path)
{
	char buf[PATH_MAX], *slash;

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
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

/* Deepest ".slice" component matching @glob: its depth, or -1. */
static int match_slice(const char *glob, const char *path)
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
		d++;
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

/* The depth at which @c holds for @m, or -1. */
static int cond_depth(const struct match_cond *c, const struct vm_meta *m)
{
	char val[1024];
	int depth;

	if (!m->path)
		return -1;
	switch (c->field) {
	case MATCH_CGROUP:
		return match_cgroup(c->pattern, m->path);
	case MATCH_SLICE:
		return match_slice(c->pattern, m->path);
	case MATCH_UNIT:
		return m->unit[0] && !fnmatch(c->pattern, m->unit, FNM_NAME) ?
		       m->unit_depth : -1;
	case MATCH_MACHINE:
		return m->machine[0] && !fnmatch(c->pattern, m->machine, 0) ?
		       m->unit_depth : -1;
	case MATCH_XATTR:
		if (!cgroup_xattr(m->cgroup_root, m->path, c->xattr, val,
				  sizeof(val), &depth))
			return -1;
		return !fnmatch(c->pattern, val, 0) ? depth : -1;
	}
	return -1;
}

static int cmp_score(const struct match_score *a, const struct match_score *b)
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
		if (!any || cmp_score(&s, score) > 0)
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
		c = pick ? cmp_score(&s, &best) : 1;
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
