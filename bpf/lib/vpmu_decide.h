/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The engine's decision for one event against one compiled policy (see
 * include/vpmu/rule.h for the semantics, include/vpmu/index.h for the
 * layout).  BPF-side code: the policy is an ARRAY map, header first, e.g.
 * the inner map of a policies map-of-maps (bpf/lib/vpmu_policies.h
 * finds it and calls this).  Work is bounded and independent of the
 * number of rules and of policies: one index bucket (two if the first
 * overflowed), whose slot decides most keys by itself or with one bitmap
 * read; else at most VPMU_MAX_SAME_KEY candidates (bpf_loop(), Linux
 * 5.17).
 */
#ifndef VPMU_DECIDE_H
#define VPMU_DECIDE_H

#include "../../include/vpmu/index.h"

/*
 * The slot of @key_hi (the key in bits 63:32) in bucket @b, or 0 (or
 * just VPMU_SLOT_OVERFLOW, for key 0).  Without branches: a bucket's
 * four compares are independent, and the verifier would otherwise follow
 * both outcomes of each.  (slot ^ key_hi) >> 32 is below 2^32, so minus
 * one it is negative only if the keys are equal, and its sign shifted
 * down is the all-ones mask of a hit; the barrier keeps clang from
 * turning that back into a compare and branch.
 */
static __always_inline __u64 vpmu_index_find(const struct vpmu_index_bucket *b,
					     __u64 key_hi)
{
	__u64 hit = 0, s;
	__s64 eq;
	int i;

#pragma unroll
	for (i = 0; i < VPMU_INDEX_SLOTS; i++) {
		s = b->slot[i];
		eq = ((s ^ key_hi) >> 32) - 1;
		barrier_var(eq);
		hit |= s & (__u64)(eq >> 63);
	}
	return hit;
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
	void *policy;
	struct vpmu_query q;
	__u64 key;
	__u32 first;
	__u32 seen;	/* VPMU_{DENY,ALLOW}_{INC,EXC} */
};

/* What candidate @k of @s adds to s->seen; false to stop the scan. */
static __always_inline bool vpmu_scan_rule(struct vpmu_scan *s, __u32 k)
{
	const struct vpmu_rule *r = bpf_map_lookup_elem(s->policy, &k);

	/* A guard, not the bound: the index gave the number of candidates. */
	if (!r || vpmu_rule_key(r->space, r->event) != s->key)
		return false;
	if (vpmu_rule_applies(r, &s->q))
		s->seen |= vpmu_rule_hit(r);
	return true;
}

/*
 * The bpf_loop() callback for candidates after the first, one per policy
 * map size class (bpf/lib/vpmu_policies.h): its lookups are inlined only
 * if the verifier sees one map size at each.  Under bpf_loop() the
 * verifier checks the callback until its states converge instead of once
 * per candidate.
 */
#define VPMU_DEFINE_SCAN_STEP(name)                                          \
	static long name(__u32 i, void *data)                                \
	{                                                                     \
		struct vpmu_scan *s = data;                                   \
									      \
		return vpmu_scan_rule(s, s->first + 1 + i) ? 0 : 1;           \
	}

/* @policy's header, or NULL if it has none (not a complete policy). */
static __always_inline const struct vpmu_policy_header *
vpmu_policy_get_header(void *policy)
{
	__u32 zero = 0;
	const struct vpmu_policy_header *h = bpf_map_lookup_elem(policy, &zero);

	return h && h->space == VPMU_SPACE_HEADER &&
	       h->magic == VPMU_POLICY_MAGIC ? h : NULL;
}

/* A kind's bit in a slot's kinds (bits 23:16): whether its form applies. */
static __always_inline __u32 vpmu_slot_kind(__u32 payload,
					    const struct vpmu_query *q)
{
	return (payload >> (16 + (q->kind & 7))) & 1;
}

/*
 * A RULES key's verdict: its first candidate checked inline (a key with
 * one rule and conditions has one), the others by @scan_step under
 * bpf_loop().
 */
static __always_inline int vpmu_decide_rules(void *policy,
					     const struct vpmu_policy_header *h,
					     const struct vpmu_query *q,
					     __u32 payload,
					     long (*scan_step)(__u32, void *))
{
	__u32 count = (payload >> 14) & 0x7f;
	struct vpmu_scan scan;

	if (!count)
		return h->default_action;
	scan.policy = policy;
	scan.q = *q;
	scan.key = vpmu_rule_key(q->space, q->event);
	scan.first = payload & VPMU_SLOT_ENTRY_MASK;
	scan.seen = 0;
	if (vpmu_scan_rule(&scan, scan.first) && count > 1)
		bpf_loop(count - 1 < VPMU_MAX_SAME_KEY ? count - 1 :
							 VPMU_MAX_SAME_KEY,
			 scan_step, &scan, 0);

	if ((scan.seen & (VPMU_DENY_INC | VPMU_DENY_EXC)) == VPMU_DENY_INC)
		return VPMU_DENY;
	if ((scan.seen & (VPMU_ALLOW_INC | VPMU_ALLOW_EXC)) == VPMU_ALLOW_INC)
		return VPMU_ALLOW;
	return h->default_action;
}

/*
 * Returns enum vpmu_action for @q under @policy, whose header @h is.  The
 * first bucket decides most queries: its slot for the key, in the key's
 * form (include/vpmu/index.h), or no slot and no overflow.
 */
static __always_inline int vpmu_decide_with(void *policy,
					    const struct vpmu_policy_header *h,
					    const struct vpmu_query *q,
					    long (*scan_step)(__u32, void *))
{
	__u64 key_hi = (__u64)vpmu_index_key(q->space, q->event) << 32;
	const struct vpmu_index_bucket *b;
	const struct vpmu_index_bitmap *bm;
	__u32 base, order, k, payload;
	__u64 hash, hit;

	order = h->index_order;
	if (order > VPMU_INDEX_MAX_ORDER)
		return h->default_action;
	/* Any value is safe: every lookup checks its key against the map. */
	base = 1 + h->nr_rules;
	hash = vpmu_index_hash(key_hi >> 32, h->index_mult);
	k = base + vpmu_index_bucket_of(hash, 0, order);
	b = bpf_map_lookup_elem(policy, &k);
	if (!b)
		return h->default_action;
	hit = vpmu_index_find(b, key_hi);
	if (!hit && (b->slot[0] & VPMU_SLOT_OVERFLOW)) {
		k = base + vpmu_index_bucket_of(hash, 1, order);
		b = bpf_map_lookup_elem(policy, &k);
		if (!b)
			return h->default_action;
		hit = vpmu_index_find(b, key_hi);
	}
	payload = hit & ~VPMU_SLOT_OVERFLOW;

	switch (vpmu_slot_form(payload)) {
	case VPMU_SLOT_MASKED:
		if (vpmu_slot_kind(payload, q) &&
		    (q->unit_mask & (payload >> 8) & 0xff) == (payload & 0xff))
			return (payload >> 24) & 1;
		return h->default_action;
	case VPMU_SLOT_BITMAP:
		if (!vpmu_slot_kind(payload, q))
			return h->default_action;
		k = payload & VPMU_SLOT_ENTRY_MASK;
		bm = bpf_map_lookup_elem(policy, &k);
		if (!bm)
			return h->default_action;
		return (bm->word[(q->unit_mask >> 6) & 3] >> (q->unit_mask & 63)) & 1;
	case VPMU_SLOT_RULES:
		return vpmu_decide_rules(policy, h, q, payload, scan_step);
	default:
		return h->default_action;
	}
}

#endif /* VPMU_DECIDE_H */
