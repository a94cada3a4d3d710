/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tenant a VM belongs to, from its cgroup's metadata.
 *
 * Precedence, when several tenants match:
 *  1. the higher "priority";
 *  2. the more specific clause: more conditions;
 *  3. the clause that matched deeper in the cgroup tree (the depth of the
 *     deepest cgroup one of its conditions matched at);
 *  4. otherwise the tenants tie: the first by name wins, and the tie is
 *     reported (VPMU_VM_TIE, logged), since file order is no intent.
 */
#ifndef VPMUD_MATCH_H
#define VPMUD_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* What the daemon knows about a VM's cgroup. */
struct vm_meta {
	const char *cgroup_root;	/* for xattr lookups */
	const char *machines_dir;
	char *path;			/* below the cgroup2 root */
	char unit[256];			/* "" if none */
	int unit_depth;
	char machine[256];		/* "" if none */
};

/* Fill @m for the cgroup at @path (taken over by @m). */
void vm_meta_init(struct vm_meta *m, const char *cgroup_root,
		  const char *machines_dir, char *path);
void vm_meta_free(struct vm_meta *m);

struct match_score {
	long long priority;
	int conds;
	int depth;
};

/* Whether @t matches @m; its best clause's score in @score. */
bool tenant_matches(const struct tenant *t, const struct vm_meta *m,
		    struct match_score *score);
/*
 * The tenant of @m among @ts (NULL if none matches); *@tie is set if
 * another tenant matched with equal precedence.
 */
struct tenant *match_pick(struct tenant *const *ts, size_t n,
			  const struct vm_meta *m, bool *tie);

#endif /* VPMUD_MATCH_H */
