// SPDX-License-Identifier: GPL-2.0
/*
 * test_tenant_index: the candidates daemon/tenant_index.c gives a VM pick
 * what all tenants pick (match_pick() over both, on random tenants and a
 * real cgroup2 tree with trusted.* xattrs), literal-only tenants give a
 * VM few candidates, and a cgroup's metadata (vm_meta_read) is read once
 * and only from the cgroup the kernel recorded: one removed and made
 * again under its name reads as gone.
 *
 * The tree is made in a scratch directory standing for the cgroup2 root
 * (slices lead the path only at the root; the classification reads
 * names, xattrs and inode numbers, which any filesystem with trusted.*
 * xattrs has).
 */
#include <sys/xattr.h>

#include "tenant_index.h"
#include "fixture.h"
#include "../lib/tap.h"

#define NTENANTS 400
#define PLAN 10

static struct tenant *all[NTENANTS];
static char machines[PATH_MAX];
static char root[PATH_MAX];

/* The tree, below the fixture's base: slices, units, a delegated part. */
static const char *const dirs[] = {
	"/a.slice", "/a.slice/a-x.slice", "/a.slice/a-x.slice/vm-1.scope",
	"/a.slice/a-x.slice/vm-1.scope/vcpu0", "/a.slice/vm-2.scope",
	"/b.slice", "/b.slice/vm-3.service", "/b.slice/vm-3.service/inner",
	"/c.slice", "/c.slice/machine-m1.scope", "/c.slice/machine-m1.scope/emu",
	"/d.scope", "/d.scope/sub",
};
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))

static const char *const slices[] = { "a.slice", "a-x.slice", "b.slice",
				      "c.slice", "z.slice", "a*.slice",
				      "?.slice", "*" };
static const char *const units[] = { "vm-1.scope", "vm-3.service",
				     "machine-m1.scope", "d.scope", "vm-*",
				     "*.scope" };
static const char *const values[] = { "red", "green", "blue", "r*", "*" };
static const char *const xattrs[] = { "trusted.vpmu.t", "trusted.vpmu.u" };

static unsigned int seed = 12345;

static unsigned int rnd(unsigned int n)
{
	seed = seed * 1103515245 + 12345;
	return (seed >> 16) % n;
}

#define PICK(a) (a)[rnd(sizeof(a) / sizeof((a)[0]))]

/* One random condition as JSON, into @buf. */
static void cond(char *buf, size_t len, const char *base)
{
	switch (rnd(5)) {
	case 0:
		snprintf(buf, len, "\"slice\": \"%s\"", PICK(slices));
		break;
	case 1:
		snprintf(buf, len, "\"unit\": \"%s\"", PICK(units));
		break;
	case 2:
		snprintf(buf, len, "\"machine\": \"%s\"",
			 rnd(2) ? "m1" : "m*");
		break;
	case 3:
		snprintf(buf, len, "\"cgroup\": \"%s%s\"", base,
			 rnd(3) ? dirs[rnd(NDIRS)] : "/*.slice");
		break;
	default:
		snprintf(buf, len, "\"xattr\": {\"%s\": \"%s\"}", PICK(xattrs),
			 PICK(values));
	}
}

static struct tenant *random_tenant(int i, const char *base)
{
	char json[4096], c1[512], c2[512], name[64];
	struct tenant *t;
	struct diag d;
	int n = 0, k, nclauses = 1 + rnd(2);

	n += snprintf(json + n, sizeof(json) - n,
		      "{\"tenant\": \"t%03d\", \"priority\": %u, \"match\": [", i,
		      rnd(3));
	for (k = 0; k < nclauses; k++) {
		cond(c1, sizeof(c1), base);
		cond(c2, sizeof(c2), base);
		/* Two conditions on one field would be one JSON key twice. */
		if (rnd(2) && strncmp(c1, c2, 6))
			n += snprintf(json + n, sizeof(json) - n, "%s{%s, %s}",
				      k ? ", " : "", c1, c2);
		else
			n += snprintf(json + n, sizeof(json) - n, "%s{%s}",
				      k ? ", " : "", c1);
	}
	snprintf(json + n, sizeof(json) - n, "]}");
	diag_init(&d);
	snprintf(name, sizeof(name), "/etc/vpmu/tenants.d/t%03d.json", i);
	t = tenant_parse(name, json, strlen(json), VPMU_TARGET_ARM64, &d);
	if (!t)
		tap_bail("tenant %s: %s", json, d.n ? d.msgs[0] : "?");
	diag_free(&d);
	return t;
}

static bool set(const char *path, const char *name, const char *val)
{
	return !setxattr(path, name, val, strlen(val), 0);
}

static void test_equivalence(void)
{
	struct tenant *cands[4 * NTENANTS + 1];
	struct tenant_index ix = { 0 };
	char path[PATH_MAX], rel[PATH_MAX];
	size_t i, k, n, most = 0, same = 0, metas = 0, matched = 0, ties = 0;
	struct tenant *a, *b;
	bool ta, tb, ok;
	struct vm_meta m;

	for (i = 0; i < NTENANTS; i++)
		all[i] = random_tenant(i, "");
	ok = !tenant_index_build(&ix, all, NTENANTS);
	tap_check(ok && ix.ntenants == NTENANTS && ix.nxattrs == 2,
		  "%d random tenants indexed (%zu literals, %zu open, %zu xattr names)",
		  NTENANTS, ix.nlists, ix.open.n, ix.nxattrs);
	for (k = 0; k < NDIRS; k++) {
		fpath(rel, "%s", dirs[k]);
		fpath(path, "%s%s", root, rel);
		for (i = 0; i < 4; i++) {
			vm_meta_read(&m, root, machines, strdup(rel),
				     cgroup_id_of(root, rel), ix.xattrs,
				     ix.nxattrs);
			a = match_pick(all, NTENANTS, &m, &ta);
			n = tenant_index_candidates(&ix, &m, cands);
			b = match_pick(cands, n, &m, &tb);
			same += a == b && ta == tb;
			metas++;
			matched += a != NULL;
			ties += ta;
			if (a != b || ta != tb)
				tap_diag("%s: all tenants pick %s%s, candidates %s%s",
					 rel, a ? a->name : "none", ta ? " (tie)" : "",
					 b ? b->name : "none", tb ? " (tie)" : "");
			if (n > most)
				most = n;
			vm_meta_free(&m);
			/* The same cgroup with other xattr values, next round. */
			ok = set(path, xattrs[0], PICK(values)) &&
			     set(path, xattrs[1], PICK(values));
			if (!ok)
				tap_bail("setxattr %s: %s", path, strerror(errno));
		}
	}
	tap_check(same == metas && matched > metas / 2 && ties,
		  "over %zu cgroups and xattr values, the candidates pick what all tenants pick (%zu agree; %zu matched a tenant, %zu tied)",
		  metas, same, matched, ties);
	tap_check(most < NTENANTS,
		  "no VM had every tenant as a candidate (most: %zu of %d)",
		  most, NTENANTS);
	tenant_index_free(&ix);
	for (i = 0; i < NTENANTS; i++)
		tenant_free(all[i]);
}

/* 10,000 tenants naming their slice: a VM has one candidate. */
static void test_literal_scale(void)
{
	static struct tenant *ts[10000];
	struct tenant *cands[10001], *t;
	struct tenant_index ix = { 0 };
	char json[256], rel[PATH_MAX];
	struct vm_meta m;
	struct diag d;
	bool tie;
	size_t i, n;

	for (i = 0; i < 10000; i++) {
		snprintf(json, sizeof(json),
			 "{\"tenant\": \"s%05zu\", \"match\": {\"slice\": \"s%05zu.slice\"}}",
			 i, i);
		diag_init(&d);
		ts[i] = tenant_parse("s.json", json, strlen(json),
				     VPMU_TARGET_ARM64, &d);
		diag_free(&d);
		if (!ts[i])
			tap_bail("tenant %s", json);
	}
	tap_check(!tenant_index_build(&ix, ts, 10000) && ix.open.n == 0,
		  "10000 slice tenants indexed, none open");
	fpath(rel, "/s04242.slice/vm.scope");
	fpath(json, "%s/s04242.slice", root);
	mkdir(json, 0755);
	fpath(json, "%s%s", root, rel);
	mkdir(json, 0755);
	vm_meta_read(&m, root, machines, strdup(rel), 0, NULL, 0);
	n = tenant_index_candidates(&ix, &m, cands);
	t = match_pick(cands, n, &m, &tie);
	tap_check(n == 1 && t && !strcmp(t->name, "s04242"),
		  "a VM in s04242.slice has 1 candidate (%zu), and it matches", n);
	vm_meta_free(&m);
	tenant_index_free(&ix);
	for (i = 0; i < 10000; i++)
		tenant_free(ts[i]);
}

/*
 * On cgroup2 itself: other filesystems reuse a removed directory's inode
 * number at once, cgroup2 never reuses an id.
 */
static void test_meta_read(const struct fixture *f)
{
	char path[PATH_MAX], rel[PATH_MAX], val[64];
	char *names[] = { "trusted.vpmu.t" };
	const char *root = f->root;
	uint64_t id, id2;
	struct vm_meta m;
	int depth;

	if (!f->cg2) {
		for (depth = 0; depth < 3; depth++)
			tap_skip(f->why, "cgroup ids");
		return;
	}
	fpath(path, "%s%s", root, f->base);
	if (mkdir(path, 0755) && errno != EEXIST)
		tap_bail("mkdir %s: %s", path, strerror(errno));
	fpath(rel, "%s/again", f->base);
	fpath(path, "%s%s", root, rel);
	if (mkdir(path, 0755) || !set(path, names[0], "red"))
		tap_bail("mkdir/setxattr %s: %s", path, strerror(errno));
	id = cgroup_id_of(root, rel);
	vm_meta_read(&m, root, machines, strdup(rel), id, names, 1);
	set(path, names[0], "blue");
	depth = vm_meta_xattr(&m, names[0], val, sizeof(val));
	tap_check(!m.gone && depth == cgroup_depth(rel) && !strcmp(val, "red"),
		  "an xattr is read once per pass: a later change is not seen (got \"%s\")",
		  depth < 0 ? "-" : val);
	vm_meta_free(&m);

	/* Removed and made again under its name: another cgroup. */
	if (rmdir(path) || mkdir(path, 0755) || !set(path, names[0], "green"))
		tap_bail("remaking %s: %s", path, strerror(errno));
	id2 = cgroup_id_of(root, rel);
	vm_meta_read(&m, root, machines, strdup(rel), id, names, 1);
	tap_check(id2 != id && m.gone &&
		  vm_meta_xattr(&m, names[0], val, sizeof(val)) < 0,
		  "a cgroup removed and made again under its name reads as gone (ids %llu, %llu)",
		  (unsigned long long)id, (unsigned long long)id2);
	vm_meta_free(&m);
	vm_meta_read(&m, root, machines, strdup(rel), id2, names, 1);
	tap_check(!m.gone && vm_meta_xattr(&m, names[0], val, sizeof(val)) >= 0 &&
		  !strcmp(val, "green"),
		  "the new cgroup, by its own id, reads as itself");
	vm_meta_free(&m);
	rmdir(path);
}

/*
 * A user.* xattr first needed after the pass (a tenant added since names
 * it) is judged by the delegation boundary as of the read: the cgroup
 * handed to a user since must not lend the user's label root's trust.
 */
static void test_lazy_trust(void)
{
	char p[PATH_MAX], val[64];
	const char *rel = "/lazy.slice/vm.scope";
	struct vm_meta m;
	int depth;

	mkdir(fpath(p, "%s/lazy.slice", root), 0755);
	mkdir(fpath(p, "%s%s", root, rel), 0755);
	vm_meta_read(&m, root, machines, strdup(rel), 0, NULL, 0);
	if (chown(p, 1000, 1000) || setxattr(p, "user.vpmu.t", "gold", 4, 0))
		tap_bail("chown/setxattr %s: %s", p, strerror(errno));
	depth = vm_meta_xattr(&m, "user.vpmu.t", val, sizeof(val));
	tap_check(depth < 0,
		  "a user.* xattr read after its cgroup was delegated is not trusted (depth %d, boundary at the pass: %d)",
		  depth, m.trust.boundary);
	vm_meta_free(&m);
}

/*
 * A path that names a literal twice (a slice name repeated) takes its
 * tenants once: the candidates fit in nentries + 1 (ASan checks the
 * exact-size array).
 */
static void test_repeated_literal(void)
{
	const char *json = "{\"tenant\": \"x\", \"match\": {\"slice\": \"x.slice\"}}";
	const char *rel = "/x.slice/x.slice/x.slice/vm.scope";
	struct tenant_index ix = { 0 };
	struct tenant *t, **cands;
	char p[PATH_MAX];
	struct vm_meta m;
	struct diag d;
	size_t n;

	diag_init(&d);
	t = tenant_parse("x.json", json, strlen(json), VPMU_TARGET_ARM64, &d);
	diag_free(&d);
	if (!t || tenant_index_build(&ix, &t, 1))
		tap_bail("tenant x");
	mkdir(fpath(p, "%s/x.slice", root), 0755);
	mkdir(fpath(p, "%s/x.slice/x.slice", root), 0755);
	mkdir(fpath(p, "%s/x.slice/x.slice/x.slice", root), 0755);
	mkdir(fpath(p, "%s%s", root, rel), 0755);
	cands = calloc(ix.nentries + 1, sizeof(*cands));
	vm_meta_read(&m, root, machines, strdup(rel), 0, NULL, 0);
	n = tenant_index_candidates(&ix, &m, cands);
	tap_check(n == 1 && cands[0] == t,
		  "a slice named three times down the path gives its tenant once (%zu candidates, room for %zu)",
		  n, ix.nentries + 1);
	vm_meta_free(&m);
	free(cands);
	tenant_index_free(&ix);
	tenant_free(t);
}

static void mkdirs(const struct fixture *f)
{
	char path[PATH_MAX];
	size_t i;

	if (mkdir(fpath(root, "%s/cg", f->scratch), 0755))
		tap_bail("mkdir %s: %s", root, strerror(errno));
	for (i = 0; i < NDIRS; i++)
		if (mkdir(fpath(path, "%s%s", root, dirs[i]), 0755))
			tap_bail("mkdir %s: %s", path, strerror(errno));
	fpath(machines, "%s/machines", f->scratch);
	mkdir(machines, 0755);
	fpath(path, "%s/m1", machines);
	FILE *mf = fopen(path, "w");

	if (!mf)
		tap_bail("%s: %s", path, strerror(errno));
	fputs("NAME=m1\nSCOPE=machine-m1.scope\n", mf);
	fclose(mf);
}

static int checks(struct fixture *f)
{
	tap_plan(PLAN);
	mkdirs(f);
	test_equivalence();
	test_literal_scale();
	test_meta_read(f);
	test_lazy_trust();
	test_repeated_literal();
	return tap_finish();
}

int main(void)
{
	struct fixture f;
	int rc;

	fixture_setup(&f, "tenant-index");
	rc = fixture_run(checks, &f);
	if (!fixture_teardown(&f))
		rc = 1;
	return rc;
}
