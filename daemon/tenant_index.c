// SPDX-License-Identifier: GPL-2.0
/* Candidate tenants of a VM, by the literals their clauses need. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "cgroup.h"
#include "tenant_index.h"

/*
 * Whether @c's pattern matches only itself.  Globs on cgroup paths,
 * slices and units take '\' literally (FNM_NOESCAPE, see match.c); on
 * machine names and xattr values it escapes, so it is no literal there.
 */
static bool literal(const struct match_cond *c)
{
	const char *glob = c->field == MATCH_MACHINE || c->field == MATCH_XATTR ?
			   "*?[\\" : "*?[";

	return !strpbrk(c->pattern, glob);
}

/* "field \x1f [xattr name \x1f] value": what a literal condition needs. */
static bool key_of(char *buf, size_t len, enum match_field f,
		   const char *xattr, const char *val)
{
	return snprintf(buf, len, "%d\x1f%s%s%s", (int)f, xattr ? xattr : "",
			xattr ? "\x1f" : "", val) < (int)len;
}

static int list_add(struct tenant_list *l, struct tenant *t)
{
	void *p;

	/* A tenant's clauses may need one literal twice: list it once. */
	if (l->n && l->v[l->n - 1] == t)
		return 0;
	if (l->n == l->cap) {
		p = realloc(l->v, (l->cap ? 2 * l->cap : 4) * sizeof(*l->v));
		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = l->cap ? 2 * l->cap : 4;
	}
	l->v[l->n++] = t;
	return 1;
}

static int add_xattr_name(struct tenant_index *ix, const char *name)
{
	size_t i;
	void *p;

	for (i = 0; i < ix->nxattrs; i++)
		if (!strcmp(ix->xattrs[i], name))
			return 0;
	p = realloc(ix->xattrs, (ix->nxattrs + 1) * sizeof(*ix->xattrs));
	if (!p)
		return -ENOMEM;
	ix->xattrs = p;
	ix->xattrs[ix->nxattrs] = strdup(name);
	return ix->xattrs[ix->nxattrs++] ? 0 : -ENOMEM;
}

static int add_clause(struct tenant_index *ix, struct tenant *t,
		      const struct match_clause *cl)
{
	const struct match_cond *lit = NULL;
	char key[PATH_MAX + 512];
	uint32_t li;
	size_t i;
	void *p;

	for (i = 0; i < cl->n; i++) {
		if (cl->conds[i].field == MATCH_XATTR &&
		    add_xattr_name(ix, cl->conds[i].xattr))
			return -ENOMEM;
		if (!lit && literal(&cl->conds[i]))
			lit = &cl->conds[i];
	}
	if (!lit || !key_of(key, sizeof(key), lit->field,
			    lit->field == MATCH_XATTR ? lit->xattr : NULL,
			    lit->pattern))
		return list_add(&ix->open, t);
	if (!strmap_get(&ix->keys, key, &li)) {
		p = realloc(ix->lists, (ix->nlists + 1) * sizeof(*ix->lists));
		if (!p)
			return -ENOMEM;
		ix->lists = p;
		li = ix->nlists;
		memset(&ix->lists[li], 0, sizeof(ix->lists[li]));
		if (!strmap_put(&ix->keys, key, li))
			return -ENOMEM;
		ix->nlists++;
	}
	return list_add(&ix->lists[li], t);
}

void tenant_index_free(struct tenant_index *ix)
{
	size_t i;

	strmap_clear(&ix->keys);
	for (i = 0; i < ix->nlists; i++)
		free(ix->lists[i].v);
	free(ix->lists);
	free(ix->open.v);
	for (i = 0; i < ix->nxattrs; i++)
		free(ix->xattrs[i]);
	free(ix->xattrs);
	memset(ix, 0, sizeof(*ix));
}

int tenant_index_build(struct tenant_index *ix, struct tenant *const *ts,
		       size_t n)
{
	size_t i, j;
	int err;

	tenant_index_free(ix);
	for (i = 0; i < n; i++) {
		if (!ts[i])
			continue;
		ix->ntenants++;
		for (j = 0; j < ts[i]->nclauses; j++) {
			err = add_clause(ix, ts[i], &ts[i]->clauses[j]);
			if (err > 0)
				ix->nentries += err;
			if (err < 0) {
				/* Half an index would miss tenants. */
				tenant_index_free(ix);
				return err;
			}
		}
	}
	return 0;
}

/*
 * @out has room for every list's entries once (nentries): a list a VM's
 * metadata names twice (a slice name repeated down the path) is taken
 * once, by its stamp, so it never overflows.
 */
struct found {
	struct tenant **out;
	size_t n;
	uint64_t stamp;		/* this call's */
};

/* Each list holds a tenant once (list_add); lists may share tenants. */
static void take(struct found *f, struct tenant_list *l)
{
	if (l->stamp == f->stamp)
		return;
	l->stamp = f->stamp;
	if (!l->n)
		return;
	memcpy(f->out + f->n, l->v, l->n * sizeof(*l->v));
	f->n += l->n;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Keep each candidate once. */
static size_t unique(struct tenant **v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_ptr);
	for (i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

static void lookup(struct tenant_index *ix, struct found *f,
		   enum match_field field, const char *xattr, const char *val)
{
	char key[PATH_MAX + 512];
	uint32_t li;

	if (key_of(key, sizeof(key), field, xattr, val) &&
	    strmap_get(&ix->keys, key, &li))
		take(f, &ix->lists[li]);
}

size_t tenant_index_candidates(struct tenant_index *ix,
			       const struct vm_meta *m, struct tenant **out)
{
	static uint64_t stamps;
	struct found f = { .out = out, .stamp = ++stamps };
	char buf[PATH_MAX];
	const char *p, *c;
	size_t i, n;
	int d;

	take(&f, &ix->open);
	if (!m->path || m->gone)
		return unique(f.out, f.n);
	/* A tenant with several clauses may be in several lists. */
	/* What match.c's conditions look at, each as one literal. */
	for (p = m->path, d = 1; (c = cgroup_next(&p, &n)) && d <= m->trust.names;
	     d++) {
		if (n <= 6 || memcmp(c + n - 6, ".slice", 6) || n >= sizeof(buf))
			break;
		memcpy(buf, c, n);
		buf[n] = 0;
		lookup(ix, &f, MATCH_SLICE, NULL, buf);
	}
	for (d = 0; d <= m->trust.names; d++)
		if (cgroup_prefix(m->path, d, buf, sizeof(buf)))
			lookup(ix, &f, MATCH_CGROUP, NULL, buf);
	if (m->unit[0])
		lookup(ix, &f, MATCH_UNIT, NULL, m->unit);
	if (m->machine[0])
		lookup(ix, &f, MATCH_MACHINE, NULL, m->machine);
	for (i = 0; i < ix->nxattrs; i++)
		if (vm_meta_xattr(m, ix->xattrs[i], buf, sizeof(buf)) >= 0)
			lookup(ix, &f, MATCH_XATTR, ix->xattrs[i], buf);
	return unique(f.out, f.n);
}
