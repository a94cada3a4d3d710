// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl's reading of the engine's audit map (per VM and event: allowed,
 * denied, would-deny), shared by vms, status and suggest.
 */
#include <bpf/bpf.h>

#include "ctl.h"

int ctl_audit_walk(struct engine *e, ctl_audit_fn fn, void *arg)
{
	struct vpmu_audit_key k, *prev = NULL, next;
	struct vpmu_audit_val v;
	int ret;

	while (!bpf_map_get_next_key(e->map_fd[EM_AUDIT], prev, &next)) {
		k = next;
		prev = &k;
		/* Gone since (its VM was destroyed): skip it. */
		if (bpf_map_lookup_elem(e->map_fd[EM_AUDIT], &k, &v))
			continue;
		ret = fn(&k, &v, arg);
		if (ret)
			return ret;
	}
	return 0;
}
