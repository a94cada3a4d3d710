/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * A policy's key index: what the rules of one (space, event) key decide.
 *
 * A decision must cost about what KVM's own filter costs.  A binary
 * search over the sorted rules in BPF is a chain of dependent map reads
 * (each step needs the one before it), and BPF cannot hide that chain
 * with branch prediction the way compiled C does; at 13 steps it cost 20
 * times KVM's filter.  The index replaces the search with one read
 * (rarely two, independent of each other), whatever the number of rules,
 * and its slot decides most keys without reading a rule (the forms below).
 *
 * Layout of a policy's array map (one value size: a rule's):
 *
 *   entry 0                    struct vpmu_policy_header
 *   entries 1 .. nr            the rules, sorted by vpmu_rule_key()
 *   entries nr+1 .. nr+2^order the index: struct vpmu_index_bucket
 *   then, up to one per key     BITMAP keys' struct vpmu_index_bitmap
 *   the rest, up to the class   zero
 *
 * The index is a bucketized cuckoo hash table: a key's slot is in one of
 * two buckets, vpmu_index_bucket_of() of vpmu_index_hash(key, mult), the
 * first if it has room; a lookup compares all the first bucket's slots,
 * and the second's only if the first says a key overflowed (slot 0's bit
 * 31).  Bitmaps only for keys of several rules, so that a policy of
 * VPMU_MAX_RULES rules still fits the largest class; past that room a key
 * keeps the RULES form.  The hash is
 * multiply-shift (the top bits of key * mult, for an odd mult), a
 * universal family: each multiplier lays keys out independently of the
 * last.  The layout code (vpmu_policy_image_build()) picks the order (at
 * least two slots per key) and the multiplier, and retries with another
 * multiplier, then a larger order, if keys do not fit; a policy that fits
 * no order is refused, never indexed partly.
 *
 * Size classes: the verifier turns a lookup in an array map into a few
 * inline instructions only when it knows the map's size, and a
 * map-of-maps' inner maps then all have its template's size.  So a policy
 * map is one of VPMU_POLICY_CLASSES sizes (16 to 8192 entries, four
 * times the last but for the largest), the smallest its layout fits, and
 * each class has its own map-of-maps (bpf/lib/vpmu_policies.h).  A policy
 * takes at most four times the memory its entries need (or 16 entries);
 * a lookup costs no call.
 */
#ifndef VPMU_INDEX_H
#define VPMU_INDEX_H

#include "rule.h"

#define VPMU_INDEX_SLOTS	4
/*
 * The largest index the engine reads (a bucket number is at most the 12
 * bits vpmu_index_bucket_of() takes); a layout must also fit a class.
 */
#define VPMU_INDEX_MAX_ORDER	12

/*
 * Policy map sizes (entries): 16, 64, 256, 1024, 4096 and 8192, which
 * holds VPMU_MAX_RULES rules with an index of two slots per key.
 */
#define VPMU_POLICY_CLASSES	6
#define VPMU_CLASS_ENTRIES(c)	((c) < 5 ? 16u << (2 * (c)) : 8192u)
#define VPMU_POLICY_MAX_ENTRIES	VPMU_CLASS_ENTRIES(VPMU_POLICY_CLASSES - 1)

/* The smallest class with room for @entries, or -1. */
static inline int vpmu_policy_class(__u32 entries)
{
	int c;

	for (c = 0; c < VPMU_POLICY_CLASSES; c++)
		if (entries <= VPMU_CLASS_ENTRIES(c))
			return c;
	return -1;
}

/* Event numbers a key can hold: every space's fit (x86 12 bits, arm64 16). */
#define VPMU_INDEX_EVENT_MAX	0xffffffu

/*
 * A slot: key in bits 63:32 (0 = empty: space 0 is the header's, so no
 * rule has key 0) and what the key decides in bits 30:0, in one of three
 * forms (bits 30:29), so that most keys decide without reading a rule:
 *
 *  - MASKED: the key's rules come down to one masked entry: a query of a
 *    kind in @kinds (bits 23:16, bit per kind) whose unit mask & @mask
 *    (bits 15:8) is @match (bits 7:0) gets the verdict in bit 24, every
 *    other query the policy's default.  Every key with one rule and no
 *    selector or nesting condition has this form (mask and match 0
 *    outside x86 GP), as does any key whose rules decide like one rule.
 *  - BITMAP: a query of a kind in @kinds (bits 23:16) gets the verdict
 *    for its unit mask from the 256-bit map in entry @entry (bits 13:0),
 *    bit u of word u / 64 (1: allow); other kinds the default.  Several
 *    masked entries for one x86 event select, e.g.
 *  - RULES: the key's rules are entries @first (bits 13:0) on, @count of
 *    them (bits 20:14), scanned as include/vpmu/rule.h says.  Keys with
 *    conditions on selector bits or nesting, whose verdicts are no
 *    function of kind and unit mask alone.  Payload 0: no rules.
 *
 * Bit 31 of slot 0 is the bucket's, not its key's: set, some key whose
 * first bucket this is lives in its second, so a key not found here may
 * be there; clear, a key not found here is in no rule.  A decision reads
 * the second bucket only then (at two slots per key, rarely).
 *
 * A u64, not a struct, so that both sides read it the same way on either
 * endianness.
 */
#define VPMU_SLOT_OVERFLOW	(1u << 31)
#define VPMU_SLOT_FORM_SHIFT	29
#define VPMU_SLOT_RULES		0u
#define VPMU_SLOT_MASKED	1u
#define VPMU_SLOT_BITMAP	2u
#define VPMU_SLOT_ENTRY_MASK	0x3fffu

static inline __u32 vpmu_slot_form(__u32 payload)
{
	return (payload >> VPMU_SLOT_FORM_SHIFT) & 3;
}

static inline __u32 vpmu_slot_rules(__u32 first, __u32 count)
{
	return (first & VPMU_SLOT_ENTRY_MASK) | (count & 0x7f) << 14;
}

static inline __u32 vpmu_slot_masked(__u8 kinds, __u8 mask, __u8 match,
				     __u8 verdict)
{
	return VPMU_SLOT_MASKED << VPMU_SLOT_FORM_SHIFT |
	       (__u32)(verdict & 1) << 24 | (__u32)kinds << 16 |
	       (__u32)mask << 8 | match;
}

static inline __u32 vpmu_slot_bitmap(__u8 kinds, __u32 entry)
{
	return VPMU_SLOT_BITMAP << VPMU_SLOT_FORM_SHIFT | (__u32)kinds << 16 |
	       (entry & VPMU_SLOT_ENTRY_MASK);
}

struct vpmu_index_bucket {
	__u64 slot[VPMU_INDEX_SLOTS];
};

/* A BITMAP key's verdicts (1: allow), by unit mask: bit u of word u / 64. */
struct vpmu_index_bitmap {
	__u64 word[4];
};

/* Every entry of a policy's map, by what it is at its position. */
union vpmu_policy_entry {
	struct vpmu_policy_header header;
	struct vpmu_rule rule;
	struct vpmu_index_bucket bucket;
	struct vpmu_index_bitmap bitmap;
};

_Static_assert(sizeof(struct vpmu_policy_header) == sizeof(struct vpmu_rule),
	       "a policy map has one value size");
_Static_assert(sizeof(struct vpmu_index_bucket) == sizeof(struct vpmu_rule),
	       "a policy map has one value size");
_Static_assert(sizeof(struct vpmu_index_bitmap) == sizeof(struct vpmu_rule),
	       "a policy map has one value size");

/* An event the index cannot hold has key 0: it finds no rules. */
static inline __u32 vpmu_index_key(__u8 space, __u32 event)
{
	return event <= VPMU_INDEX_EVENT_MAX ? (__u32)space << 24 | event : 0;
}

static inline __u64 vpmu_index_slot(__u32 key, __u32 payload)
{
	return (__u64)key << 32 | (payload & ~VPMU_SLOT_OVERFLOW);
}

static inline __u64 vpmu_index_hash(__u32 key, __u64 mult)
{
	return key * mult;
}

/*
 * Bucket @which (0 or 1) of @hash in an index of 1 << @order buckets
 * (@order at most VPMU_INDEX_MAX_ORDER): the top @order bits of bits
 * 63:52 for bucket 0, of bits 51:40 for bucket 1.  Multiply-shift takes
 * the top bits of the product, where every key bit has had its effect.
 */
static inline __u32 vpmu_index_bucket_of(__u64 hash, int which, __u32 order)
{
	__u64 top12 = which ? (hash >> 40) & 0xfff : hash >> 52;

	return top12 >> (VPMU_INDEX_MAX_ORDER - order);
}

#endif /* VPMU_INDEX_H */
