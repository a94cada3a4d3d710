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

#include "cgroup.h"

/*
 * What classification used and what it ignored, and why, for vpmuctl
 * match; the daemon passes none.
 */
struct match_note {
	bool used;
	char text[600];
};

struct match_notes {
	struct match_note *v;
	size_t n, cap;
};

void match_note(struct match_notes *ns, bool used, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void match_notes_free(struct match_notes *ns);

struct xattr_memo;

/*
 * What the daemon knows about a VM's cgroup: only what the host
 * controls (see cgroup_trust() and vpmu-policy.json(5), TRUST).
 */
struct vm_meta {
	const char *cgroup_root;	/* for xattr lookups */
	const char *machines_dir;
	char *path;			/* below the cgroup2 root */
	struct cgroup_trust trust;
	char unit[256];			/* "" if none */
	int unit_depth;
	char machine[256];		/* "" if none */
	struct match_notes *notes;	/* NULL but in vpmuctl match */
	/*
	 * The cgroup as the kernel recorded it (0 in vpmuctl match, which
	 * is given a path): every read by path is checked against it
	 * afterwards, so a cgroup removed and made again under the same
	 * name is never read in its place.  Then @gone is set, and the
	 * meta matches nothing (the VM stays pending).
	 */
	uint64_t cgroup_id;
	bool gone;
	/* xattrs read so far: each is read once per cgroup per pass. */
	struct xattr_memo *memo;
};

/* Fill @m for the cgroup at @path (taken over by @m). */
void vm_meta_init(struct vm_meta *m, const char *cgroup_root,
		  const char *machines_dir, char *path);
/* The same, noting every input used and ignored in @notes. */
void vm_meta_init_notes(struct vm_meta *m, const char *cgroup_root,
			const char *machines_dir, char *path,
			struct match_notes *notes);
void vm_meta_free(struct vm_meta *m);
/*
 * Read @m for the cgroup the kernel knows as @id at @path (taken over),
 * reading the xattrs @names[@n] now; @m->gone if it was not that cgroup
 * throughout.
 */
void vm_meta_read(struct vm_meta *m, const char *cgroup_root,
		  const char *machines_dir, char *path, uint64_t id,
		  char *const *names, size_t n);
/*
 * xattr @name of @m's cgroup or its nearest ancestor that has it, as
 * classification may use it (user.* only above the delegation
 * boundary): its depth, or -1.
 */
int vm_meta_xattr(const struct vm_meta *m, const char *name, char *val,
		  size_t len);

struct match_score {
	long long priority;
	int conds;
	int depth;
};

/* <0, 0 or >0 as @a takes precedence below, as, or over @b. */
int match_score_cmp(const struct match_score *a, const struct match_score *b);
/* Whether @t matches @m; its best clause's score in @score. */
bool tenant_matches(const struct tenant *t, const struct vm_meta *m,
		    struct match_score *score);
/*
 * The tenant of @m among @ts (NULL if none matches); *@tie is set if
 * another tenant matched with equal precedence.
 */
struct tenant *match_pick(struct tenant *const *ts, size_t n,
			  const struct vm_meta *m, bool *tie);

/*
 * Note the user.* xattrs on @m's cgroup and its ancestors that no clause
 * of @ts names (only a clause with "untrusted_xattrs" may): ignored.
 */
void match_note_untrusted(const struct vm_meta *m, struct tenant *const *ts,
			  size_t n);

#endif /* VPMUD_MATCH_H */
