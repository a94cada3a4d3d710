// SPDX-License-Identifier: GPL-2.0
/* cgroup2 ids, paths and metadata. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"

/* include/linux/exportfs.h: kernfs file handles hold the node id. */
#define FILEID_KERNFS 0xfe

static char *relative(const char *root, const char *abs)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(abs, root, n) || (abs[n] && abs[n] != '/'))
		return NULL;
	return strdup(abs[n] ? abs + n : "/");
}

static char *path_by_handle(const char *root, uint64_t id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t),
			.handle_type = FILEID_KERNFS } };
	char link[64], abs[PATH_MAX], *p;
	int mfd, fd, err;
	ssize_t n;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	mfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return NULL;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err = errno;
	close(mfd);
	if (fd < 0) {
		errno = err;
		return NULL;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, sizeof(abs) - 1);
	close(fd);
	if (n > 0) {
		abs[n] = 0;
		p = relative(root, abs);
		if (p)
			return p;
	}
	/* It exists, but not by a path below @root (a symlink, a bind). */
	errno = EXDEV;
	return NULL;
}

/* Depth-first search of @dir for the directory with inode @id. */
static bool walk(char *dir, size_t len, uint64_t id, int depth)
{
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;

	if (depth > 64)
		return false;
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		/* Cgroup names may start with '.': skip "." and ".." only. */
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, "..") || len + 1 + n >= PATH_MAX)
			continue;
		dir[len] = '/';
		memcpy(dir + len + 1, de->d_name, n + 1);
		if (!stat(dir, &st) && st.st_ino == id)
			found = true;
		else
			found = walk(dir, len + 1 + n, id, depth + 1);
		if (!found)
			dir[len] = 0;
	}
	closedir(d);
	return found;
}

char *cgroup_path_of(const char *root, uint64_t id)
{
	char dir[PATH_MAX];
	struct stat st;
	char *p = path_by_handle(root, id);

	if (p)
		return p;
	/*
	 * The kernel says the cgroup is gone (ESTALE) or that there is
	 * none: no walk, which would cost a pass over every cgroup for
	 * each such VM, and which a user who may make and remove cgroups
	 * could multiply.  Only without the right to use handles
	 * (CAP_DAC_READ_SEARCH), or when the handle's path is not below
	 * @root, is the walk the way to find it.
	 */
	if (errno != EPERM && errno != EACCES && errno != EOPNOTSUPP &&
	    errno != EXDEV)
		return NULL;
	if (stat(root, &st))
		return NULL;
	if (st.st_ino == id)
		return strdup("/");
	snprintf(dir, sizeof(dir), "%s", root);
	if (!walk(dir, strlen(dir), id, 0))
		return NULL;
	return relative(root, dir);
}

uint64_t cgroup_id_of(const char *root, const char *path)
{
	char abs[PATH_MAX];
	struct stat st;

	snprintf(abs, sizeof(abs), "%s%s", root, path);
	return stat(abs, &st) ? 0 : st.st_ino;
}

int cgroup_depth(const char *path)
{
	int n = 0;

	for (; *path; path++)
		if (*path == '/' && path[1] && path[1] != '/')
			n++;
	return n;
}

bool cgroup_xattr(const char *root, const char *path, const char *name,
		  char *buf, size_t len, int *depth)
{
	char abs[PATH_MAX], *slash;
	size_t rl = strlen(root);
	ssize_t n;

	if (snprintf(abs, sizeof(abs), "%s%s", root,
		     strcmp(path, "/") ? path : "") >= (int)sizeof(abs))
		return false;
	for (;;) {
		n = getxattr(abs, name, buf, len - 1);
		if (n >= 0) {
			buf[n] = 0;
			*depth = cgroup_depth(abs + rl);
			return true;
		}
		/* The nearest value does not fit: not an ancestor's instead. */
		if (errno == ERANGE)
			return false;
		slash = strrchr(abs, '/');
		if (!slash || (size_t)(slash - abs) < rl)
			return false;
		*slash = 0;
	}
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n > m && !memcmp(s + n - m, suffix, m);
}

const char *cgroup_next(const char **p, size_t *n)
{
	const char *c = *p;

	while (*c == '/')
		c++;
	if (!*c) {
		*p = c;
		return NULL;
	}
	*p = strchrnul(c, '/');
	*n = *p - c;
	return c;
}

bool cgroup_unit(const char *path, int max_depth, char *buf, size_t len,
		 int *depth)
{
	const char *p = path, *c;
	size_t n;
	int d = 0;

	for (;;) {
		c = cgroup_next(&p, &n);
		if (!c || ++d > max_depth)
			return false;
		if (!ends_with(c, n, ".slice"))
			break;
	}
	if ((!ends_with(c, n, ".service") && !ends_with(c, n, ".scope")) ||
	    n >= len)
		return false;
	memcpy(buf, c, n);
	buf[n] = 0;
	*depth = d;
	return true;
}

bool cgroup_prefix(const char *path, int depth, char *buf, size_t len)
{
	const char *p = path;
	size_t n;

	while (depth-- > 0 && cgroup_next(&p, &n))
		;
	n = p - path;
	if (n >= len)
		return false;
	memcpy(buf, path, n);
	buf[n] = 0;
	if (!n)
		snprintf(buf, len, "/");
	return true;
}

/* systemd's marker on a delegated unit's cgroup (user.* since v253). */
static bool delegated(const char *dir)
{
	static const char *const names[] = { "trusted.delegate",
					     "user.delegate" };
	char v[8];
	ssize_t n;
	size_t i;

	for (i = 0; i < 2; i++) {
		n = getxattr(dir, names[i], v, sizeof(v) - 1);
		if (n == 1 && v[0] == '1')
			return true;
	}
	return false;
}

void cgroup_trust(const char *root, const char *path, struct cgroup_trust *t)
{
	char abs[PATH_MAX];
	const char *p = path, *c;
	size_t rl = strlen(root), n;
	struct stat st;
	int d = 0;

	memset(t, 0, sizeof(*t));
	if (rl >= sizeof(abs))
		return;
	memcpy(abs, root, rl + 1);
	while ((c = cgroup_next(&p, &n))) {
		if (rl + 1 + n >= sizeof(abs)) {
			snprintf(t->why, sizeof(t->why), "path too long");
			t->boundary = d + 1;
			return;
		}
		abs[rl++] = '/';
		memcpy(abs + rl, c, n);
		rl += n;
		abs[rl] = 0;
		d++;
		/* Gone or odd: nothing from here down is known. */
		if (lstat(abs, &st))
			snprintf(t->why, sizeof(t->why), "cannot look at it: %s",
				 strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			snprintf(t->why, sizeof(t->why), "not a directory");
		if (t->why[0]) {
			t->boundary = d;
			return;
		}
		if (st.st_uid)
			snprintf(t->why, sizeof(t->why), "owned by uid %u",
				 (unsigned int)st.st_uid);
		else if (st.st_mode & (S_IWGRP | S_IWOTH))
			snprintf(t->why, sizeof(t->why),
				 "writable by others than root (mode %04o)",
				 (unsigned int)(st.st_mode & 07777));
		else if (delegated(abs)) {
			snprintf(t->why, sizeof(t->why),
				 "delegated (systemd's delegate xattr)");
			t->boundary_root = true;
		}
		t->names = d;
		if (t->why[0]) {
			t->boundary = d;
			return;
		}
		t->xattrs = d;
	}
}

/*
 * A value as systemd's parse_env_file() reads it back: '\' escapes the
 * next character (within double quotes only one of "\`$, else it
 * stays), quotes are removed.  machined writes SCOPE= cescape()d up to
 * v253 (a libvirt scope's "\x2d" as "\\x2d"), double-quoted since.
 */
static void env_unquote(char *s)
{
	char *out = s, q = 0;

	for (; *s; s++) {
		if (q == '\'') {
			if (*s == '\'')
				q = 0;
			else
				*out++ = *s;
		} else if (*s == '\\' && s[1]) {
			s++;
			if (q == '"' && !strchr("\"\\`$", *s))
				*out++ = '\\';
			*out++ = *s;
		} else if (*s == '"' || (!q && *s == '\'')) {
			q = q ? 0 : *s;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

bool cgroup_machine(const char *machines_dir, const char *unit, char *buf,
		    size_t len)
{
	char file[PATH_MAX], line[512];
	struct dirent *de;
	bool found = false;
	DIR *d;
	FILE *f;
	ssize_t n;

	/* "unit:UNIT" -> NAME, what sd_pid_get_machine_name() reads. */
	if (*unit && snprintf(file, sizeof(file), "%s/unit:%s", machines_dir,
			      unit) < (int)sizeof(file)) {
		n = readlink(file, buf, len);
		if (n > 0 && (size_t)n < len && !memchr(buf, '/', n)) {
			buf[n] = 0;
			return true;
		}
	}
	d = opendir(machines_dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strncmp(de->d_name, "unit:", 5))
			continue;
		snprintf(file, sizeof(file), "%s/%s", machines_dir, de->d_name);
		f = fopen(file, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			env_unquote(line);
			if (!strncmp(line, "SCOPE=", 6) &&
			    !strcmp(line + 6, unit)) {
				snprintf(buf, len, "%s", de->d_name);
				found = true;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}
