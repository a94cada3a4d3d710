// SPDX-License-Identifier: GPL-2.0
/*
 * Policy images: a compiled policy laid out with its key index, and the
 * BPF map that carries it to the engine.
 *
 * The index is a bucketized cuckoo hash table (include/vpmu/index.h).
 * Inserting a key whose two buckets are full evicts a slot's key to its
 * other bucket, and so on, up to MAX_KICKS moves; the victims are chosen
 * by a PRNG seeded from the multiplier, so a layout is reproducible.
 * With at least two slots per key this almost never runs out of moves;
 * when it does (or a set of keys collides on purpose), the next
 * multiplier is tried, then an index twice as large, as long as the
 * policy still fits the largest size class.  Then keys that landed in
 * their second bucket move to their first if it has room now, and each
 * first bucket that still overflowed says so (slot 0's overflow bit), so
 * that a decision reads one bucket for most keys.
 *
 * Each key's slot says what its rules decide (lib/key_form.c); keys
 * whose form is a bitmap get it after the index, in key order, as far as
 * the largest class has room (else they keep the RULES form).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "key_form.h"
#include "policy_image.h"

#define MAX_KICKS	512
#define MULTS_PER_ORDER	16

struct index_key {
	__u32 key;
	__u32 first;	/* entry of its first rule */
	__u32 count;
	__u32 form;	/* VPMU_SLOT_* */
	__u32 payload;	/* MASKED */
	__u32 bitmap;	/* BITMAP: its number among the bitmaps */
	__u8 kinds;	/* BITMAP */
};

static __u32 slot_key(__u64 slot)
{
	return slot >> 32;
}

/* Multiplier @i: splitmix64's output for @i, made odd. */
static __u64 index_mult(__u32 i)
{
	__u64 z = (i + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) | 1;
}

static __u32 xorshift(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* The first free slot of @b, or -1. */
static int free_slot(const struct vpmu_index_bucket *b)
{
	int i;

	for (i = 0; i < VPMU_INDEX_SLOTS; i++)
		if (!b->slot[i])
			return i;
	return -1;
}

static void buckets_of(__u64 slot, __u32 order, __u64 mult, __u32 b[2])
{
	__u64 hash = vpmu_index_hash(slot_key(slot), mult);

	b[0] = vpmu_index_bucket_of(hash, 0, order);
	b[1] = vpmu_index_bucket_of(hash, 1, order);
}

static bool index_insert(struct vpmu_index_bucket *idx, __u32 order,
			 __u64 mult, __u32 *rng, __u64 slot)
{
	__u32 b[2], which;
	__u64 victim;
	int kick, i;

	for (kick = 0; kick < MAX_KICKS; kick++) {
		buckets_of(slot, order, mult, b);
		for (which = 0; which < 2; which++) {
			i = free_slot(&idx[b[which]]);
			if (i >= 0) {
				idx[b[which]].slot[i] = slot;
				return true;
			}
		}
		/* Both full: take a slot's place; its key looks for room. */
		which = xorshift(rng) & 1;
		i = xorshift(rng) % VPMU_INDEX_SLOTS;
		victim = idx[b[which]].slot[i];
		idx[b[which]].slot[i] = slot;
		slot = victim;
	}
	return false;
}

/*
 * @k's slot payload in an index whose bitmaps start at entry @bitmaps and
 * may take @room entries.
 */
static __u32 key_payload(const struct index_key *k, __u32 bitmaps, __u32 room)
{
	if (k->form == VPMU_SLOT_MASKED)
		return k->payload;
	if (k->form == VPMU_SLOT_BITMAP && k->bitmap < room)
		return vpmu_slot_bitmap(k->kinds, bitmaps + k->bitmap);
	return vpmu_slot_rules(k->first, k->count);
}

/*
 * Keys in their second bucket move to their first where it has room
 * now; first buckets that overflowed all the same say so.
 */
static void index_settle(struct vpmu_index_bucket *idx, __u32 order,
			 __u64 mult)
{
	__u32 b, b0[2], nb = 1u << order;
	int i, j;

	for (b = 0; b < nb; b++) {
		for (i = 0; i < VPMU_INDEX_SLOTS; i++) {
			__u64 slot = idx[b].slot[i];

			if (!slot)
				continue;
			buckets_of(slot, order, mult, b0);
			if (b0[0] == b)
				continue;
			j = free_slot(&idx[b0[0]]);
			if (j >= 0) {
				idx[b0[0]].slot[j] = slot;
				idx[b].slot[i] = 0;
			}
		}
	}
	for (b = 0; b < nb; b++) {
		for (i = 0; i < VPMU_INDEX_SLOTS; i++) {
			__u64 slot = idx[b].slot[i] & ~(__u64)VPMU_SLOT_OVERFLOW;

			if (!slot)
				continue;
			buckets_of(slot, order, mult, b0);
			if (b0[0] != b)
				idx[b0[0]].slot[0] |= VPMU_SLOT_OVERFLOW;
		}
	}
}

static bool index_fill(struct vpmu_index_bucket *idx, __u32 order, __u64 mult,
		       const struct index_key *keys, __u32 nkeys,
		       __u32 bitmaps, __u32 room)
{
	__u32 rng = (__u32)(mult >> 32) | 1, i;

	memset(idx, 0, sizeof(*idx) << order);
	for (i = 0; i < nkeys; i++)
		if (!index_insert(idx, order, mult, &rng,
				  vpmu_index_slot(keys[i].key,
						  key_payload(&keys[i], bitmaps,
							      room))))
			return false;
	index_settle(idx, order, mult);
	return true;
}

/*
 * Each key's form; BITMAP keys get their bitmaps in @bm, numbered in key
 * order, their number in *@nbm.
 */
static void key_forms(const struct vpmu_rule *rules, __u8 dflt,
		      struct index_key *keys, __u32 nkeys,
		      struct vpmu_index_bitmap *bm, __u32 *nbm)
{
	__u32 i, n = 0;

	for (i = 0; i < nkeys; i++) {
		struct index_key *k = &keys[i];

		k->form = vpmu_key_form(&rules[k->first - 1], k->count, dflt,
					&k->payload, &k->kinds, &bm[n]);
		if (k->form == VPMU_SLOT_BITMAP)
			k->bitmap = n++;
	}
	*nbm = n;
}

/* The keys of sorted @rules with where their runs are; -errno on bad rules. */
static int collect_keys(const struct vpmu_rule *rules, __u32 nr,
			struct index_key *keys, __u32 *nkeys)
{
	__u64 prev = 0, key;
	__u32 i, n = 0;

	for (i = 0; i < nr; i++) {
		if (rules[i].space == VPMU_SPACE_HEADER)
			return -EINVAL;
		key = vpmu_rule_key(rules[i].space, rules[i].event);
		if (key < prev)
			return -EINVAL;
		if (!vpmu_index_key(rules[i].space, rules[i].event))
			return -ERANGE;
		if (n && key == prev) {
			if (++keys[n - 1].count > VPMU_MAX_SAME_KEY)
				return -E2BIG;
			continue;
		}
		keys[n++] = (struct index_key){
			.key = vpmu_index_key(rules[i].space, rules[i].event),
			.first = 1 + i,
			.count = 1,
		};
		prev = key;
	}
	*nkeys = n;
	return 0;
}

int vpmu_policy_image_build(struct vpmu_policy_image *img,
			    const struct vpmu_policy_header *hdr,
			    const struct vpmu_rule *rules, __u32 nr)
{
	__u32 nkeys = 0, order = 0, m, nbm = 0, base = 0, room = 0, used;
	union vpmu_policy_entry *e = NULL, *grown;
	struct vpmu_index_bitmap *bm;
	struct index_key *keys;
	__u64 mult = 0;
	int err;

	memset(img, 0, sizeof(*img));
	if (hdr->space != VPMU_SPACE_HEADER || hdr->magic != VPMU_POLICY_MAGIC ||
	    hdr->nr_rules != nr)
		return -EINVAL;
	if (nr > VPMU_MAX_RULES)
		return -E2BIG;
	keys = calloc(nr ? nr : 1, sizeof(*keys));
	bm = calloc(nr ? nr : 1, sizeof(*bm));
	err = -ENOMEM;
	if (!keys || !bm)
		goto out;
	err = collect_keys(rules, nr, keys, &nkeys);
	if (err)
		goto out;
	key_forms(rules, hdr->default_action, keys, nkeys, bm, &nbm);

	/* At least two slots per key: cuckoo insertion rarely fails there. */
	while (((__u32)VPMU_INDEX_SLOTS << order) < 2 * nkeys)
		order++;
	err = -ENOSPC;
	for (; order <= VPMU_INDEX_MAX_ORDER &&
	       1 + nr + (1u << order) <= VPMU_POLICY_MAX_ENTRIES; order++) {
		base = 1 + nr + (1u << order);
		room = VPMU_POLICY_MAX_ENTRIES - base;
		room = room < nbm ? room : nbm;
		grown = realloc(e, (base + room) * sizeof(*e));
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		e = grown;
		for (m = 0; m < MULTS_PER_ORDER; m++) {
			mult = index_mult(m);
			if (index_fill(&e[1 + nr].bucket, order, mult, keys,
				       nkeys, base, room))
				break;
		}
		if (m < MULTS_PER_ORDER) {
			err = 0;
			break;
		}
	}
	if (err)
		goto out;
	e[0].header = *hdr;
	e[0].header.index_order = order;
	e[0].header.index_mult = mult;
	memset(e[0].header.pad, 0, sizeof(e[0].header.pad));
	memcpy(&e[1], rules, nr * sizeof(*rules));
	for (used = 0; used < room; used++)
		e[base + used].bitmap = bm[used];
	img->entries = e;
	img->nr_entries = base + room;
	img->nr_bitmaps = room;
	e = NULL;
out:
	free(keys);
	free(bm);
	free(e);
	return err;
}

void vpmu_policy_image_free(struct vpmu_policy_image *img)
{
	free(img->entries);
	memset(img, 0, sizeof(*img));
}

int vpmu_policy_image_lookup(const struct vpmu_policy_image *img, __u32 key,
			     __u32 *payload)
{
	const struct vpmu_policy_header *h = &img->entries[0].header;
	__u64 hash = vpmu_index_hash(key, h->index_mult);
	int which, i;

	for (which = 0; which < 2; which++) {
		__u32 b = vpmu_index_bucket_of(hash, which, h->index_order);
		const struct vpmu_index_bucket *bk =
			&img->entries[1 + h->nr_rules + b].bucket;

		for (i = 0; i < VPMU_INDEX_SLOTS; i++) {
			__u64 slot = bk->slot[i] & ~(__u64)VPMU_SLOT_OVERFLOW;

			if (!slot || slot_key(slot) != key)
				continue;
			*payload = (__u32)slot;
			return 0;
		}
		/* As the engine: the second bucket only if the first overflowed. */
		if (!(bk->slot[0] & VPMU_SLOT_OVERFLOW))
			break;
	}
	return -ENOENT;
}

int vpmu_policy_image_map(const struct vpmu_policy_image *img,
			  const char *name)
{
	int class = vpmu_policy_class(img->nr_entries), fd, err = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	__u32 count = img->nr_entries - 1, *keys, i;

	if (class < 0)
		return -E2BIG;
	/* The class's size: what the engine's template for it says. */
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32),
			    sizeof(union vpmu_policy_entry),
			    VPMU_CLASS_ENTRIES(class), NULL);
	if (fd < 0)
		return -errno;
	keys = malloc(img->nr_entries * sizeof(*keys));
	if (!keys) {
		close(fd);
		return -ENOMEM;
	}
	for (i = 0; i < img->nr_entries; i++)
		keys[i] = i;
	/* Rules and index, then the header: a map with a header is whole. */
	if (count && bpf_map_update_batch(fd, &keys[1], &img->entries[1],
					  &count, &bopts))
		err = -errno;
	else if (bpf_map_update_elem(fd, &keys[0], &img->entries[0], BPF_ANY))
		err = -errno;
	free(keys);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int vpmu_policy_map_create(const struct vpmu_policy_header *hdr,
			   const struct vpmu_rule *rules, __u32 nr,
			   const char *name)
{
	struct vpmu_policy_image img;
	int ret = vpmu_policy_image_build(&img, hdr, rules, nr);

	if (ret)
		return ret;
	ret = vpmu_policy_image_map(&img, name);
	vpmu_policy_image_free(&img);
	return ret;
}
