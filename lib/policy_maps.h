/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's policy maps (bpf/lib/vpmu_policies.h), from userspace:
 * publish a policy whole, drop it, open it for reading.  Shared by
 * vpmu-policyd, vpmuctl, the tests and the benchmark, so that every
 * policy reaches the engine by the same steps.
 */
#ifndef VPMU_POLICY_MAPS_H
#define VPMU_POLICY_MAPS_H

#include <linux/types.h>

#include "../include/vpmu/index.h"

/* File descriptors of policy_class and of one map-of-maps per class. */
struct vpmu_policy_maps {
	int class_fd;
	int outer_fd[VPMU_POLICY_CLASSES];
};

/* policy_class's name, as in the BPF objects and the pinned layout. */
#define VPMU_POLICY_CLASS_MAP	"policy_class"

/* The maps of a skeleton whose object includes bpf/lib/vpmu_policies.h. */
#define VPMU_POLICY_MAPS_OF(skel)                                              \
	((struct vpmu_policy_maps){                                           \
		.class_fd = bpf_map__fd((skel)->maps.policy_class),           \
		.outer_fd = { bpf_map__fd((skel)->maps.policies_16),          \
			      bpf_map__fd((skel)->maps.policies_64),          \
			      bpf_map__fd((skel)->maps.policies_256),         \
			      bpf_map__fd((skel)->maps.policies_1024),        \
			      bpf_map__fd((skel)->maps.policies_4096),        \
			      bpf_map__fd((skel)->maps.policies_8192) } })

/*
 * Make policy map @fd (from vpmu_policy_image_map()) policy @id.  In its
 * class, one map-of-maps update swaps the old version for the new whole.
 * A move to another class inserts the new version first, then points
 * policy_class at it, waits for the decisions that may still look in the
 * old class to end (an RCU grace period: the kernel ends every
 * map-of-maps update with one), then deletes the old version.
 * Returns 0 or -errno.
 */
int vpmu_policy_publish_fd(const struct vpmu_policy_maps *m, __u32 id, int fd);
/* Lay out, build and publish: the steps above from compiled rules. */
int vpmu_policy_publish(const struct vpmu_policy_maps *m, __u32 id,
			const struct vpmu_policy_header *hdr,
			const struct vpmu_rule *rules, __u32 nr);
/* Policy @id no longer exists (its VMs fall to the host default). */
int vpmu_policy_drop(const struct vpmu_policy_maps *m, __u32 id);
/* A read-only use of policy @id's map: its fd, or -errno (-ENOENT). */
int vpmu_policy_open(const struct vpmu_policy_maps *m, __u32 id);

#endif /* VPMU_POLICY_MAPS_H */
