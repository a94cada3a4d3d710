/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The files of tenants.d as the daemon sees them: which names are tenant
 * files, the listing, reading one (root's only), and where the last good
 * version of one is kept.  Shared by the daemon (tenants.c) and vpmuctl
 * match, which must see the same tenants.
 */
#ifndef VPMUD_TENANT_FILES_H
#define VPMUD_TENANT_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "policy.h"

/* "*.json", not an editor's or a tool's temporary ('.' first, '~' last). */
bool tenant_file_wanted(const char *name);
/*
 * The tenant files of @dir (regular files, after symlinks), sorted, into
 * *@names (free with tenant_files_free()).  -1 with why in @d if the set
 * cannot be known (@dir is missing or unreadable, or a file in it cannot
 * be looked at) or believed (@dir, or where a name that is no tenant file
 * leads, fails path_root_only()): that is not "no tenants".
 */
int tenant_files_list(const char *dir, char ***names, size_t *n, struct diag *d);
void tenant_files_free(char **names, size_t n);
/*
 * The text of tenant file @path (NUL-terminated, @len bytes) if it may
 * decide policy (path_root_only()) and can be read; else NULL, why in @d.
 */
char *tenant_file_read(const char *path, size_t *len, struct diag *d);
/* Where the daemon keeps tenant file @file's last good version. */
void tenant_good_copy_path(const char *state_dir, const char *file, char *buf,
			   size_t len);
/*
 * The good copy at @path (from tenant_good_copy_path()) if it passes
 * path_root_only() and loads; NULL otherwise, why in @d (nothing if
 * there is none).
 */
struct tenant *tenant_good_copy_load(const char *path, enum vpmu_target target,
				     struct diag *d);

#endif /* VPMUD_TENANT_FILES_H */
