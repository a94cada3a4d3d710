// SPDX-License-Identifier: GPL-2.0
/* Policy files' ownership and modes (see perms.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esc.h"
#include "perms.h"

/* @st (of @what, on the way to @path) may decide policy? */
static bool root_only(const char *path, const char *what,
		      const struct stat *st, struct diag *d)
{
	char shown[1024];

	if (st->st_uid) {
		diag_file(d, path, "not used: %s: owned by uid %u, not root",
			  esc(shown, sizeof(shown), what),
			  (unsigned int)st->st_uid);
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		diag_file(d, path,
			  "not used: %s: writable by group or others (mode %04o)",
			  esc(shown, sizeof(shown), what),
			  (unsigned int)(st->st_mode & 07777));
		return false;
	}
	return true;
}

/*
 * Resolve @path one component at a time, as the kernel does, checking
 * every directory passed through and the file; a symlink's target is
 * spliced in before the rest.  Each symlink lives in a directory that
 * was checked, so nobody but root can swap it, and what is checked is
 * what gets opened.
 */
static bool resolve_root_only(const char *path, bool absent_ok,
			      struct diag *d)
{
	char cur[PATH_MAX] = "", rest[PATH_MAX], next[PATH_MAX];
	char link[PATH_MAX], tmp[PATH_MAX], *c, *slash;
	struct stat st;
	int hops = 0;
	ssize_t n;

	if (lstat("/", &st) || !root_only(path, "/", &st, d))
		return false;
	if (path[0] == '/')
		snprintf(rest, sizeof(rest), "%s", path);
	else if (!getcwd(tmp, sizeof(tmp)) ||
		 snprintf(rest, sizeof(rest), "%s/%s", tmp, path) >=
		 (int)sizeof(rest))
		goto toolong;
	for (;;) {
		c = rest;
		while (*c == '/')
			c++;
		if (!*c)
			return true;
		slash = strchrnul(c, '/');
		if (*slash)
			*slash++ = 0;
		memmove(tmp, slash, strlen(slash) + 1);
		if (!strcmp(c, ".")) {
			memmove(rest, tmp, strlen(tmp) + 1);
			continue;
		}
		if (!strcmp(c, "..")) {
			if (cur[0])
				*strrchr(cur, '/') = 0;
			memmove(rest, tmp, strlen(tmp) + 1);
			continue;
		}
		if (snprintf(next, sizeof(next), "%s/%s", cur, c) >=
		    (int)sizeof(next))
			goto toolong;
		if (lstat(next, &st)) {
			/*
			 * Missing from a directory only root may change:
			 * only root can have removed it.
			 */
			if (absent_ok && errno == ENOENT)
				return true;
			diag_file(d, path, "not used: %s: %s",
				  ESC(next), strerror(errno));
			return false;
		}
		if (S_ISLNK(st.st_mode)) {
			n = readlink(next, link, sizeof(link) - 1);
			if (n < 0 || ++hops > 40) {
				diag_file(d, path, "not used: %s: %s", ESC(next),
					  n < 0 ? strerror(errno) :
					  "too many symlinks");
				return false;
			}
			link[n] = 0;
			if (link[0] == '/')
				cur[0] = 0;
			if (snprintf(rest, sizeof(rest), "%s/%s", link, tmp) >=
			    (int)sizeof(rest))
				goto toolong;
			continue;
		}
		if (!root_only(path, next, &st, d))
			return false;
		snprintf(cur, sizeof(cur), "%s", next);
		memmove(rest, tmp, strlen(tmp) + 1);
	}
toolong:
	diag_file(d, path, "not used: path too long");
	return false;
}

bool path_root_only(const char *path, struct diag *d)
{
	return resolve_root_only(path, false, d);
}

bool path_root_only_or_absent(const char *path, struct diag *d)
{
	return resolve_root_only(path, true, d);
}
