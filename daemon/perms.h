/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a file may decide policy: sshd's StrictModes for policy files.
 * Whoever can write a tenant file, or swap it or a directory above it,
 * decides what every guest may count.
 */
#ifndef VPMUD_PERMS_H
#define VPMUD_PERMS_H

#include <stdbool.h>

#include "diag.h"

/*
 * True if @path, every directory it passes through on the way from /
 * and every symlink it follows (and the directories of their targets)
 * are owned by root and not writable by group or others; otherwise
 * false, with what is wrong (which file, its owner or mode) in @d.
 */
bool path_root_only(const char *path, struct diag *d);
/*
 * The same, but a @path that does not exist passes if the directory it
 * is missing from (after the symlinks on the way) and all above it
 * pass: its absence is root's doing, and may be believed.
 */
bool path_root_only_or_absent(const char *path, struct diag *d);

#endif /* VPMUD_PERMS_H */
