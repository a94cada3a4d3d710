/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the rules of one index key decide, in the form its index slot
 * carries (include/vpmu/index.h): MASKED, BITMAP or, for rules whose
 * verdict is no function of the query's kind and unit mask alone, RULES.
 * Userspace code for the layout (lib/policy_image.c).
 */
#ifndef VPMU_KEY_FORM_H
#define VPMU_KEY_FORM_H

#include <linux/types.h>

#include "../include/vpmu/index.h"

/*
 * The form of the @n rules of one key (sorted, all of that key) under a
 * policy whose default is @dflt.  VPMU_SLOT_MASKED: *@payload is the
 * slot's payload.  VPMU_SLOT_BITMAP: *@kinds and *@bm are the slot's kinds
 * and the bitmap entry (the layout places it and makes the payload).
 * VPMU_SLOT_RULES: the rules must be scanned.
 */
__u32 vpmu_key_form(const struct vpmu_rule *rules, __u32 n, __u8 dflt,
		    __u32 *payload, __u8 *kinds, struct vpmu_index_bitmap *bm);

#endif /* VPMU_KEY_FORM_H */
