/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The engine's policies: where policy N is and the decision under it.
 * BPF-side code, included once by a program that decides (the engine, and
 * the host test and benchmark that run its decision code): it defines the
 * maps, so every such object has the same policy maps by the same names
 * (lib/policy_maps.c publishes into them).
 *
 *  - policy_class: policy id -> its size class + 1 (0: no such policy);
 *  - policies_16 ... policies_8192: one map-of-maps per size class
 *    (include/vpmu/index.h says why), policy id -> the policy's map.
 *
 * Each class has its own copy of the decision (vpmu_decide_with() is
 * always inlined, and each class brings its own scan callback), so that
 * every map lookup in it is inline code for one known map size.
 */
#ifndef VPMU_POLICIES_H
#define VPMU_POLICIES_H

#include "vpmu_decide.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VPMU_MAX_POLICIES + 1);
	__type(key, __u32);
	__type(value, __u32);
} policy_class SEC(".maps");

/*
 * A class's template and map-of-maps.  Sizes, not types, in the template:
 * BTF would only carry a forward declaration of the entry type there.
 */
#define VPMU_POLICY_CLASS_MAPS(n)                                            \
	struct vpmu_policy_map_##n {                                          \
		__uint(type, BPF_MAP_TYPE_ARRAY);                             \
		__uint(max_entries, n);                                       \
		__uint(key_size, sizeof(__u32));                              \
		__uint(value_size, sizeof(union vpmu_policy_entry));          \
	};                                                                    \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                     \
		__uint(max_entries, VPMU_MAX_POLICIES + 1);                   \
		__type(key, __u32);                                           \
		__array(values, struct vpmu_policy_map_##n);                  \
	} policies_##n SEC(".maps");                                          \
	VPMU_DEFINE_SCAN_STEP(vpmu_scan_step_##n)

VPMU_POLICY_CLASS_MAPS(16);
VPMU_POLICY_CLASS_MAPS(64);
VPMU_POLICY_CLASS_MAPS(256);
VPMU_POLICY_CLASS_MAPS(1024);
VPMU_POLICY_CLASS_MAPS(4096);
VPMU_POLICY_CLASS_MAPS(8192);

_Static_assert(VPMU_CLASS_ENTRIES(0) == 16 && VPMU_CLASS_ENTRIES(1) == 64 &&
	       VPMU_CLASS_ENTRIES(2) == 256 && VPMU_CLASS_ENTRIES(3) == 1024 &&
	       VPMU_CLASS_ENTRIES(4) == 4096 && VPMU_CLASS_ENTRIES(5) == 8192 &&
	       VPMU_POLICY_CLASSES == 6,
	       "one map-of-maps per class of include/vpmu/index.h");

/* One class's case: its policy, its header's flags, the decision. */
#define VPMU_CLASS_CASE(c, n)                                                 \
	case (c) + 1:                                                         \
		policy = bpf_map_lookup_elem(&policies_##n, &pid);            \
		h = policy ? vpmu_policy_get_header(policy) : NULL;           \
		if (!h)                                                       \
			break;                                                \
		*flags = h->flags;                                            \
		verdict = q ? vpmu_decide_with(policy, h, q,                  \
					       vpmu_scan_step_##n) : 0;       \
		break

/*
 * Policy @pid's decision for @q (enum vpmu_action), with its header's
 * flags (VPMU_POLICY_*) in *@flags; -1 and no flags if there is no such
 * policy.  With @q NULL, only the flags (and 0).  The flags, not the
 * header, come back: a pointer into one of six maps would keep the
 * verifier from merging the six paths after the switch.
 *
 * policy_class and the class's map can disagree only while a policy
 * moves between classes, and lib/policy_maps.c deletes the old version
 * only after an RCU grace period that every decision started before the
 * move ends within: a decision finds the old version or the new.
 */
static __always_inline int vpmu_policy_decide(__u32 pid,
					      const struct vpmu_query *q,
					      __u8 *flags)
{
	const struct vpmu_policy_header *h;
	int verdict = -1;
	void *policy;
	__u32 *cls;

	*flags = 0;
	cls = bpf_map_lookup_elem(&policy_class, &pid);
	if (!cls)
		return -1;
	switch (*cls) {
	VPMU_CLASS_CASE(0, 16);
	VPMU_CLASS_CASE(1, 64);
	VPMU_CLASS_CASE(2, 256);
	VPMU_CLASS_CASE(3, 1024);
	VPMU_CLASS_CASE(4, 4096);
	VPMU_CLASS_CASE(5, 8192);
	default:
		break;
	}
	return verdict;
}

#endif /* VPMU_POLICIES_H */
