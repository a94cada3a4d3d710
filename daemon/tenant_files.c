// SPDX-License-Identifier: GPL-2.0
/* The files of tenants.d (see tenant_files.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perms.h"
#include "policy.h"
#include "tenant_files.h"

bool tenant_file_wanted(const char *name)
{
	size_t n = strlen(name);

	/* Editors' and tools' temporary files start with '.' or end in '~'. */
	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".json");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void tenant_files_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int tenant_files_list(const char *dir, char ***names, size_t *n, struct diag *d)
{
	char path[PATH_MAX], **v = NULL, *name;
	struct dirent *de;
	struct stat st;
	size_t nv = 0;
	bool gone;
	DIR *dp;
	void *p;

	*names = NULL;
	*n = 0;
	dp = opendir(dir);
	if (!dp) {
		diag_file(d, dir, "%s", strerror(errno));
		return -1;
	}
	/*
	 * A file missing from the listing removes its tenant, so the
	 * listing must be root's as much as the files are: whoever could
	 * write @dir, a directory above it or one its symlinks lead to
	 * could delete tenants, or swap in an empty directory.
	 */
	if (!path_root_only(dir, d))
		goto fail;
	while ((de = readdir(dp))) {
		if (!tenant_file_wanted(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* stat() follows symlinks (ConfigMap-style directories). */
		gone = stat(path, &st) != 0;
		if (gone && errno != ENOENT) {
			/* Not known to be gone: not known to be no tenant. */
			diag_file(d, path, "%s", strerror(errno));
			goto fail;
		}
		if (gone || !S_ISREG(st.st_mode)) {
			/*
			 * Gone since readdir(), a dangling symlink or not
			 * a file: no tenant, if only root could make it so
			 * (a symlink into a directory others may write).
			 */
			if (!path_root_only_or_absent(path, d))
				goto fail;
			continue;
		}
		p = realloc(v, (nv + 1) * sizeof(*v));
		name = strdup(de->d_name);
		if (p)
			v = p;
		if (!p || !name) {
			free(name);
			diag_file(d, dir, "out of memory");
			goto fail;
		}
		v[nv++] = name;
	}
	closedir(dp);
	qsort(v, nv, sizeof(*v), cmp_str);
	*names = v;
	*n = nv;
	return 0;
fail:
	closedir(dp);
	tenant_files_free(v, nv);
	return -1;
}

char *tenant_file_read(const char *path, size_t *len, struct diag *d)
{
	/*
	 * A file others than root may write (or swap) is rejected like a
	 * broken one.
	 */
	return path_root_only(path, d) ?
	       read_file(path, TENANT_FILE_MAX, len, d) : NULL;
}

void tenant_good_copy_path(const char *state_dir, const char *file, char *buf,
			   size_t len)
{
	snprintf(buf, len, "%s/good/%s", state_dir, file);
}

struct tenant *tenant_good_copy_load(const char *path, enum vpmu_target target,
				     struct diag *d)
{
	/*
	 * The daemon writes them mode 0600 in a 0700 directory: one that
	 * others could have written is not one of them.
	 */
	if (!path_root_only_or_absent(path, d))
		return NULL;
	if (access(path, F_OK) && errno == ENOENT)
		return NULL;	/* none kept: not an error */
	return tenant_load(path, target, d);
}
