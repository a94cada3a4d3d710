/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tenants could match a VM, without trying them all.
 *
 * A clause holds only if each of its conditions does, so a clause with a
 * literal condition (no glob characters: a slice, unit, machine, cgroup
 * path or xattr value written out) can match only a VM whose metadata
 * has that literal.  The index maps each such literal to the tenants
 * whose clause needs it; a tenant with a clause that has no literal is
 * "open" and a candidate for every VM.  With 10,000 tenants each naming
 * its slice or xattr value, a VM is tried against a handful of them.
 * match_pick() over the candidates picks what it picks over all tenants,
 * since every tenant that matches is a candidate (test_tenant_index).
 */
#ifndef VPMUD_TENANT_INDEX_H
#define VPMUD_TENANT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "strmap.h"

struct tenant_list {
	struct tenant **v;
	size_t n, cap;
	uint64_t stamp;		/* the candidates call that last took it */
};

struct tenant_index {
	struct strmap keys;		/* literal -> index in lists */
	struct tenant_list *lists;
	size_t nlists;
	struct tenant_list open;	/* a candidate for every VM */
	/* Every xattr any clause names: read when a cgroup is read. */
	char **xattrs;
	size_t nxattrs;
	size_t ntenants;
	size_t nentries;		/* in all lists: tenants, clauses */
};

/* Index @ts[@n] (NULL entries skipped), replacing what @ix held. */
int tenant_index_build(struct tenant_index *ix, struct tenant *const *ts,
		       size_t n);
void tenant_index_free(struct tenant_index *ix);
/*
 * The candidates for @m into @out (an array of at least @ix->nentries +
 * 1), each once: how many.
 */
size_t tenant_index_candidates(struct tenant_index *ix,
			       const struct vm_meta *m, struct tenant **out);

#endif /* VPMUD_TENANT_INDEX_H */
