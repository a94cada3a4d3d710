/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A compiled policy laid out as the engine reads it: header, sorted
 * rules, key index (include/vpmu/index.h), bitmaps, and the map that
 * holds it.
 * Userspace code shared by vpmu-policyd, the tests and the benchmark, so
 * that every policy the engine sees was laid out by this one function.
 */
#ifndef VPMU_POLICY_IMAGE_H
#define VPMU_POLICY_IMAGE_H

#include <linux/types.h>

#include "../include/vpmu/index.h"

struct vpmu_policy_image {
	union vpmu_policy_entry *entries;	/* header, rules, index, bitmaps */
	__u32 nr_entries;
	__u32 nr_bitmaps;			/* the last entries */
};

/*
 * Lay out @hdr (its compiler fields) and @rules, sorted by
 * vpmu_rule_key(), in @img, choosing the index's order and multiplier
 * and each key's form (lib/key_form.c).
 * Returns 0, or -EINVAL (rules unsorted, a rule in space 0, a header
 * that is not one), -E2BIG (more than VPMU_MAX_RULES rules, or more than
 * VPMU_MAX_SAME_KEY for one key), -ERANGE (an event beyond
 * VPMU_INDEX_EVENT_MAX), -ENOSPC (no order and multiplier index the
 * keys) or -ENOMEM.
 */
int vpmu_policy_image_build(struct vpmu_policy_image *img,
			    const struct vpmu_policy_header *hdr,
			    const struct vpmu_rule *rules, __u32 nr);
void vpmu_policy_image_free(struct vpmu_policy_image *img);

/*
 * What @img's index says for index key @key, read the way the engine
 * reads it: 0 and the slot's payload (include/vpmu/index.h: its form and
 * what the form needs) in *@payload, or -ENOENT.
 */
int vpmu_policy_image_lookup(const struct vpmu_policy_image *img, __u32 key,
			     __u32 *payload);

/*
 * A new policy map holding @img: an array of the smallest size class
 * that holds it (include/vpmu/index.h), the rest zero, header written
 * last so that a map with a header (its magic) is complete.  Returns its
 * fd, or -errno (-E2BIG: no class holds it).
 */
int vpmu_policy_image_map(const struct vpmu_policy_image *img,
			  const char *name);

/* Both steps, for callers with nothing else to do with the image. */
int vpmu_policy_map_create(const struct vpmu_policy_header *hdr,
			   const struct vpmu_rule *rules, __u32 nr,
			   const char *name);

#endif /* VPMU_POLICY_IMAGE_H */
