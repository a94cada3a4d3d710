// SPDX-License-Identifier: GPL-2.0
/*
 * test_watch: daemon/watch.c against real inotify in a temporary
 * directory.  After each change to the directory, watch_drain() must say
 * whether the policy set may have changed:
 *
 *  - a .json file written, renamed over (atomic save) or deleted: yes;
 *  - editors' swap, backup and lock files (.a.json.swp, a.json~,
 *    .#a.json, a.json.tmp): no.  vim's "4913" write probe and emacs'
 *    "#a.json#" autosave are not filtered: they cost a reload that finds
 *    nothing new, which is harmless, and the checks record that;
 *  - a ConfigMap-style swap of the "..data" symlink: yes;
 *  - the directory being a symlink that is replaced, deleted and made
 *    again, or renamed away and another renamed in: yes, and afterwards
 *    the new directory is watched (and the old one no longer);
 *  - and, after any of that, nothing more until something happens: a
 *    watch that keeps reporting would reload forever.
 *
 * The checks run in a child; the parent removes the directory.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>

#include "watch.h"
#include "fixture.h"
#include "../lib/tap.h"

#define PLAN 54

static char top[PATH_MAX];

static const char *at(const char *name)
{
	static char buf[4][PATH_MAX];
	static int next;

	return fpath(buf[next++ % 4], "%s/%s", top, name);
}

static void put(const char *name, const char *text)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		tap_bail("write %s: %s", at(name), strerror(errno));
	close(fd);
}

static void must(int ret, const char *what, const char *name)
{
	if (ret)
		tap_bail("%s %s: %s", what, name, strerror(errno));
}

/* What watch_drain() says once the events are there (or 100 ms passed). */
static bool drained(struct watch *w)
{
	struct pollfd p = { .fd = w->fd, .events = POLLIN };

	poll(&p, 1, 100);
	return watch_drain(w);
}

static void relevant(struct watch *w, const char *what)
{
	tap_check(drained(w), "%s: reload", what);
}

static void ignored(struct watch *w, const char *what)
{
	tap_check(!drained(w), "%s: no reload", what);
}

/* An editor's file: made, written and removed again. */
static void scratch_file(struct watch *w, const char *name, bool reload,
			 const char *what)
{
	put(name, "x");
	must(unlink(at(name)), "unlink", name);
	tap_check(drained(w) == reload, "%s (%s): %s", what, name,
		  reload ? "reload" : "no reload");
}

static void test_files(struct watch *w)
{
	put("tenants.d/a.json", "{}");
	relevant(w, "a .json file made");
	put("tenants.d/a.json", "{\"priority\": 1}");
	relevant(w, "a .json file rewritten");
	put("tenants.d/b.json", "");
	relevant(w, "an empty .json file made");
	must(chmod(at("tenants.d/b.json"), 0600), "chmod", "b.json");
	relevant(w, "a .json file's mode changed");

	scratch_file(w, "tenants.d/.a.json.swp", false, "vim swap file");
	scratch_file(w, "tenants.d/.a.json.swx", false, "vim second swap file");
	scratch_file(w, "tenants.d/a.json~", false, "backup file");
	scratch_file(w, "tenants.d/a.json.tmp", false, "temporary file");
	must(symlink("user@host.1234:1700000000", at("tenants.d/.#a.json")),
	     "symlink", ".#a.json");
	must(unlink(at("tenants.d/.#a.json")), "unlink", ".#a.json");
	ignored(w, "emacs lock link (.#a.json)");
	scratch_file(w, "tenants.d/4913", true,
		     "vim's write probe, not filtered (a harmless reload)");
	scratch_file(w, "tenants.d/#a.json#", true,
		     "emacs autosave, not filtered (a harmless reload)");

	put("tenants.d/a.json.tmp", "{\"priority\": 2}");
	ignored(w, "atomic save: the temporary file written");
	must(rename(at("tenants.d/a.json.tmp"), at("tenants.d/a.json")),
	     "rename", "a.json.tmp");
	relevant(w, "atomic save: renamed over a.json");
	must(unlink(at("tenants.d/a.json")), "unlink", "a.json");
	relevant(w, "a .json file deleted");
	must(unlink(at("tenants.d/b.json")), "unlink", "b.json");
	relevant(w, "another .json file deleted");
	ignored(w, "nothing happened since");
}

/* kubelet's AtomicWriter: files are links through "..data" to a dir. */
static void test_configmap(struct watch *w)
{
	must(mkdir(at("tenants.d/..2024_01_01_00_00_00.1"), 0755), "mkdir",
	     "..2024_01");
	put("tenants.d/..2024_01_01_00_00_00.1/c.json", "{}");
	must(symlink("..2024_01_01_00_00_00.1", at("tenants.d/..data")),
	     "symlink", "..data");
	must(symlink("..data/c.json", at("tenants.d/c.json")), "symlink",
	     "c.json");
	relevant(w, "ConfigMap projected");

	must(mkdir(at("tenants.d/..2024_02_01_00_00_00.2"), 0755), "mkdir",
	     "..2024_02");
	put("tenants.d/..2024_02_01_00_00_00.2/c.json", "{\"priority\": 3}");
	must(symlink("..2024_02_01_00_00_00.2", at("tenants.d/..data_tmp")),
	     "symlink", "..data_tmp");
	drained(w);
	must(rename(at("tenants.d/..data_tmp"), at("tenants.d/..data")),
	     "rename", "..data_tmp");
	relevant(w, "ConfigMap updated: ..data_tmp renamed over ..data");
	must(fixture_rm_tree(at("tenants.d/..2024_01_01_00_00_00.1")),
	     "rm -r", "..2024_01");
	relevant(w, "ConfigMap: the old data directory removed");
	ignored(w, "nothing happened since");
	must(fixture_rm_tree(at("tenants.d")), "rm -r", "tenants.d");
	must(mkdir(at("tenants.d"), 0755), "mkdir", "tenants.d");
	drained(w);
}

static void test_dir_symlink(void)
{
	struct watch w;

	must(mkdir(at("v1"), 0755), "mkdir", "v1");
	must(mkdir(at("v2"), 0755), "mkdir", "v2");
	must(symlink("v1", at("conf")), "symlink", "conf");
	tap_check(!watch_init(&w, at("conf")) && w.wd_dir >= 0 &&
		  w.wd_parent >= 0,
		  "watch_init on a symlink to a directory");
	put("v1/x.json", "{}");
	relevant(&w, "a file written in the symlink's target");
	must(symlink("v2", at("conf.new")), "symlink", "conf.new");
	ignored(&w, "another name made in the parent");
	must(rename(at("conf.new"), at("conf")), "rename", "conf.new");
	relevant(&w, "the directory symlink replaced");
	ignored(&w, "nothing happened since");
	put("v2/y.json", "{}");
	relevant(&w, "a file written in the new target");
	put("v1/z.json", "{}");
	ignored(&w, "a file written in the old target");
	watch_close(&w);
	tap_check(w.fd == -1, "watch_close");
}

static void test_dir_replaced(struct watch *w)
{
	must(fixture_rm_tree(at("tenants.d")), "rm -r", "tenants.d");
	relevant(w, "the directory deleted");
	ignored(w, "nothing happened since");
	must(mkdir(at("tenants.d"), 0755), "mkdir", "tenants.d");
	relevant(w, "the directory made again");
	put("tenants.d/d.json", "{}");
	relevant(w, "a file written in the new directory");

	must(mkdir(at("tenants.d.new"), 0755), "mkdir", "tenants.d.new");
	put("tenants.d.new/e.json", "{}");
	ignored(w, "another directory made next to it");
	must(rename(at("tenants.d"), at("tenants.d.old")), "rename",
	     "tenants.d");
	relevant(w, "the directory renamed away");
	must(rename(at("tenants.d.new"), at("tenants.d")), "rename",
	     "tenants.d.new");
	relevant(w, "another directory renamed in its place");
	put("tenants.d/f.json", "{}");
	relevant(w, "a file written in the directory renamed in");
	put("tenants.d.old/g.json", "{}");
	ignored(w, "a file written in the directory renamed away");
	ignored(w, "nothing happened since");
}

static void test_init(void)
{
	struct watch w;
	char dir[PATH_MAX];

	tap_check(!watch_init(&w, at("later")) && w.fd >= 0 && w.wd_dir < 0,
		  "watch_init on a directory not made yet");
	must(mkdir(at("later"), 0755), "mkdir", "later");
	relevant(&w, "the directory made");
	put("later/h.json", "{}");
	relevant(&w, "a file written in it");
	watch_close(&w);

	TAP_CHECK_EQ(watch_init(&w, "tenants.d"), (unsigned long long)-EINVAL,
		     "watch_init on a relative path fails");
	tap_check(w.fd == -1, "and leaves no descriptor to close");
	watch_close(&w);

	must(mkdir(at("tenants.d"), 0755), "mkdir", "tenants.d");
	fpath(dir, "%s/", at("tenants.d"));
	tap_check(!watch_init(&w, dir) && w.wd_dir >= 0,
		  "watch_init with a trailing '/'");
	put("tenants.d/i.json", "{}");
	relevant(&w, "a file written in it");
	must(fixture_rm_tree(at("tenants.d")), "rm -r", "tenants.d");
	relevant(&w, "it deleted");
	watch_close(&w);
}

/* Overflow the queue with ignored names: the lost events may matter. */
static void test_overflow(struct watch *w)
{
	unsigned long max = 0;
	FILE *fp = fopen("/proc/sys/fs/inotify/max_queued_events", "re");
	unsigned long i;

	if (!fp || fscanf(fp, "%lu", &max) != 1 || max > (1ul << 20)) {
		tap_skip("max_queued_events unknown or too large",
			 "queue overflow");
		tap_skip("max_queued_events unknown or too large",
			 "quiet after the overflow");
		if (fp)
			fclose(fp);
		return;
	}
	fclose(fp);
	must(mkdir(at("tenants.d"), 0755), "mkdir", "tenants.d");
	drained(w);
	for (i = 0; i < max / 2 + 16; i++) {
		put("tenants.d/.o.swp", "");
		must(unlink(at("tenants.d/.o.swp")), "unlink", ".o.swp");
	}
	relevant(w, "queue overflowed by ignored files (events were lost)");
	ignored(w, "nothing happened since");
}

/* watch_take(): the names that changed, or "everything". */
static void test_take(struct watch *w)
{
	char **names;
	size_t n, i;
	bool all, a = false, b = false;

	watch_take(w, &names, &n);	/* forget what came before */
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	put("tenants.d/a.json", "{}");
	put("tenants.d/b.json", "{}");
	put("tenants.d/a.json", "{ }");
	drained(w);
	all = watch_take(w, &names, &n);
	for (i = 0; i < n; i++) {
		a |= !strcmp(names[i], "a.json");
		b |= !strcmp(names[i], "b.json");
		free(names[i]);
	}
	free(names);
	tap_check(!all && n == 2 && a && b,
		  "watch_take: just the two files written (%zu names)", n);
	all = watch_take(w, &names, &n);
	tap_check(!all && n == 0 && !names, "watch_take: nothing new since");
	must(symlink(".", at("tenants.d/..data_tmp")), "symlink", "..data_tmp");
	must(rename(at("tenants.d/..data_tmp"), at("tenants.d/..data")),
	     "rename", "..data");
	drained(w);
	all = watch_take(w, &names, &n);
	tap_check(all, "watch_take: a \"..data\" swap means every file");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	must(unlink(at("tenants.d/..data")), "unlink", "..data");
	drained(w);
	watch_take(w, &names, &n);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	must(unlink(at("tenants.d/a.json")), "unlink", "a.json");
	must(unlink(at("tenants.d/b.json")), "unlink", "b.json");
	drained(w);
	all = watch_take(w, &names, &n);
	tap_check(!all && n == 2, "watch_take: deletions are names too (%zu)", n);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int checks(struct fixture *f)
{
	struct watch w;

	tap_plan(PLAN);
	snprintf(top, sizeof(top), "%s", f->scratch);
	must(mkdir(at("tenants.d"), 0755), "mkdir", "tenants.d");
	tap_check(!watch_init(&w, at("tenants.d")) && w.fd >= 0 &&
		  w.wd_dir >= 0 && w.wd_parent >= 0, "watch_init %s",
		  at("tenants.d"));
	ignored(&w, "nothing happened");
	test_files(&w);
	test_take(&w);
	test_configmap(&w);
	test_dir_replaced(&w);
	test_dir_symlink();
	must(fixture_rm_tree(at("tenants.d")), "rm -r", "tenants.d");
	drained(&w);
	test_init();
	test_overflow(&w);
	watch_close(&w);
	return tap_finish();
}

int main(void)
{
	struct fixture f;
	int rc;

	/* No cgroups here: only the scratch directory. */
	setenv("VPMU_TEST_NO_CGROUP2", "1", 1);
	fixture_setup(&f, "watch");
	rc = fixture_run(checks, &f);
	if (!fixture_teardown(&f))
		rc = 1;
	return rc;
}
