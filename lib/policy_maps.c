// SPDX-License-Identifier: GPL-2.0
/*
 * Publishing policies into the engine's policy maps: see policy_maps.h.
 */
#include <errno.h>
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
 * Remove policy @id from every class but @keep (-1: all).  Normally one
 * class holds it; a publish cut short (a failed update, a daemon killed
 * mid-move) can leave a copy in another, which nothing reaches but which
 * would hold its memory.
 */
static int delete_except(const struct vpmu_policy_maps *m, __u32 id, int keep)
{
	int c, err = 0;

	for (c = 0; c < VPMU_POLICY_CLASSES; c++)
		if (c != keep && bpf_map_delete_elem(m->outer_fd[c], &id) &&
		    errno != ENOENT && !err)
			err = -errno;
	return err;
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
		return delete_except(m, id, c);
	if (bpf_map_update_elem(m->class_fd, &id, &cls, BPF_ANY))
		return -errno;
	/*
	 * A decision that read the old class may still look there.  The
	 * kernel ends every update of a map-of-maps with synchronize_rcu()
	 * (maybe_wait_bpf_programs(): the engine's programs run under
	 * rcu_read_lock()), so updating the new class's entry once more,
	 * to the same map, waits for every such decision to finish; only
	 * then is the old version deleted.
	 */
	if (cur && bpf_map_update_elem(m->outer_fd[c], &id, &fd, BPF_ANY))
		return -errno;
	return delete_except(m, id, c);
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
	 * just before finds the old version or no policy: what it would
	 * have decided a moment earlier or later.
	 */
	if (bpf_map_update_elem(m->class_fd, &id, &none, BPF_ANY))
		return -errno;
	return delete_except(m, id, -1);
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
	{
		/* For reading only: vpmuctl explain must not write it. */
		LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = BPF_F_RDONLY);

		fd = bpf_map_get_fd_by_id_opts(inner_id, &o);
	}
	return fd < 0 ? -errno : fd;
}
