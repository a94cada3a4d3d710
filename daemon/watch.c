// SPDX-License-Identifier: GPL-2.0
/* inotify on tenants.d (see watch.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "watch.h"

#define DIR_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
		    IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB)
#define PARENT_EVENTS (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM)

/* (Re)watch the directory; it may not exist (yet). */
static void watch_dir(struct watch *w)
{
	if (w->wd_dir >= 0)
		inotify_rm_watch(w->fd, w->wd_dir);
	w->wd_dir = inotify_add_watch(w->fd, w->dir, DIR_EVENTS | IN_ONLYDIR);
}

int watch_init(struct watch *w, const char *dir)
{
	char parent[PATH_MAX], *slash;
	size_t n;

	memset(w, 0, sizeof(*w));
	w->fd = w->wd_dir = w->wd_parent = -1;
	snprintf(w->dir, sizeof(w->dir), "%s", dir);
	n = strlen(w->dir);
	while (n > 1 && w->dir[n - 1] == '/')
		w->dir[--n] = 0;
	snprintf(parent, sizeof(parent), "%s", w->dir);
	slash = strrchr(parent, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	snprintf(w->base, sizeof(w->base), "%s", slash + 1);
	if (slash == parent)
		slash[1] = 0;
	else
		*slash = 0;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	w->wd_parent = inotify_add_watch(w->fd, parent,
					 PARENT_EVENTS | IN_ONLYDIR);
	watch_dir(w);
	return 0;
}

/* Files that never hold a policy: editors' swap and backup files. */
static bool ignored(const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return false;
	/* "..data" and "..2024_…" are how ConfigMaps swap content. */
	if (name[0] == '.' && name[1] != '.')
		return true;
	if (name[n - 1] == '~')
		return true;
	return n > 4 && (!strcmp(name + n - 4, ".swp") ||
			 !strcmp(name + n - 4, ".tmp"));
}

bool watch_drain(struct watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	bool relevant = false, rewatch = false;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(w->fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				relevant = rewatch = w->everything = true;
				continue;
			}
			if (ev->wd == w->wd_parent) {
				if (ev->len && !strcmp(ev->name, w->base))
					relevant = rewatch = w->everything = true;
				continue;
			}
			/* A watch replaced by watch_dir(): its IN_IGNORED. */
			if (ev->wd != w->wd_dir)
				continue;
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
					IN_IGNORED)) {
				relevant = rewatch = w->everything = true;
				continue;
			}
			if (ev->len && ignored(ev->name))
				continue;
			relevant = true;
			/* "..data" and friends: every file may have changed. */
			if (!ev->len || ev->name[0] == '.' ||
			    !strmap_put(&w->changed, ev->name, 0))
				w->everything = true;
		}
	}
	if (rewatch)
		watch_dir(w);
	return relevant;
}

bool watch_take(struct watch *w, char ***names, size_t *n)
{
	bool everything = w->everything;

	*names = NULL;
	*n = 0;
	if (!everything && w->changed.n) {
		*names = strmap_keys(&w->changed, n);
		everything = !*names;
	}
	strmap_clear(&w->changed);
	w->everything = false;
	return everything;
}

void watch_close(struct watch *w)
{
	strmap_clear(&w->changed);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
