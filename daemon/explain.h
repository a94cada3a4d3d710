/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's decision (bpf/lib/vpmu_decide.h) read plainly in C, with
 * the rules that made it: for `vpmuctl explain`, and as the reference the
 * BPF decision is tested against.
 */
#ifndef VPMUD_EXPLAIN_H
#define VPMUD_EXPLAIN_H

#include <stddef.h>
#include <linux/types.h>

#include "../include/vpmu/rule.h"

#define EXPLAIN_MAX_HITS VPMU_MAX_SAME_KEY

struct explanation {
	int action;		/* enum vpmu_action */
	/*
	 * Why: a deny rule, an allow rule, only rules of the tenant's preset
	 * (VPMU_RULE_PRESET; an allow entry of its own that applies too makes
	 * it BY_ALLOW), or the policy's default.
	 */
	enum { BY_DENY, BY_ALLOW, BY_PRESET, BY_DEFAULT } by;
	/* Indexes (into the rules) of the candidates that applied. */
	size_t hits[EXPLAIN_MAX_HITS];
	size_t nhits;
	size_t candidates;	/* rules with the query's key */
};

void explain_decide(const struct vpmu_rule *rules, size_t nr, int dflt,
		    const struct vpmu_query *q, struct explanation *out);
/* "a deny rule", "the preset", ...: @x's reason, for people. */
const char *explain_by(const struct explanation *x);
/* A one-line description of rule @r, for people. */
void explain_rule(const struct vpmu_rule *r, char *buf, size_t len);

#endif /* VPMUD_EXPLAIN_H */
