/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watching tenants.d with inotify, including the ways configuration
 * really changes: editors' temporary files and atomic renames, a
 * ConfigMap-style "..data" symlink swapped inside the directory, and the
 * directory itself being a symlink that is replaced.
 */
#ifndef VPMUD_WATCH_H
#define VPMUD_WATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "strmap.h"

struct watch {
	int fd;			/* inotify, non-blocking */
	int wd_dir;		/* the directory (symlinks followed) */
	int wd_parent;		/* its parent: the directory replaced */
	char dir[PATH_MAX];
	char base[NAME_MAX + 1];	/* the directory's name in its parent */
	/*
	 * Since the last watch_take(): the names of files that changed, or
	 * "everything" (the directory replaced, a ConfigMap "..data" swap,
	 * a queue overflow).
	 */
	struct strmap changed;
	bool everything;
};

int watch_init(struct watch *w, const char *dir);
/*
 * Read the pending events.  True if any may change the policy set (then
 * reload, after a short pause to let a burst of writes settle).
 */
bool watch_drain(struct watch *w);
/*
 * What changed since the last call: true for "rescan everything", else
 * the changed names in *@names (malloc'ed array of malloc'ed strings).
 */
bool watch_take(struct watch *w, char ***names, size_t *n);
void watch_close(struct watch *w);

#endif /* VPMUD_WATCH_H */
