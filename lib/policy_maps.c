// SPDX-License-Identifier: GPL-2.0
/*
 * Publishing policies into the engine's policy maps: see policy_maps.h.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "policy_image.h"
#include "policy_maps.h"

/* policy_class[@id]: class + 1, or 0 when @id has no policy. */
static int class_of(const struct vpmu_policy_maps *m, __u32 id, __u32 *cls)
{
	if (id > VPMU_MAX_POLICIES)
		return -ERANGE;
	if (bpf_map_lookup_elem(m->class_fd, &id, cls))
		return -errno;
	return *cls > VPMU_POLICY_CLASSES ? -EINVAL : 0;
}

/*
 * Wait until every BPF program that runs now has returned: they run under
 * rcu_read_lock(), and MEMBARRIER_CMD_GLOBAL is synchronize_rcu().  Where
 * the kernel lacks membarrier, the engine's second look covers all but a
 * second class move within one decision.
 */
static void grace_period(void)
{
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}

int vpmu_policy_publish_fd(const struct vpmu_policy_maps *m, __u32 id, int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), cur, cls;
	int c, err;

	if (bpf_map_get_info_by_fd(fd, &info, &len))
		return -errno;
	for (c = 0; c < VPMU_POLICY_CLASSES; c++)
		if (info.max_entries == VPMU_CLASS_ENTRIES(c))
			break;
	if (c == VPMU_POLICY_CLASSES)
		return -EINVAL;
	err = class_of(m, id, &cur);
	if (err)
		return err;
	if (bpf_map_update_elem(m->outer_fd[c], &id, &fd, BPF_ANY))
		return -errno;
	cls = c + 1;
	if (cur == cls)
		return 0;
	if (bpf_map_update_elem(m->class_fd, &id, &cls, BPF_ANY))
		return -errno;
	if (cur) {
		grace_period();
		if (bpf_map_delete_elem(m->outer_fd[cur - 1], &id) &&
		    errno != ENOENT)
			return -errno;
	}
	return 0;
}

int vpmu_policy_publish(const struct vpmu_policy_maps *m, __u32 id,
			const struct vpmu_policy_header *hdr,
			const struct vpmu_rule *rules, __u32 nr)
{
	int fd = vpmu_policy_map_create(hdr, rules, nr, "vpmu_policy"), err;

	if (fd < 0)
		return fd;
	err = vpmu_policy_publish_fd(m, id, fd);
	close(fd);
	return err;
}

int vpmu_policy_drop(const struct vpmu_policy_maps *m, __u32 id)
{
	__u32 cur, none = 0;
	int err = class_of(m, id, &cur);

	if (err)
		return err;
	if (!cur)
		return 0;
	/*
	 * Unreachable first, then gone.  A decision that read the class
	 * before finds the old version or, looking again, no policy: both
	 * are what it would have decided a moment earlier or later.
	 */
	if (bpf_map_update_elem(m->class_fd, &id, &none, BPF_ANY))
		return -errno;
	if (bpf_map_delete_elem(m->outer_fd[cur - 1], &id) && errno != ENOENT)
		return -errno;
	return 0;
}

int vpmu_policy_open(const struct vpmu_policy_maps *m, __u32 id)
{
	__u32 cur, inner_id;
	int err = class_of(m, id, &cur), fd;

	if (err)
		return err;
	if (!cur)
		return -ENOENT;
	if (bpf_map_lookup_elem(m->outer_fd[cur - 1], &id, &inner_id))
		return -errno;
	fd = bpf_map_get_fd_by_id(inner_id);
	return fd < 0 ? -errno : fd;
}
