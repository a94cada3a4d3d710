// SPDX-License-Identifier: GPL-2.0
/*
 * The form an index slot decides its key in (include/vpmu/index.h).
 *
 * A key's rules are evaluated for every query kind (0-7, as the engine
 * reads kind & 7) and unit mask (0-255) exactly as the engine's rule scan
 * would (include/vpmu/rule.h), which is possible only if no rule has a
 * condition on selector bits or nesting.  Each kind's verdicts are then a
 * row of 256 bits; since the answer is allow or deny, a row is described
 * by the unit masks whose verdict is not the default.  If every row that
 * has any is the same set, the slot can say "these kinds, this set, this
 * verdict": as a masked entry when the set is one (the unit masks that
 * agree on some bits and take every value on the others), else as a
 * bitmap of the set.
 */
#include <stdbool.h>
#include <string.h>

#include "key_form.h"

#define NR_KINDS	8	/* the engine's kind & 7 */
#define NR_UMASKS	256u

/* 1: @r's selector and nesting conditions always hold, 0: never, -1: it depends. */
static int static_conditions(const struct vpmu_rule *r)
{
	if (r->flags & (VPMU_RULE_NESTED_ONLY | VPMU_RULE_NOT_NESTED |
			VPMU_RULE_HYP_ONLY))
		return -1;
	if (r->sel_match & ~r->sel_mask)
		return 0;	/* (selector & mask) never has bits outside mask */
	return r->sel_mask ? -1 : 1;
}

/* The engine's verdict for kind @k and unit mask @u, as rule.h defines it. */
static __u8 verdict(const struct vpmu_rule *rules, __u32 n, __u8 dflt,
		    unsigned int k, unsigned int u)
{
	bool deny_inc = false, deny_exc = false, allow_inc = false,
	     allow_exc = false;
	__u32 i;

	for (i = 0; i < n; i++) {
		const struct vpmu_rule *r = &rules[i];
		bool exclude = r->flags & VPMU_RULE_EXCLUDE;

		if (!static_conditions(r) || !(r->kinds & (1u << k)))
			continue;
		if (r->space == VPMU_SPACE_X86_GP &&
		    (u & r->umask_mask) != r->umask_match)
			continue;
		if (r->action == VPMU_DENY) {
			deny_exc |= exclude;
			deny_inc |= !exclude;
		} else {
			allow_exc |= exclude;
			allow_inc |= !exclude;
		}
	}
	if (deny_inc && !deny_exc)
		return VPMU_DENY;
	if (allow_inc && !allow_exc)
		return VPMU_ALLOW;
	return dflt;
}

__u32 vpmu_key_form(const struct vpmu_rule *rules, __u32 n, __u8 dflt,
		    __u32 *payload, __u8 *kinds, struct vpmu_index_bitmap *bm)
{
	struct vpmu_index_bitmap row[NR_KINDS], *set = NULL;
	unsigned int k, u, size = 0, bits;
	__u8 all_and = 0xff, all_or = 0, mask, match;
	__u32 i;

	if (!n || (dflt != VPMU_DENY && dflt != VPMU_ALLOW))
		return VPMU_SLOT_RULES;
	for (i = 0; i < n; i++)
		if (static_conditions(&rules[i]) < 0)
			return VPMU_SLOT_RULES;

	/* Each kind's unit masks that do not get the default. */
	memset(row, 0, sizeof(row));
	*kinds = 0;
	for (k = 0; k < NR_KINDS; k++) {
		/* Only x86 GP events have unit masks: others decide alike for all. */
		if (rules[0].space != VPMU_SPACE_X86_GP) {
			if (verdict(rules, n, dflt, k, 0) != dflt)
				memset(&row[k], 0xff, sizeof(row[k]));
		} else {
			for (u = 0; u < NR_UMASKS; u++)
				if (verdict(rules, n, dflt, k, u) != dflt)
					row[k].word[u / 64] |= 1ULL << (u % 64);
		}
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

	/* One masked entry: the set agrees on the bits of mask, and only those. */
	for (u = 0; u < NR_UMASKS; u++) {
		if (!(set->word[u / 64] >> (u % 64) & 1))
			continue;
		all_and &= u;
		all_or |= u;
		size++;
	}
	mask = ~(all_and ^ all_or);
	match = all_and & mask;
	bits = __builtin_popcount(mask);
	if (size == NR_UMASKS >> bits) {
		*payload = vpmu_slot_masked(*kinds, mask, match, !dflt);
		return VPMU_SLOT_MASKED;
	}

	/* Verdicts, not the set: 1 is allow. */
	for (i = 0; i < 4; i++)
		bm->word[i] = dflt == VPMU_ALLOW ? ~set->word[i] : set->word[i];
	return VPMU_SLOT_BITMAP;
}
