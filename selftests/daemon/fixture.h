/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixtures for the daemon's host tests that touch the real system: a
 * cgroup2 hierarchy to create cgroups in, a scratch directory, and a
 * child process to run the checks in, so that what they create is
 * removed afterwards even when they fail, crash or are killed.
 *
 * The parent sets up (mounts, scratch directory), runs the checks in a
 * child with fixture_run() and then removes everything with
 * fixture_teardown().  Needs root for the cgroup parts; without a
 * cgroup2 hierarchy, cg2_setup() says why and the tests skip.
 */
#ifndef VPMU_TEST_FIXTURE_H
#define VPMU_TEST_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture {
	bool cg2;			/* a cgroup2 hierarchy at root */
	char root[PATH_MAX];		/* its mount point */
	char mnt[PATH_MAX];		/* our own mount of it, "" if none */
	char mnt2[PATH_MAX];		/* for a second mount, "" if none */
	char why[256];			/* why there is no cgroup2 */
	char base[64];			/* "/vpmu-test-<pid>" below root */
	char scratch[PATH_MAX];		/* a temporary directory */
};

/* snprintf() into a PATH_MAX buffer. */
static inline __attribute__((format(printf, 2, 3))) char *
fpath(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return buf;
}

static inline bool fixture_is_cg2(const char *dir)
{
	struct statfs sf;

	return !statfs(dir, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/*
 * Set up @f: a scratch directory under /tmp, and a cgroup2 hierarchy,
 * /sys/fs/cgroup if it is one, else one mounted on a temporary directory
 * (hybrid and legacy hosts).  VPMU_TEST_NO_CGROUP2 in the environment
 * pretends there is none, to exercise the skip paths.
 */
static inline void fixture_setup(struct fixture *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->scratch, sizeof(f->scratch), "/tmp/vpmu-%s-XXXXXX", name);
	if (!mkdtemp(f->scratch)) {
		printf("Bail out! mkdtemp %s: %s\n", f->scratch, strerror(errno));
		exit(1);
	}
	snprintf(f->base, sizeof(f->base), "/vpmu-test-%d", (int)getpid());
	if (getenv("VPMU_TEST_NO_CGROUP2")) {
		snprintf(f->why, sizeof(f->why), "VPMU_TEST_NO_CGROUP2 is set");
		return;
	}
	if (fixture_is_cg2("/sys/fs/cgroup")) {
		strcpy(f->root, "/sys/fs/cgroup");
	} else {
		strcpy(f->mnt, "/tmp/vpmu-cg2-XXXXXX");
		if (!mkdtemp(f->mnt)) {
			snprintf(f->why, sizeof(f->why), "mkdtemp: %s",
				 strerror(errno));
			f->mnt[0] = 0;
			return;
		}
		if (mount("none", f->mnt, "cgroup2", 0, NULL)) {
			snprintf(f->why, sizeof(f->why),
				 "/sys/fs/cgroup is not cgroup2 and mount -t cgroup2 failed: %s",
				 strerror(errno));
			rmdir(f->mnt);
			f->mnt[0] = 0;
			return;
		}
		strcpy(f->root, f->mnt);
	}
	f->cg2 = true;
	/* Made here, mounted by the child that wants it. */
	strcpy(f->mnt2, "/tmp/vpmu-cg2b-XXXXXX");
	if (!mkdtemp(f->mnt2))
		f->mnt2[0] = 0;
}

/* Remove the cgroup @path and every cgroup below it. */
static inline int fixture_rm_cgroup(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d = opendir(path);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		fpath(sub, "%s/%s", path, de->d_name);
		if (fixture_rm_cgroup(sub))
			err = -1;
	}
	closedir(d);
	if (rmdir(path) && errno != ENOENT)
		err = -errno;
	return err;
}

static inline int fixture_rm_cb(const char *path, const struct stat *st,
				int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

/* rm -rf @path (not following symlinks). */
static inline int fixture_rm_tree(const char *path)
{
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return nftw(path, fixture_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Undo fixture_setup() and whatever the checks left; false if some stays. */
static inline bool fixture_teardown(struct fixture *f)
{
	char path[PATH_MAX];
	bool ok = true;

	if (f->cg2) {
		fpath(path, "%s%s", f->root, f->base);
		if (fixture_rm_cgroup(path)) {
			printf("# cannot remove cgroup %s: %s\n", path,
			       strerror(errno));
			ok = false;
		}
	}
	if (f->mnt2[0]) {
		umount2(f->mnt2, MNT_DETACH);
		if (rmdir(f->mnt2))
			ok = false;
	}
	if (f->mnt[0]) {
		umount2(f->mnt, MNT_DETACH);
		if (rmdir(f->mnt))
			ok = false;
	}
	if (f->scratch[0] && fixture_rm_tree(f->scratch)) {
		printf("# cannot remove %s: %s\n", f->scratch, strerror(errno));
		ok = false;
	}
	fflush(stdout);
	return ok;
}

static pid_t fixture_child;

static inline void fixture_forward(int sig)
{
	if (fixture_child > 0)
		kill(fixture_child, sig);
}

/*
 * Run @body in a child process and return its exit status (1 if it died
 * of a signal), so that the caller's teardown runs whatever happens to
 * the checks.  SIGINT, SIGTERM and SIGHUP are passed on to the child.
 */
static inline int fixture_run(int (*body)(struct fixture *), struct fixture *f)
{
	struct sigaction sa = { .sa_handler = fixture_forward };
	int st;

	fflush(stdout);
	fixture_child = fork();
	if (fixture_child < 0)
		return body(f);
	if (!fixture_child)
		exit(body(f));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (waitpid(fixture_child, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFSIGNALED(st)) {
		printf("# the checks died of signal %d\n", WTERMSIG(st));
		return 1;
	}
	return WEXITSTATUS(st);
}

#endif /* VPMU_TEST_FIXTURE_H */
