/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * A policy's key index: where the rules of one (space, event) key are.
 *
 * A decision must cost about what KVM's own filter costs.  A binary
 * search over the sorted rules in BPF is a chain of dependent map reads
 * (each step needs the one before it), and BPF cannot hide that chain
 * with branch prediction the way compiled C does; at 13 steps it cost 20
 * times KVM's filter.  The index replaces the search with two reads that
 * do not depend on each other, whatever the number of rules.
 *
 * Layout of a policy's array map (one value size: a rule's):
 *
 *   entry 0                    struct vpmu_policy_header
 *   entries 1 .. nr            the rules, sorted by vpmu_rule_key()
 *   entries nr+1 .. nr+2^order the index: struct vpmu_index_bucket
 *   the rest, up to the class   zero
 *
 * The index is a bucketized cuckoo hash table: a key's slot is in one of
 * two buckets, vpmu_index_bucket_of() of vpmu_index_hash(key, mult), and
 * a lookup reads both and compares all their slots.  The hash is
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
 * A slot: key in bits 31:0 (0 = empty: space 0 is the header's, so no
 * rule has key 0), the key's first rule's entry in bits 47:32 and its
 * number of rules in bits 63:48.  A u64, not a struct, so that both sides
 * read it the same way on either endianness.
 */
struct vpmu_index_bucket {
	__u64 slot[VPMU_INDEX_SLOTS];
};

/* Every entry of a policy's map, by what it is at its position. */
union vpmu_policy_entry {
	struct vpmu_policy_header header;
	struct vpmu_rule rule;
	struct vpmu_index_bucket bucket;
};

_Static_assert(sizeof(struct vpmu_policy_header) == sizeof(struct vpmu_rule),
	       "a policy map has one value size");
_Static_assert(sizeof(struct vpmu_index_bucket) == sizeof(struct vpmu_rule),
	       "a policy map has one value size");

/* An event the index cannot hold has key 0: it finds no rules. */
static inline __u32 vpmu_index_key(__u8 space, __u32 event)
{
	return event <= VPMU_INDEX_EVENT_MAX ? (__u32)space << 24 | event : 0;
}

static inline __u64 vpmu_index_slot(__u32 key, __u32 first, __u32 count)
{
	return (__u64)key | (__u64)(first & 0xffff) << 32 |
	       (__u64)(count & 0xffff) << 48;
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
