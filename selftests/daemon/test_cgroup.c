// SPDX-License-Identifier: GPL-2.0
/*
 * test_cgroup: daemon/cgroup.c on a real cgroup2 hierarchy (the host's,
 * or one mounted on a temporary directory on hybrid hosts), as root.
 *
 * A small tree of cgroups below vpmu-test-<pid> is made, including one
 * whose name starts with '.', and the tests check that ids are the
 * directories' inodes and map back to their paths at every depth, both
 * through open_by_handle_at() and through the inode walk that runs
 * without CAP_DAC_READ_SEARCH (forced two ways: the capabilities dropped
 * from the effective set, and a root given through a symlink, whose
 * handle path is not below it); that xattrs are found on the cgroup or
 * inherited from the nearest ancestor with the right depth; the string
 * helpers; and the machined lookup against fake /run/systemd/machines
 * directories in the formats systemd writes.  The checks run in a child
 * process; the parent removes the cgroups, mounts and files afterwards.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#include "cgroup.h"
#include "fixture.h"
#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Below the fixture's base: "" is the base itself. */
static const char *const tree[] = {
	"",
	"/tenant-a.slice",
	"/tenant-a.slice/vm-1.scope",
	"/tenant-a.slice/vm-1.scope/vcpu0",
	"/.hidden",
	"/.hidden/vm-2.scope",
};

#define NTREE ARRAY_SIZE(tree)

/* Checks per section, so that the skip paths report as many. */
#define N_DEPTH		8
#define N_UNIT		17
#define N_MACHINE	12
#define N_IDS		(1 + NTREE * 4 + 2)
#define N_MOUNT2	(NTREE + 2)
#define N_LINK		(NTREE + 2)
#define N_NOCAP		(NTREE + 5)
#define N_UNKNOWN	3
#define N_XATTR_USER	17
#define N_XATTR_TRUSTED	2
#define N_CLEAN		1
#define PLAN (N_DEPTH + N_UNIT + N_MACHINE + N_IDS + N_MOUNT2 + N_LINK + \
	      N_NOCAP + N_UNKNOWN + N_XATTR_USER + N_XATTR_TRUSTED + N_CLEAN)

static void skip_n(int n, const char *reason, const char *what)
{
	while (n-- > 0)
		tap_skip(reason, "%s", what);
}

static bool str_is(const char *got, const char *want)
{
	if (got && want && !strcmp(got, want))
		return true;
	if (!got && !want)
		return true;
	tap_diag("  got \"%s\", expected \"%s\"", got ? got : "(null)",
		 want ? want : "(null)");
	return false;
}

/* "/vpmu-test-N" + tree[i], or "/" for the root (i < 0). */
static const char *rel(const struct fixture *f, int i)
{
	static char buf[8][PATH_MAX];
	static int next;
	char *p = buf[next++ % 8];

	if (i < 0)
		return "/";
	fpath(p, "%s%s", f->base, tree[i]);
	return p;
}

static const char *absp(const char *root, const char *r)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	fpath(p, "%s%s", root, strcmp(r, "/") ? r : "");
	return p;
}

static void test_depth(void)
{
	TAP_CHECK_EQ(cgroup_depth("/"), 0, "depth of \"/\" is 0");
	TAP_CHECK_EQ(cgroup_depth(""), 0, "depth of \"\" is 0");
	TAP_CHECK_EQ(cgroup_depth("/a"), 1, "depth of /a is 1");
	TAP_CHECK_EQ(cgroup_depth("/a/b.slice/c.scope"), 3,
		     "depth of /a/b.slice/c.scope is 3");
	TAP_CHECK_EQ(cgroup_depth("/a/b/"), 2, "a trailing '/' adds no level");
	TAP_CHECK_EQ(cgroup_depth("//a//b"), 2, "doubled '/' add no level");
	TAP_CHECK_EQ(cgroup_depth("/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/vcpu0"),
		     4, "depth of a libvirt vCPU cgroup is 4");
	TAP_CHECK_EQ(cgroup_depth("/.hidden"), 1, "a '.' name is a level");
}

static void unit_is(const char *path, const char *want, int want_depth)
{
	char buf[256] = "";
	int depth = -1;
	bool got = cgroup_unit(path, 64, buf, sizeof(buf), &depth);

	if (!want) {
		tap_check(!got, "no unit in %s", path);
		return;
	}
	tap_check(got && !strcmp(buf, want) && depth == want_depth,
		  "unit of %s is %s at depth %d", path, want, want_depth);
	if (!got || strcmp(buf, want) || depth != want_depth)
		tap_diag("  got %d \"%s\" depth %d", got, buf, depth);
}

static void test_unit(void)
{
	char small[8];
	int depth = 0;

	unit_is("/system.slice/foo.service", "foo.service", 2);
	unit_is("/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/vcpu0",
		"machine-qemu\\x2d1\\x2dvm.scope", 2);
	unit_is("/tenant-a.slice/vm-1.scope", "vm-1.scope", 2);
	/* The unit below the slices: what is below it is the unit's own. */
	unit_is("/a.slice/b.service/c.scope/d", "b.service", 2);
	unit_is("/x.scope/y.service", "x.scope", 1);
	unit_is("/user.slice/user-1000.slice/user@1000.service/app.slice/batch-1.service",
		"user@1000.service", 3);
	unit_is("/tenants/acme/vm-1.scope", NULL, 0);
	unit_is("/user.slice", NULL, 0);
	unit_is("/", NULL, 0);
	unit_is("/.scope", NULL, 0);
	unit_is("/a.scope.d/b", NULL, 0);
	unit_is("/a.servicex", NULL, 0);
	unit_is("//sys.slice//vm.scope//", "vm.scope", 2);
	tap_check(!cgroup_unit("/s.slice/toolongname.scope", 64, small,
			       sizeof(small), &depth),
		  "a unit name that does not fit is not returned truncated");
	tap_check(!cgroup_unit("/long-name.scope/a.scope", 64, small,
			       sizeof(small), &depth),
		  "no deeper unit is returned when the unit does not fit");
	tap_check(!cgroup_unit("/a.slice/b.scope", 1, small, sizeof(small),
			       &depth),
		  "no unit below the depth root named (the boundary)");
	tap_check(cgroup_unit("/a.slice/b.scope/c", 2, small, sizeof(small),
			      &depth) && !strcmp(small, "b.scope") && depth == 2,
		  "the unit at the boundary: root named it");
}

static bool write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return false;
	fputs(text, fp);
	return !fclose(fp);
}

static void machine_is(const char *dir, const char *unit, const char *want,
		       const char *what)
{
	char buf[256] = "";
	bool got = cgroup_machine(dir, unit, buf, sizeof(buf));

	if (!want) {
		tap_check(!got, "%s: no machine for %s", what, unit);
		if (got)
			tap_diag("  got \"%s\"", buf);
		return;
	}
	tap_check(got && !strcmp(buf, want), "%s: %s is machine %s", what,
		  unit, want);
	if (!got || strcmp(buf, want))
		tap_diag("  got %d \"%s\"", got, buf);
}

/*
 * systemd-machined keeps one file per machine, named after it, in
 * /run/systemd/machines (machine_save() in src/machine/machine.c):
 * "NAME=", then "SCOPE=" with the unit, written cescape()d up to v253 (a
 * unit's '\' doubled: libvirt's machine-qemu\x2d1\x2dvm.scope is written
 * machine-qemu\\x2d1\\x2dvm.scope) and by env_file_fputs_assignment()
 * since, which double-quotes values that need it; machined reads it back
 * with parse_env_file().  Next to the files, a "unit:UNIT" symlink to
 * the machine's name, which is what sd_pid_get_machine_name() reads.
 * The files are written as ".#NAMExxxxxx" and renamed into place.
 */
static void test_machine(const struct fixture *f)
{
	char dir[PATH_MAX], path[PATH_MAX];
	bool ok;

	fpath(dir, "%s/machines", f->scratch);
	ok = !mkdir(dir, 0755);
#define MFILE(name, text) \
	(fpath(path, "%s/%s", dir, name), write_file(path, text))
	ok &= MFILE("foo", "# This is private data. Do not parse.\n"
			   "NAME=foo\nSCOPE=machine-foo.scope\n"
			   "SCOPE_JOB=/org/freedesktop/systemd1/job/1\n"
			   "CLASS=vm\nLEADER=4242\n");
	ok &= MFILE("qemu-1-vm", "# This is private data. Do not parse.\n"
				 "NAME=qemu-1-vm\n"
				 "SCOPE=machine-qemu\\\\x2d1\\\\x2dvm.scope\n"
				 "CLASS=vm\n");
	ok &= MFILE("qemu-2-win", "# This is private data. Do not parse.\n"
				  "NAME=qemu-2-win\n"
				  "SCOPE=\"machine-qemu\\\\x2d2\\\\x2dwin.scope\"\n"
				  "CLASS=vm\n");
	ok &= MFILE("other", "NAME=other\nXSCOPE=machine-bar.scope\n"
			     "SCOPE=machine-other.scope.old\n");
	ok &= MFILE(".#fooAbC123", "NAME=tmp\nSCOPE=machine-tmp.scope\n");
	fpath(path, "%s/unit:machine-linked.scope", dir);
	ok &= !symlink("linked", path);
	fpath(path, "%s/unit:machine-foo.scope", dir);
	ok &= !symlink("foo", path);
#undef MFILE
	if (!tap_check(ok, "fake machines directory made in %s", dir)) {
		skip_n(N_MACHINE - 1, "no fake machines directory",
		       "cgroup_machine");
		return;
	}
	machine_is(dir, "machine-foo.scope", "foo", "plain SCOPE= line");
	machine_is(dir, "machine-qemu\\x2d1\\x2dvm.scope", "qemu-1-vm",
		   "cescape()d SCOPE= (systemd <= 253)");
	machine_is(dir, "machine-qemu\\x2d2\\x2dwin.scope", "qemu-2-win",
		   "quoted SCOPE= (systemd >= 254)");
	machine_is(dir, "machine-linked.scope", "linked", "unit: symlink");
	machine_is(dir, "machine-tmp.scope", NULL, "a temporary file");
	machine_is(dir, "machine-bar.scope", NULL, "only XSCOPE=");
	machine_is(dir, "machine-other.scope", NULL, "a longer SCOPE=");
	machine_is(dir, "machine-nope.scope", NULL, "unknown unit");
	machine_is(dir, "", NULL, "empty unit");
	fpath(path, "%s/missing", f->scratch);
	machine_is(path, "machine-foo.scope", NULL, "no machines directory");
	fpath(path, "%s/unit:machine-foo.scope", dir);
	unlink(path);
	machine_is(dir, "machine-foo.scope", "foo", "no unit: symlink");
}

/* 0, or the errno of the mkdir that failed. */
static int make_tree(const struct fixture *f)
{
	size_t i;
	int err;

	for (i = 0; i < NTREE; i++)
		if (mkdir(absp(f->root, rel(f, i)), 0755)) {
			err = errno;
			tap_diag("mkdir %s: %s", absp(f->root, rel(f, i)),
				 strerror(err));
			return err;
		}
	return 0;
}

static int depth_of(int i)
{
	return i < 0 ? 0 : 1 + cgroup_depth(tree[i]);
}

/* The path of every cgroup of the tree, and the root, through @root. */
static void paths_through(const struct fixture *f, const char *root,
			  const char *how)
{
	struct stat st;
	int i;

	for (i = -1; i < (int)NTREE; i++) {
		char *p;

		stat(absp(f->root, rel(f, i)), &st);
		p = cgroup_path_of(root, st.st_ino);
		tap_check(str_is(p, rel(f, i)), "%s: id %llu is %s (depth %d)",
			  how, (unsigned long long)st.st_ino, rel(f, i),
			  depth_of(i));
		free(p);
	}
}

/* include/linux/exportfs.h */
#define FILEID_KERNFS 0xfe

static int open_handle(const char *root, uint64_t id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(id),
			.handle_type = FILEID_KERNFS } };
	int mfd, fd;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	mfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -1;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mfd);
	return fd;
}

/* Drop (or restore) the capabilities open_by_handle_at() needs. */
static bool handle_caps(bool drop)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	if (drop) {
		d[0].effective &= ~(CAP_TO_MASK(CAP_DAC_READ_SEARCH) |
				    CAP_TO_MASK(CAP_SYS_ADMIN));
	} else {
		d[0].effective = d[0].permitted;
		d[1].effective = d[1].permitted;
	}
	return !syscall(SYS_capset, &h, d);
}

static void test_ids(struct fixture *f)
{
	char path[PATH_MAX], link[PATH_MAX];
	uint64_t gone = 0, file_id = 0;
	struct stat st;
	size_t i;
	char *p;
	int fd, err;

	if (!f->cg2) {
		skip_n(N_IDS + N_MOUNT2 + N_LINK + N_NOCAP + N_UNKNOWN, f->why,
		       "cgroup ids and paths");
		return;
	}
	err = make_tree(f);
	if (err) {
		/* Not root (or a read-only hierarchy): nothing to test on. */
		bool perm = err == EACCES || err == EPERM || err == EROFS;

		if (!perm)
			tap_check(false, "cgroups made below %s%s", f->root,
				  f->base);
		skip_n(N_IDS - !perm + N_MOUNT2 + N_LINK + N_NOCAP + N_UNKNOWN,
		       strerror(err), "cgroup ids and paths (cannot mkdir)");
		return;
	}
	tap_check(true, "cgroups made below %s%s", f->root, f->base);
	for (i = 0; i < NTREE; i++) {
		uint64_t id = cgroup_id_of(f->root, rel(f, i));
		bool dir = !stat(absp(f->root, rel(f, i)), &st);

		tap_check(dir && id && id == st.st_ino,
			  "cgroup_id_of(%s) is the directory's inode", rel(f, i));
		p = cgroup_path_of(f->root, id);
		tap_check(str_is(p, rel(f, i)),
			  "cgroup_path_of(root, id) is %s (depth %d)",
			  rel(f, i), depth_of(i));
		free(p);
		fpath(path, "%s/", f->root);
		p = cgroup_path_of(path, id);
		tap_check(str_is(p, rel(f, i)),
			  "with the root given as \"%s\": %s", path, rel(f, i));
		free(p);
		TAP_CHECK_EQ(cgroup_id_of(path, rel(f, i)), id,
			     "cgroup_id_of with a trailing '/' on the root");
	}
	stat(f->root, &st);
	p = cgroup_path_of(f->root, st.st_ino);
	tap_check(str_is(p, "/"), "the root cgroup's id (%llu) is \"/\"",
		  (unsigned long long)st.st_ino);
	free(p);
	TAP_CHECK_EQ(cgroup_id_of(f->root, "/no/such/cgroup"), 0,
		     "cgroup_id_of a missing cgroup is 0");

	/* A second mount of the hierarchy: paths are below the root given. */
	if (f->mnt2[0] && !mount("none", f->mnt2, "cgroup2", 0, NULL)) {
		tap_check(fixture_is_cg2(f->mnt2), "second mount on %s",
			  f->mnt2);
		paths_through(f, f->mnt2, "through a second mount");
	} else {
		skip_n(N_MOUNT2, f->mnt2[0] ? strerror(errno) : "no directory",
		       "a second cgroup2 mount");
	}

	/* A root that is a symlink: the handle's path is not below it. */
	fpath(link, "%s/cgroot", f->scratch);
	tap_check(!symlink(f->root, link), "symlink %s -> %s", link, f->root);
	paths_through(f, link, "inode walk (root via symlink)");

	/* Ids that name no cgroup. */
	fpath(path, "%s%s/gone", f->root, f->base);
	if (!mkdir(path, 0755)) {
		gone = !stat(path, &st) ? st.st_ino : 0;
		rmdir(path);
	}
	fpath(path, "%s/cgroup.procs",
		 absp(f->root, rel(f, 2)));
	if (!stat(path, &st))
		file_id = st.st_ino;
	errno = 0;
	p = cgroup_path_of(f->root, gone);
	/*
	 * The kernel's ESTALE, not the end of a walk of every cgroup (a
	 * user who may remove cgroups could make each pass walk them all).
	 */
	tap_check(gone && !p && errno == ESTALE,
		  "a removed cgroup's id (%llu) is no cgroup, as the kernel says (%s), with no walk",
		  (unsigned long long)gone, strerror(errno));
	free(p);
	p = cgroup_path_of(f->root, file_id);
	tap_check(file_id && !p, "a cgroup file's id (%llu) is no cgroup",
		  (unsigned long long)file_id);
	free(p);
	p = cgroup_path_of(f->root, UINT64_MAX - 7);
	tap_check(!p, "an id never given out is no cgroup");
	free(p);

	/* Without CAP_DAC_READ_SEARCH (and CAP_SYS_ADMIN): the walk. */
	if (!handle_caps(true)) {
		skip_n(N_NOCAP, "cannot drop capabilities",
		       "inode walk without CAP_DAC_READ_SEARCH");
		return;
	}
	fd = open_handle(f->root, cgroup_id_of(f->root, rel(f, 2)));
	if (fd >= 0) {
		close(fd);
		handle_caps(false);
		skip_n(N_NOCAP,
		       "open_by_handle_at works without CAP_DAC_READ_SEARCH",
		       "inode walk without CAP_DAC_READ_SEARCH");
		return;
	}
	tap_check(errno == EPERM,
		  "without CAP_DAC_READ_SEARCH open_by_handle_at fails: %s",
		  strerror(errno));
	paths_through(f, f->root, "inode walk (no CAP_DAC_READ_SEARCH)");
	p = cgroup_path_of(f->root, gone);
	tap_check(!p, "inode walk: a removed cgroup's id is no cgroup");
	free(p);
	p = cgroup_path_of(f->root, file_id);
	tap_check(!p, "inode walk: a cgroup file's id is no cgroup");
	free(p);
	p = cgroup_path_of(f->root, UINT64_MAX - 7);
	tap_check(!p, "inode walk: an id never given out is no cgroup");
	free(p);
	if (!handle_caps(false))
		tap_bail("cannot restore capabilities");
}

static bool set_x(const struct fixture *f, int i, const char *name,
		  const char *value)
{
	return !setxattr(absp(f->root, rel(f, i)), name, value, strlen(value),
			 0);
}

static void xattr_is(const char *root, const char *path, const char *name,
		     size_t len, const char *want, int want_depth)
{
	char buf[512] = "";
	int depth = -1;
	bool got;

	if (len > sizeof(buf))
		len = sizeof(buf);
	got = cgroup_xattr(root, path, name, buf, len, &depth);
	if (!want) {
		tap_check(!got, "%s: no %s", path, name);
		if (got)
			tap_diag("  got \"%s\" at depth %d", buf, depth);
		return;
	}
	tap_check(got && !strcmp(buf, want) && depth == want_depth,
		  "%s: %s is \"%s\" from depth %d", path, name, want,
		  want_depth);
	if (!got || strcmp(buf, want) || depth != want_depth)
		tap_diag("  got %d \"%s\" at depth %d", got, buf, depth);
}

static void test_xattr(const struct fixture *f)
{
	char big[301], root_slash[PATH_MAX];

	if (!f->cg2 || access(absp(f->root, rel(f, 3)), F_OK)) {
		skip_n(N_XATTR_USER + N_XATTR_TRUSTED,
		       f->cg2 ? "no cgroups" : f->why, "cgroup xattrs");
		return;
	}
	if (!set_x(f, 0, "user.org", "example")) {
		skip_n(N_XATTR_USER, strerror(errno),
		       "user.* xattrs on cgroup2 (since Linux 5.7)");
	} else {
		bool ok = set_x(f, 1, "user.tenant", "acme") &&
			  set_x(f, 2, "user.tenant", "acme-vm1") &&
			  set_x(f, 1, "user.empty", "");

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		ok &= set_x(f, 1, "user.big", "small") &&
		      set_x(f, 2, "user.big", big);
		tap_check(ok, "user.* xattrs set on the cgroups");
		xattr_is(f->root, rel(f, 2), "user.tenant", 256, "acme-vm1", 3);
		xattr_is(f->root, rel(f, 3), "user.tenant", 256, "acme-vm1", 3);
		xattr_is(f->root, rel(f, 1), "user.tenant", 256, "acme", 2);
		xattr_is(f->root, rel(f, 3), "user.org", 256, "example", 1);
		xattr_is(f->root, rel(f, 0), "user.org", 256, "example", 1);
		xattr_is(f->root, rel(f, 0), "user.tenant", 256, NULL, 0);
		xattr_is(f->root, rel(f, 5), "user.tenant", 256, NULL, 0);
		xattr_is(f->root, "/", "user.tenant", 256, NULL, 0);
		xattr_is(f->root, rel(f, 3), "user.missing", 256, NULL, 0);
		xattr_is(f->root, rel(f, 3), "user.empty", 256, "", 2);
		/* Exactly fitting, and one byte short (for the NUL). */
		xattr_is(f->root, rel(f, 2), "user.tenant", 9, "acme-vm1", 3);
		xattr_is(f->root, rel(f, 2), "user.tenant", 8, NULL, 0);
		/* Too long on the cgroup: not the ancestor's value instead. */
		xattr_is(f->root, rel(f, 3), "user.big", 256, NULL, 0);
		xattr_is(f->root, rel(f, 1), "user.big", 256, "small", 2);
		fpath(root_slash, "%s/", f->root);
		xattr_is(root_slash, rel(f, 3), "user.tenant", 256, "acme-vm1",
			 3);
		xattr_is(root_slash, rel(f, 3), "user.org", 256, "example", 1);
	}
	if (!set_x(f, 1, "trusted.tenant", "globex")) {
		skip_n(N_XATTR_TRUSTED, strerror(errno),
		       "trusted.* xattrs on cgroup2");
	} else {
		xattr_is(f->root, rel(f, 3), "trusted.tenant", 256, "globex", 2);
		xattr_is(f->root, rel(f, 4), "trusted.tenant", 256, NULL, 0);
	}
}

static int checks(struct fixture *f)
{
	char path[PATH_MAX];

	tap_plan(PLAN);
	if (!f->cg2)
		tap_diag("no cgroup2 hierarchy: %s", f->why);
	else
		tap_diag("cgroup2 at %s%s", f->root,
			 f->mnt[0] ? " (mounted for the test)" : "");
	test_depth();
	test_unit();
	test_machine(f);
	test_ids(f);
	test_xattr(f);
	if (f->cg2) {
		fpath(path, "%s%s", f->root, f->base);
		tap_check(!fixture_rm_cgroup(path) && access(path, F_OK),
			  "test cgroups removed");
	} else {
		tap_skip(f->why, "test cgroups removed");
	}
	return tap_finish();
}

int main(void)
{
	struct fixture f;
	int rc;

	fixture_setup(&f, "cgroup");
	rc = fixture_run(checks, &f);
	if (!fixture_teardown(&f))
		rc = 1;
	return rc;
}
