// SPDX-License-Identifier: GPL-2.0
/*
 * The form an index slot decides its key in (include/vpmu/index.h).
 *
 * A key's rules are evaluated for every query kind (0-7, as the engine
 * reads kind & 7) and unit mask (0-255) exactly as the engine's rule scan
 * would (include/vpmu/rule.h), 256 unit masks at a time as bit sets,
 * which is possible only if no rule has a condition on selector bits or
 * nesting.  Each kind's verdicts are then a
 * row of 256 bits; since the answer is allow or deny, a row is described
 * by the unit masks whose verdict is not the default.  If every row that
 * has any is the same set, the slot can say "these kinds, this set, this
 * verdict": as a masked entry when the set is one (the unit masks that
 * agree on some bits and take every value on the others), else as a
 * bitmap of the set.
 */
#include <string.h>

#include "key_form.h"

#define NR_KINDS	8	/* the engine's kind & 7 */
#define NR_UMASKS	256u

/* Bit b (below 6) of the unit masks u of one 64-bit word: which have it. */
static const __u64 bit_pattern[6] = {
	0xaaaaaaaaaaaaaaaaULL, 0xccccccccccccccccULL, 0xf0f0f0f0f0f0f0f0ULL,
	0xff00ff00ff00ff00ULL, 0xffff0000ffff0000ULL, 0xffffffff00000000ULL,
};

/*
 * 1: @r's selector and nesting conditions always hold, 0: never, -1: it
 * depends on the query.
 */
static int static_conditions(const struct vpmu_rule *r)
{
	if (r->flags & (VPMU_RULE_NESTED_ONLY | VPMU_RULE_NOT_NESTED |
			VPMU_RULE_HYP_ONLY))
		return -1;
	if (r->sel_match & ~r->sel_mask)
		return 0;	/* (selector & mask) never has bits outside mask */
	return r->sel_mask ? -1 : 1;
}

/* The unit masks @r's unit mask condition holds for (all, outside x86 GP). */
static void umask_set(const struct vpmu_rule *r, struct vpmu_index_bitmap *set)
{
	__u8 free_bits = ~r->umask_mask, x = 0;
	unsigned int u;

	if (r->space != VPMU_SPACE_X86_GP) {
		memset(set, 0xff, sizeof(*set));
		return;
	}
	memset(set, 0, sizeof(*set));
	if (r->umask_match & ~r->umask_mask)
		return;		/* holds for none */
	/* match with every subset of the bits the mask leaves free. */
	do {
		u = r->umask_match | x;
		set->word[u / 64] |= 1ULL << (u % 64);
		x = (x - free_bits) & free_bits;
	} while (x);
}

/*
 * Kind @k's unit masks whose verdict is not @dflt, as rule.h defines the
 * verdict: within each action, applying exclude rules cancel the others;
 * a deny wins over an allow.  @sets[i] is umask_set() of rule i.
 */
static void kind_row(const struct vpmu_rule *rules, __u32 n, __u8 dflt,
		     unsigned int k, const struct vpmu_index_bitmap *sets,
		     struct vpmu_index_bitmap *row)
{
	/* [action][exclude]: the unit masks some such rule applies to. */
	__u64 any[2][2][4];
	__u64 deny, allow;
	__u32 i, w, a, x;

	memset(any, 0, sizeof(any));
	for (i = 0; i < n; i++) {
		const struct vpmu_rule *r = &rules[i];

		if (!static_conditions(r) || !(r->kinds & (1u << k)))
			continue;
		a = r->action != VPMU_DENY;
		x = !!(r->flags & VPMU_RULE_EXCLUDE);
		for (w = 0; w < 4; w++)
			any[a][x][w] |= sets[i].word[w];
	}
	for (w = 0; w < 4; w++) {
		deny = any[0][0][w] & ~any[0][1][w];
		allow = any[1][0][w] & ~any[1][1][w] & ~deny;
		row->word[w] = dflt == VPMU_DENY ? allow : deny;
	}
}

__u32 vpmu_key_form(const struct vpmu_rule *rules, __u32 n, __u8 dflt,
		    __u32 *payload, __u8 *kinds, struct vpmu_index_bitmap *bm)
{
	struct vpmu_index_bitmap row[NR_KINDS], sets[VPMU_MAX_SAME_KEY];
	const struct vpmu_index_bitmap *set = NULL;
	unsigned int k, b, size = 0;
	__u8 mask = 0, match = 0;
	__u32 i;

	if (!n || n > VPMU_MAX_SAME_KEY ||
	    (dflt != VPMU_DENY && dflt != VPMU_ALLOW))
		return VPMU_SLOT_RULES;
	for (i = 0; i < n; i++)
		if (static_conditions(&rules[i]) < 0)
			return VPMU_SLOT_RULES;

	for (i = 0; i < n; i++)
		umask_set(&rules[i], &sets[i]);

	/* Each kind's unit masks that do not get the default. */
	*kinds = 0;
	for (k = 0; k < NR_KINDS; k++) {
		kind_row(rules, n, dflt, k, sets, &row[k]);
		if (!memcmp(&row[k], &(struct vpmu_index_bitmap){ 0 },
			    sizeof(row[k])))
			continue;
		if (set && memcmp(&row[k], set, sizeof(*set)))
			return VPMU_SLOT_RULES;	/* kinds decide differently */
		set = &row[k];
		*kinds |= 1u << k;
	}
	if (!set) {
		*payload = vpmu_slot_masked(0, 0, 0, 0);
		return VPMU_SLOT_MASKED;
	}

	/*
	 * One masked entry: the set agrees on the bits of mask, and only those,
	 * and has every value on the others.  Bit b is constant over the set
	 * when the set misses every unit mask with it, or every one without.
	 */
	for (b = 0; b < 8; b++) {
		__u64 with = 0, without = 0;

		for (i = 0; i < 4; i++) {
			__u64 ones = b < 6 ? bit_pattern[b] :
				     ((i >> (b - 6)) & 1 ? ~0ULL : 0);

			with |= set->word[i] & ones;
			without |= set->word[i] & ~ones;
		}
		if (!with || !without)
			mask |= 1u << b;
		if (with && !without)
			match |= 1u << b;
	}
	for (i = 0; i < 4; i++)
		size += __builtin_popcountll(set->word[i]);
	if (size == NR_UMASKS >> __builtin_popcount(mask)) {
		*payload = vpmu_slot_masked(*kinds, mask, match, !dflt);
		return VPMU_SLOT_MASKED;
	}

	/* Verdicts, not the set: 1 is allow. */
	for (i = 0; i < 4; i++)
		bm->word[i] = dflt == VPMU_ALLOW ? ~set->word[i] : set->word[i];
	return VPMU_SLOT_BITMAP;
}
