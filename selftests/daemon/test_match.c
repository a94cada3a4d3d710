// SPDX-License-Identifier: GPL-2.0
/*
 * test_match: which tenant a VM belongs to (daemon/match.c), with
 * tenants compiled from small JSON files by tenant_parse().
 *
 * Each kind of condition on its own: "cgroup" (a glob on the cgroup or an
 * ancestor, '*' not crossing '/'), "slice" (a leading .slice component),
 * "unit", "machine" (looked up in a fake /run/systemd/machines) and
 * "xattr" (on a real cgroup2 hierarchy; skipped without one); conditions
 * ANDed within a clause and clauses ORed; the precedence of match.h
 * (priority, number of conditions, depth, then name with the tie
 * reported); and a VM whose cgroup is unknown matching nothing.  The
 * checks run in a child; the parent removes the cgroups and files.
 */
#include <sys/xattr.h>

#include "match.h"
#include "fixture.h"
#include "../lib/tap.h"

#define N_XATTR 11
#define N_TRUST 22
#define PLAN (69 + N_XATTR + N_TRUST)

/* A fake hierarchy of root's directories, made as the tests name paths. */
static char fake_root[PATH_MAX];
static const char *cg_root = fake_root;
static char machines[PATH_MAX];

static struct tenant *all[128];
static size_t nall;

/* The tenant of "@name.json" holding @json; bails out if it is invalid. */
static struct tenant *mk(const char *name, const char *json)
{
	char file[128];
	struct tenant *t;
	struct diag d;
	size_t i;

	diag_init(&d);
	snprintf(file, sizeof(file), "/etc/vpmu/tenants.d/%s.json", name);
	t = tenant_parse(file, json, strlen(json), VPMU_TARGET_X86_INTEL, &d);
	for (i = 0; i < d.n; i++)
		tap_diag("%s", d.msgs[i]);
	diag_free(&d);
	if (!t || nall == sizeof(all) / sizeof(all[0]))
		tap_bail("cannot make tenant %s from %s", name, json);
	all[nall++] = t;
	return t;
}

/* A tenant with the single clause @clause. */
static struct tenant *mk1(const char *clause)
{
	char json[2048];

	snprintf(json, sizeof(json), "{\"match\": %s}", clause);
	return mk("t", json);
}

/* mkdir -p @root@path (the daemon trusts only what root made). */
static void mkdirs(const char *root, const char *path)
{
	char buf[PATH_MAX], *p;

	fpath(buf, "%s%s", root, path);
	for (p = buf + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

static void meta(struct vm_meta *m, const char *path)
{
	if (path && cg_root == fake_root)
		mkdirs(fake_root, path);
	vm_meta_init(m, cg_root, machines, path ? strdup(path) : NULL);
}

/*
 * Whether @t matches the VM in @path: @conds and @depth of the best
 * clause, or @conds < 0 for no match.
 */
static void expect(const struct tenant *t, const char *path, int conds,
		   int depth, const char *what)
{
	struct match_score s = { -1, -1, -1 };
	struct vm_meta m;
	bool got;

	meta(&m, path);
	got = tenant_matches(t, &m, &s);
	if (conds < 0) {
		if (!tap_check(!got, "%s: %s does not match", what,
			       path ? path : "(no cgroup)"))
			tap_diag("  matched: %d conditions, depth %d", s.conds,
				 s.depth);
	} else if (!tap_check(got && s.conds == conds && s.depth == depth &&
			      s.priority == t->priority,
			      "%s: %s matches, %d condition(s), depth %d", what,
			      path, conds, depth)) {
		tap_diag("  got %d: %d conditions, depth %d, priority %lld",
			 got, s.conds, s.depth, s.priority);
	}
	vm_meta_free(&m);
}

/* The clause @clause as the only one of a tenant. */
static void expect1(const char *clause, const char *path, int conds,
		    int depth)
{
	expect(mk1(clause), path, conds, depth, clause);
}

#define VCPU "/tenant-a.slice/vm-1.scope/vcpu0"

static void test_cgroup(void)
{
	expect1("{\"cgroup\": \"/tenant-a.slice\"}", "/tenant-a.slice/vm-1.scope",
		1, 1);
	expect1("{\"cgroup\": \"/tenant-a.slice/*\"}", VCPU, 1, 2);
	expect1("{\"cgroup\": \"/tenant-a.slice/*\"}", "/tenant-a.slice", -1, 0);
	expect1("{\"cgroup\": \"/*/vcpu0\"}", "/a/b/vcpu0", -1, 0);
	expect1("{\"cgroup\": \"/*/*/vcpu0\"}", "/a/b/vcpu0", 1, 3);
	expect1("{\"cgroup\": \"/*\"}", "/x.slice/y.scope", 1, 1);
	expect1("{\"cgroup\": \"" VCPU "\"}", VCPU, 1, 3);
	expect1("{\"cgroup\": \"/tenant-b*\"}", "/tenant-a.slice/vm-1.scope",
		-1, 0);
	expect1("{\"cgroup\": \"/\"}", "/tenant-a.slice", 1, 0);
	expect1("{\"cgroup\": \"/tenant-a.slice\"}", "/tenant-a.slicex/vm",
		-1, 0);
	expect1("{\"cgroup\": \"/tenant-?.slice/vm-[0-9].scope\"}", VCPU, 1, 2);
	expect1("{\"cgroup\": \"/*.slice/vm-1.scope\"}",
		"/machine.slice/tenant-a.slice/vm-1.scope", -1, 0);
	/* Unit names as systemd shows them, '\' and all. */
	expect1("{\"cgroup\": \"/machine.slice/machine-qemu\\\\x2d1\\\\x2dvm.scope\"}",
		"/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/vcpu0",
		1, 2);
}

static void test_slice(void)
{
	expect1("{\"slice\": \"tenant-*.slice\"}",
		"/machine.slice/tenant-a.slice/vm.scope", 1, 2);
	expect1("{\"slice\": \"*.slice\"}", "/a.slice/b.slice/x.scope", 1, 2);
	expect1("{\"slice\": \"machine.slice\"}",
		"/machine.slice/tenant-a.slice/vm.scope", 1, 1);
	expect1("{\"slice\": \"vm-1.scope\"}", "/tenant-a.slice/vm-1.scope",
		-1, 0);
	expect1("{\"slice\": \"machine\"}", "/machine.slice/x.scope", -1, 0);
	expect1("{\"slice\": \"tenant-a.slice\"}", "/tenant-a.slicex/vm.scope",
		-1, 0);
	expect1("{\"slice\": \"*\"}", "/a.slice/b.scope", 1, 1);
	expect1("{\"slice\": \"*\"}", "/b.scope", -1, 0);
	expect1("{\"slice\": \"tenant\\\\x2da.slice\"}",
		"/tenant.slice/tenant\\x2da.slice/vm.scope", 1, 2);
	/* Only systemd's leading slices: not a ".slice" its owner made below. */
	expect1("{\"slice\": \"vip.slice\"}",
		"/user.slice/u.service/vip.slice/vm.scope", -1, 0);
}

static void test_unit(void)
{
	expect1("{\"unit\": \"vm-*.scope\"}", VCPU, 1, 2);
	expect1("{\"unit\": \"*.service\"}", VCPU, -1, 0);
	expect1("{\"unit\": \"vm-1.scope\"}", "/tenant-a.slice", -1, 0);
	expect1("{\"unit\": \"vm-1.scope\"}", "/tenant-a.slice/vm-1.scope", 1,
		2);
	expect1("{\"unit\": \"machine-qemu\\\\x2d1\\\\x2dvm.scope\"}",
		"/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/vcpu0",
		1, 2);
}

static bool write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return false;
	fputs(text, fp);
	return !fclose(fp);
}

#define QEMU "/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/vcpu0"

static void test_machine(const struct fixture *f)
{
	char path[PATH_MAX];
	struct vm_meta m;
	bool ok;

	fpath(machines, "%s/machines", f->scratch);
	ok = !mkdir(machines, 0755);
	ok &= write_file(fpath(path, "%s/foo", machines),
			 "NAME=foo\nSCOPE=machine-foo.scope\nCLASS=vm\n");
	ok &= write_file(fpath(path, "%s/qemu-1-vm", machines),
			 "NAME=qemu-1-vm\n"
			 "SCOPE=machine-qemu\\\\x2d1\\\\x2dvm.scope\n");
	tap_check(ok, "fake machines directory %s", machines);

	meta(&m, QEMU);
	tap_check(!strcmp(m.unit, "machine-qemu\\x2d1\\x2dvm.scope") &&
		  m.unit_depth == 2 && !strcmp(m.machine, "qemu-1-vm"),
		  "vm_meta_init: unit, its depth and machine");
	vm_meta_free(&m);
	meta(&m, "/system.slice/sshd.service");
	tap_check(!strcmp(m.unit, "sshd.service") && !m.machine[0],
		  "vm_meta_init: a unit that is no machine");
	vm_meta_free(&m);

	expect1("{\"machine\": \"foo\"}", "/machine.slice/machine-foo.scope",
		1, 2);
	expect1("{\"machine\": \"f*\"}", "/machine.slice/machine-foo.scope/x",
		1, 2);
	expect1("{\"machine\": \"bar\"}", "/machine.slice/machine-foo.scope",
		-1, 0);
	expect1("{\"machine\": \"qemu-1-*\"}", QEMU, 1, 2);
	expect1("{\"machine\": \"*\"}", "/system.slice/sshd.service", -1, 0);
	expect1("{\"slice\": \"machine.slice\", \"machine\": \"qemu-*\"}", QEMU,
		2, 2);
}

static void test_and_or(void)
{
	const char *and = "{\"cgroup\": \"/tenant-a.slice\", \"unit\": \"vm-2.scope\"}";

	expect1(and, "/tenant-a.slice/vm-1.scope", -1, 0);
	expect1(and, "/tenant-a.slice/vm-2.scope", 2, 2);
	expect1(and, "/tenant-b.slice/vm-2.scope", -1, 0);
	expect1("{\"slice\": \"tenant-a.slice\", \"unit\": \"vm-1.scope\"}",
		VCPU, 2, 2);
	expect1("{\"cgroup\": \"" VCPU "\", \"unit\": \"vm-1.scope\"}", VCPU,
		2, 3);
	expect1("[{\"unit\": \"nope.scope\"}, {\"slice\": \"tenant-a.slice\"}]",
		VCPU, 1, 1);
	expect1("[{\"unit\": \"nope.scope\"}, {\"slice\": \"nope.slice\"}]",
		VCPU, -1, 0);
	expect1("[{\"slice\": \"tenant-a.slice\"}, {\"slice\": \"tenant-a.slice\", \"unit\": \"vm-1.scope\"}]",
		VCPU, 2, 2);
	expect1("[{\"slice\": \"tenant-a.slice\", \"unit\": \"vm-1.scope\"}, {\"slice\": \"tenant-a.slice\"}]",
		VCPU, 2, 2);
	expect1("[{\"cgroup\": \"/tenant-a.slice\"}, {\"unit\": \"vm-1.scope\"}]",
		VCPU, 1, 2);
	expect1("[{\"unit\": \"vm-1.scope\"}, {\"cgroup\": \"/tenant-a.slice\"}]",
		VCPU, 1, 2);
	expect(mk("nomatch", "{\"default\": \"allow\"}"), VCPU, -1, 0,
	       "no \"match\"");
}

static void test_no_path(void)
{
	struct tenant *ts[4];
	struct vm_meta m;
	bool tie = true;

	ts[0] = mk1("{\"cgroup\": \"/\"}");
	ts[1] = mk1("{\"slice\": \"*\"}");
	ts[2] = mk1("[{\"unit\": \"*\"}, {\"machine\": \"*\"}]");
	ts[3] = mk1("{\"xattr\": {\"trusted.tenant\": \"*\"}}");
	expect(ts[0], NULL, -1, 0, "cgroup \"/\"");
	expect(ts[1], NULL, -1, 0, "slice \"*\"");
	expect(ts[2], NULL, -1, 0, "unit or machine \"*\"");
	expect(ts[3], NULL, -1, 0, "xattr \"*\"");
	meta(&m, NULL);
	tap_check(!m.unit[0] && !m.machine[0] &&
		  !match_pick(ts, 4, &m, &tie) && !tie,
		  "a VM without a cgroup path: no unit, machine or tenant");
	vm_meta_free(&m);
}

/* match_pick() over @n tenants for the VM in @path picks @want. */
static void pick(struct tenant **ts, size_t n, const char *path,
		 const struct tenant *want, bool want_tie, const char *what)
{
	struct vm_meta m;
	struct tenant *t;
	bool tie = !want_tie;

	meta(&m, path);
	t = match_pick(ts, n, &m, &tie);
	if (!tap_check(t == want && tie == want_tie, "%s: %s%s", what,
		       want ? want->name : "none", want_tie ? ", a tie" : ""))
		tap_diag("  got %s, tie %d", t ? t->name : "none", tie);
	vm_meta_free(&m);
}

#define PICK(want, tie, what, ...)                                       \
	do {                                                             \
		struct tenant *__ts[] = { __VA_ARGS__ };                 \
		pick(__ts, sizeof(__ts) / sizeof(__ts[0]), VCPU, want,   \
		     tie, what);                                         \
	} while (0)

static void test_precedence(void)
{
	struct tenant *hi, *spec, *neg, *zero, *two, *deep, *shallow, *deeper;
	struct tenant *alpha, *beta, *gamma, *lo_a, *lo_b, *multi, *single;

	hi = mk("hi", "{\"priority\": 10, \"match\": {\"slice\": \"*.slice\"}}");
	spec = mk("spec", "{\"match\": {\"slice\": \"tenant-a.slice\", \"unit\": \"vm-1.scope\", \"cgroup\": \"" VCPU "\"}}");
	PICK(hi, false, "priority first", hi, spec);
	PICK(hi, false, "priority first (other order)", spec, hi);
	neg = mk("neg", "{\"priority\": -5, \"match\": {\"cgroup\": \"" VCPU "\", \"unit\": \"vm-1.scope\"}}");
	zero = mk("zero", "{\"match\": {\"slice\": \"*.slice\"}}");
	PICK(zero, false, "a negative priority is below the default", neg,
	     zero);

	two = mk("two", "{\"match\": {\"slice\": \"tenant-a.slice\", \"cgroup\": \"/tenant-a.slice\"}}");
	deep = mk("deep", "{\"match\": {\"cgroup\": \"" VCPU "\"}}");
	PICK(two, false, "then more conditions, however shallow", deep, two);

	shallow = mk("shallow", "{\"match\": {\"cgroup\": \"/tenant-a.slice\"}}");
	deeper = mk("deeper", "{\"match\": {\"unit\": \"vm-1.scope\"}}");
	PICK(deeper, false, "then the deeper match", shallow, deeper);
	PICK(deeper, false, "then the deeper match (other order)", deeper,
	     shallow);

	alpha = mk("alpha", "{\"match\": {\"slice\": \"tenant-a.slice\"}}");
	beta = mk("beta", "{\"match\": {\"cgroup\": \"/tenant-a.slice\"}}");
	gamma = mk("gamma", "{\"match\": {\"slice\": \"tenant-*\"}}");
	PICK(alpha, true, "else a tie, won by name", alpha, beta);
	PICK(alpha, true, "else a tie, won by name (other order)", beta, alpha);
	PICK(alpha, true, "a three-way tie", gamma, beta, alpha);

	lo_a = mk("lo-a", "{\"priority\": -1, \"match\": {\"slice\": \"*\"}}");
	lo_b = mk("lo-b", "{\"priority\": -1, \"match\": {\"slice\": \"*\"}}");
	PICK(hi, false, "a tie below the winner is none", lo_b, lo_a, hi);
	PICK(hi, false, "a tie below the winner is none (winner first)", hi,
	     lo_b, lo_a);
	PICK(alpha, true, "a tie above a lower tenant", lo_b, beta, alpha);

	multi = mk("multi", "{\"match\": [{\"slice\": \"*.slice\"}, {\"slice\": \"tenant-a.slice\", \"unit\": \"vm-1.scope\"}]}");
	single = mk("single", "{\"match\": {\"unit\": \"vm-1.scope\"}}");
	PICK(multi, false, "a tenant competes with its best clause", single,
	     multi);

	PICK(deeper, false, "NULL entries are skipped", NULL, deeper, NULL);
	PICK(NULL, false, "no tenant matches", mk1("{\"unit\": \"x.scope\"}"),
	     NULL);
}

static void test_xattr(struct fixture *f)
{
	const char *const dirs[] = { "", "/tenant-a.slice",
				     "/tenant-a.slice/vm-1.scope",
				     "/tenant-a.slice/vm-1.scope/vcpu0",
				     "/tenant-b.slice" };
	char path[PATH_MAX], vcpu[PATH_MAX], other[PATH_MAX], json[1024];
	struct tenant *by_slice, *by_scope;
	size_t i;
	int err;

	if (!f->cg2) {
		for (i = 0; i < N_XATTR; i++)
			tap_skip(f->why, "xattr conditions");
		return;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!mkdir(fpath(path, "%s%s%s", f->root, f->base, dirs[i]),
			   0755))
			continue;
		err = errno;
		if (err != EACCES && err != EPERM && err != EROFS)
			tap_bail("mkdir %s: %s", path, strerror(err));
		for (i = 0; i < N_XATTR; i++)
			tap_skip(strerror(err), "xattr conditions (mkdir)");
		return;
	}
	if (setxattr(fpath(path, "%s%s%s", f->root, f->base, dirs[1]),
		     "trusted.tenant", "acme", 4, 0) ||
	    setxattr(fpath(path, "%s%s%s", f->root, f->base, dirs[2]),
		     "trusted.tier", "gold", 4, 0)) {
		err = errno;
		for (i = 0; i < N_XATTR; i++)
			tap_skip(strerror(err),
				 "xattr conditions (trusted.* on cgroup2)");
		return;
	}
	cg_root = f->root;
	fpath(vcpu, "%s%s", f->base, dirs[3]);
	fpath(other, "%s%s", f->base, dirs[4]);
	expect1("{\"xattr\": {\"trusted.tenant\": \"acme\"}}", vcpu, 1, 2);
	expect1("{\"xattr\": {\"trusted.tenant\": \"ac*\"}}", vcpu, 1, 2);
	expect1("{\"xattr\": {\"trusted.tenant\": \"other\"}}", vcpu, -1, 0);
	expect1("{\"xattr\": {\"trusted.tenant\": \"acme\", \"trusted.tier\": \"gold\"}}",
		vcpu, 2, 3);
	expect1("{\"xattr\": {\"trusted.tenant\": \"acme\", \"trusted.tier\": \"silver\"}}",
		vcpu, -1, 0);
	expect1("{\"xattr\": {\"trusted.missing\": \"*\"}}", vcpu, -1, 0);
	expect1("{\"xattr\": {\"trusted.tenant\": \"acme\"}}", other, -1, 0);
	snprintf(json, sizeof(json),
		 "{\"xattr\": {\"trusted.tenant\": \"acme\"}, \"cgroup\": \"%s/tenant-a.slice/*\"}",
		 f->base);
	expect1(json, vcpu, 2, 3);
	by_slice = mk("by-slice", "{\"match\": {\"xattr\": {\"trusted.tenant\": \"acme\"}}}");
	by_scope = mk("by-scope", "{\"match\": {\"xattr\": {\"trusted.tier\": \"gold\"}}}");
	{
		struct tenant *ts[] = { by_slice, by_scope };

		pick(ts, 2, vcpu, by_scope, false,
		     "xattr on the scope beats one on its slice");
	}
	if (setxattr(fpath(path, "%s%s%s", f->root, f->base, dirs[2]),
		     "trusted.tenant", "globex", 6, 0)) {
		err = errno;
		tap_skip(strerror(err), "trusted.* xattr condition");
		tap_skip(strerror(err), "trusted.* xattr condition");
	} else {
		expect1("{\"xattr\": {\"trusted.tenant\": \"glob*\"}}", vcpu, 1,
			3);
		expect1("{\"xattr\": {\"trusted.tenant\": \"globex\"}}", other,
			-1, 0);
	}
	cg_root = fake_root;
}

/* vpmuctl match's notes for @path say @note was ignored. */
static void expect_ignored(const char *path, const char *note)
{
	struct match_notes ns = { 0 };
	struct vm_meta m;
	bool found = false;
	size_t i;

	vm_meta_init_notes(&m, cg_root, machines, strdup(path), &ns);
	for (i = 0; i < ns.n; i++)
		found |= !ns.v[i].used && !strcmp(ns.v[i].text, note);
	if (!tap_check(found, "%s: ignored: %s", path, note))
		for (i = 0; i < ns.n; i++)
			tap_diag("  %s: %s", ns.v[i].used ? "used" : "ignored",
				 ns.v[i].text);
	vm_meta_free(&m);
	match_notes_free(&ns);
}

/*
 * The delegation boundary on a real cgroup2 hierarchy, with the test's
 * base cgroup as the root: what a delegate (here uid 1000, below a
 * cgroup systemd would mark trusted.delegate, or one it owns, or one
 * its group may write) names or sets below it does not classify its VM.
 */
static void test_delegation(struct fixture *f)
{
	static const char *const dirs[] = {
		"/acme.slice",
		"/acme.slice/user@1000.service",
		"/acme.slice/user@1000.service/batch-1.service",
		"/acme.slice/user@1000.service/batch-1.service/vm",
		"/acme.slice/user@1000.service/machine-prod\\x2ddb.scope",
		"/own.slice",
		"/own.slice/rootless.scope",
		"/own.slice/rootless.scope/vm-9.scope",
		"/grp.slice",
		"/grp.slice/evil.scope",
		"/ud.slice",
		"/ud.slice/app.service",
		"/ud.slice/app.service/x.service",
		"/acme.slice/user@1000.service/app.slice",
		"/acme.slice/user@1000.service/app.slice/vm.scope",
		"/user.slice",
		"/user.slice/user-1000.slice",
		"/user.slice/user-1000.slice/session-3.scope",
		"/machine.slice",
		"/machine.slice/machine-qemu\\x2d7\\x2dvm.scope",
	};
	char root[PATH_MAX], path[PATH_MAX];
	const char *batch = dirs[3];
	bool ok = true;
	size_t i;

	fpath(root, "%s%s", f->root, f->base);
	for (i = 0; f->cg2 && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ok &= !mkdir(fpath(path, "%s%s", root, dirs[i]), 0755) ||
		      errno == EEXIST;
#define AT(i) fpath(path, "%s%s", root, dirs[i])
	ok = ok && f->cg2 &&
	     !setxattr(AT(1), "trusted.delegate", "1", 1, 0) &&
	     !chown(AT(1), 1000, 1000) && !chown(AT(2), 1000, 1000) &&
	     !chown(AT(4), 1000, 1000) && !chown(AT(6), 1000, 1000) &&
	     !chmod(AT(8), 0775) &&
	     !setxattr(AT(11), "user.delegate", "1", 1, 0) &&
	     !setxattr(AT(0), "user.vpmu.tenant", "acme", 4, 0) &&
	     !setxattr(AT(2), "user.vpmu.tenant", "globex", 6, 0) &&
	     !setxattr(AT(2), "trusted.vpmu.tenant", "deep", 4, 0) &&
	     write_file(fpath(path, "%s/prod-db", machines),
			"NAME=prod-db\nSCOPE=machine-prod\\\\x2ddb.scope\n") &&
	     /*
	      * systemd >= 258: machines users registered with the system
	      * machined, as it records them.  And libvirt's: machined's
	      * own scope, root's but delegated.
	      */
	     !chown(AT(13), 1000, 1000) && !chown(AT(14), 1000, 1000) &&
	     write_file(fpath(path, "%s/prod-db-7", machines),
			"NAME=prod-db-7\nSCOPE=user@1000.service\n"
			"SUBGROUP=app.slice/vm.scope\nUID=1000\n") &&
	     write_file(fpath(path, "%s/prod-db-8", machines),
			"NAME=prod-db-8\nSCOPE=session-3.scope\nUID=1000\n") &&
	     write_file(fpath(path, "%s/rl", machines),
			"NAME=rl\nSCOPE=rootless.scope\n") &&
	     !setxattr(AT(19), "trusted.delegate", "1", 1, 0) &&
	     write_file(fpath(path, "%s/qemu-7-vm", machines),
			"NAME=qemu-7-vm\nSCOPE=machine-qemu\\\\x2d7\\\\x2dvm.scope\n");
#undef AT
	if (!ok) {
		for (i = 0; i < N_TRUST; i++)
			tap_skip(f->cg2 ? strerror(errno) : f->why,
				 "delegation boundary (real cgroup2, root)");
		return;
	}
	cg_root = root;
	/* A delegate's own names are no unit, machine or cgroup path. */
	expect1("{\"unit\": \"batch-*.service\"}", batch, -1, 0);
	expect1("{\"unit\": \"user@1000.service\"}", batch, 1, 2);
	expect1("{\"machine\": \"prod-db\"}", dirs[4], -1, 0);
	expect1("{\"cgroup\": \"/acme.slice/user@1000.service/batch-1.service\"}",
		batch, -1, 0);
	expect1("{\"cgroup\": \"/acme.slice/user@1000.service\"}", batch, 1, 2);
	expect1("{\"slice\": \"acme.slice\"}", batch, 1, 1);
	/* Owned by another uid, writable by a group, user.delegate. */
	expect1("{\"cgroup\": \"/own.slice/rootless.scope/vm-9.scope\"}",
		dirs[7], -1, 0);
	expect1("{\"unit\": \"vm-9.scope\"}", dirs[7], -1, 0);
	expect1("{\"unit\": \"rootless.scope\"}", dirs[7], 1, 2);
	expect1("{\"unit\": \"evil.scope\"}", dirs[9], -1, 0);
	expect1("{\"unit\": \"x.service\"}", dirs[12], -1, 0);
	expect1("{\"unit\": \"app.service\"}", dirs[12], 1, 2);
	/* trusted.* only root sets: at any depth. */
	expect1("{\"xattr\": {\"trusted.vpmu.tenant\": \"deep\"}}", batch, 1, 3);
	/* user.* on the admin's say, and only above the boundary. */
	expect1("{\"xattr\": {\"user.vpmu.tenant\": \"globex\"}, \"untrusted_xattrs\": true}",
		batch, -1, 0);
	expect1("{\"xattr\": {\"user.vpmu.tenant\": \"acme\"}, \"untrusted_xattrs\": true}",
		batch, 1, 1);
	expect1("{\"xattr\": {\"user.vpmu.tenant\": \"acme\"}, \"untrusted_xattrs\": true}",
		"/acme.slice/user@1000.service/machine-prod\\x2ddb.scope", 1, 1);
	/* Machines users registered name no VM; root's delegated ones do. */
	expect1("{\"machine\": \"prod-db*\"}", dirs[14], -1, 0);
	expect1("{\"machine\": \"prod-db*\"}", dirs[17], -1, 0);
	expect1("{\"unit\": \"session-3.scope\"}", dirs[17], 1, 3);
	expect1("{\"machine\": \"rl\"}", dirs[7], -1, 0);
	expect1("{\"machine\": \"qemu-7-vm\"}", dirs[19], 1, 2);
	expect_ignored(dirs[14],
		       "machine \"prod-db-7\": its unit \"user@1000.service\" is a user's service manager (user@*.service), where users may register machines");
	cg_root = fake_root;
}

static int checks(struct fixture *f)
{
	size_t i;
	int rc;

	tap_plan(PLAN);
	fpath(fake_root, "%s/cg", f->scratch);
	if (mkdir(fake_root, 0755))
		tap_bail("mkdir %s: %s", fake_root, strerror(errno));
	test_cgroup();
	test_slice();
	test_unit();
	test_machine(f);
	test_and_or();
	test_no_path();
	test_precedence();
	test_xattr(f);
	test_delegation(f);
	rc = tap_finish();
	for (i = 0; i < nall; i++)
		tenant_free(all[i]);
	return rc;
}

int main(void)
{
	struct fixture f;
	int rc;

	fixture_setup(&f, "match");
	rc = fixture_run(checks, &f);
	if (!fixture_teardown(&f))
		rc = 1;
	return rc;
}
