/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The engine's decision for one event against one compiled policy (see
 * include/vpmu/rule.h for the semantics and layout).  BPF-side code: the
 * policy is an ARRAY map of struct vpmu_rule, header first, e.g. the inner
 * map of the policies map-of-maps.  Work is bounded and independent of the number of policies:
 * a binary search over at most VPMU_MAX_RULES rules, then at most
 * VPMU_MAX_SAME_KEY candidates (bpf_loop(), Linux 5.17).
 */
#ifndef VPMU_DECIDE_H
#define VPMU_DECIDE_H

#include "../../include/vpmu/rule.h"

/* log2(VPMU_MAX_RULES) + 1 halvings find any position. */
#define VPMU_SEARCH_STEPS 13

/*
 * One halving of a lower-bound search over [lo, hi), without branching on
 * the comparison or on lo < hi: the verifier would otherwise follow every
 * outcome of each of the VPMU_SEARCH_STEPS halvings (2^13 paths).  Keys
 * are below 2^35 and indexes below 2^13, so the sign bit of a 64-bit
 * difference is the comparison.
 */
static __always_inline void vpmu_search_step(void *rules, __u64 key,
					     __u32 *lo, __u32 *hi)
{
	__u32 l = *lo, h = *hi, mid = l + (h - l) / 2;
	const struct vpmu_rule *r = bpf_map_lookup_elem(rules, &mid);
	__u64 less, active;

	if (!r)
		return;
	/*
	 * Hide the differences from clang, which would otherwise see the
	 * comparisons and emit branches for them again.
	 */
	active = (__u64)l - h;
	less = vpmu_rule_key(r->space, r->event) - key;
	barrier_var(active);
	barrier_var(less);
	active >>= 63;		/* l < h */
	less >>= 63;		/* rule's key < key */
	*lo = l + active * less * (mid + 1 - l);
	*hi = h - active * (1 - less) * (h - mid);
}

#define VPMU_DENY_INC	(1u << 0)
#define VPMU_DENY_EXC	(1u << 1)
#define VPMU_ALLOW_INC	(1u << 2)
#define VPMU_ALLOW_EXC	(1u << 3)

static __always_inline bool vpmu_rule_applies(const struct vpmu_rule *r,
					      const struct vpmu_query *q)
{
	if (!(r->kinds & (1u << (q->kind & 7))))
		return false;
	if (q->space == VPMU_SPACE_X86_GP &&
	    (q->unit_mask & r->umask_mask) != r->umask_match)
		return false;
	if ((q->raw_selector & r->sel_mask) != r->sel_match)
		return false;
	if ((r->flags & VPMU_RULE_NESTED_ONLY) && !q->nested)
		return false;
	if ((r->flags & VPMU_RULE_NOT_NESTED) && q->nested)
		return false;
	if ((r->flags & VPMU_RULE_HYP_ONLY) && !q->hyp_ctxt)
		return false;
	return true;
}

/* One candidate rule: the list (action, include/exclude) it adds to. */
static __always_inline __u32 vpmu_rule_hit(const struct vpmu_rule *r)
{
	bool exclude = r->flags & VPMU_RULE_EXCLUDE;

	if (r->action == VPMU_DENY)
		return exclude ? VPMU_DENY_EXC : VPMU_DENY_INC;
	return exclude ? VPMU_ALLOW_EXC : VPMU_ALLOW_INC;
}

struct vpmu_scan {
	void *rules;
	struct vpmu_query q;
	__u64 key;
	__u32 first;
	__u32 seen;	/* VPMU_{DENY,ALLOW}_{INC,EXC} */
};

/*
 * One candidate of the scan, run under bpf_loop(): the verifier checks the
 * callback until its states converge instead of once per candidate.
 * There is no k < nr test (it would make the search's result precise and
 * multiply the states): entries past nr_rules are zero, which no query's
 * key matches, so the key test stops the scan.
 */
static long vpmu_scan_step(__u32 i, void *data)
{
	struct vpmu_scan *s = data;
	__u32 k = s->first + i;
	const struct vpmu_rule *r = bpf_map_lookup_elem(s->rules, &k);

	if (!r || vpmu_rule_key(r->space, r->event) != s->key)
		return 1;
	if (vpmu_rule_applies(r, &s->q))
		s->seen |= vpmu_rule_hit(r);
	return 0;
}

/*
 * Returns enum vpmu_action for @q under the policy in @rules (header at
 * entry 0, rules from entry 1), or -1 if @rules has no header.
 */
static __always_inline int vpmu_decide(void *rules, const struct vpmu_query *q)
{
	__u32 zero = 0, nr, lo = 1, hi;
	const struct vpmu_rule *h = bpf_map_lookup_elem(rules, &zero);
	struct vpmu_scan scan = {
		.rules = rules,
		.q = *q,
		.key = vpmu_rule_key(q->space, q->event),
	};
	int dflt, i;

	if (!h || h->space != VPMU_SPACE_HEADER)
		return -1;
	nr = h->event < VPMU_MAX_RULES ? h->event : VPMU_MAX_RULES;
	dflt = h->action;
	hi = 1 + nr;

	for (i = 0; i < VPMU_SEARCH_STEPS; i++)
		vpmu_search_step(rules, scan.key, &lo, &hi);
	scan.first = lo;
	bpf_loop(VPMU_MAX_SAME_KEY, vpmu_scan_step, &scan, 0);

	if ((scan.seen & (VPMU_DENY_INC | VPMU_DENY_EXC)) == VPMU_DENY_INC)
		return VPMU_DENY;
	if ((scan.seen & (VPMU_ALLOW_INC | VPMU_ALLOW_EXC)) == VPMU_ALLOW_INC)
		return VPMU_ALLOW;
	return dflt;
}

#endif /* VPMU_DECIDE_H */
