/* SPDX-License-Identifier: GPL-2.0 */
/* vpmu-policyd's state, shared by its parts. */
#ifndef VPMUD_POLICYD_H
#define VPMUD_POLICYD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "log.h"
#include "policy.h"

/* One file in tenants.d and the good tenant it last gave. */
struct tenant_slot {
	char file[NAME_MAX + 1];	/* name in tenants_dir */
	struct tenant *t;		/* last good version, or NULL */
	uint64_t file_digest;		/* of the content last read */
	bool broken;			/* the file as it is now is rejected */
	bool changed;			/* publish at the end of this reload */
	bool seen;			/* still in the directory */
};

struct vm_entry {
	uint64_t vm_id;
	uint64_t cgroup_id;
	int32_t tgid;
	char *path;			/* cgroup path, NULL if gone */
	uint32_t policy_id;
	uint32_t flags;			/* VPMU_VM_* */
};

/* A tenant id kept across restarts (from the pinned tenants map). */
struct tenant_id {
	char name[TENANT_NAME_MAX];
	uint32_t id;
};

struct policyd {
	char config_path[PATH_MAX];
	struct policyd_config cfg;
	struct engine eng;
	struct tenant_slot *slots;
	size_t nslots;
	struct tenant_id *ids;		/* every id in use or remembered */
	size_t nids;
	struct vm_entry *vms;
	size_t nvms;
	struct ratelimit denial_log;
	uint32_t reloads;
	uint64_t started_ns;
	uint64_t reloaded_ns;
};

/* tenants.c: read tenants.d, publish what changed, drop what is gone. */
int tenants_reload(struct policyd *d, bool reread_config);
/* The tenant with policy @id (NULL if none). */
const struct tenant *tenant_by_id(const struct policyd *d, uint32_t id,
				  uint32_t *out_id);
uint32_t tenant_id_of(struct policyd *d, const char *name, bool assign);
/* All good tenants, for matching (array of n, NULL entries skipped). */
size_t tenants_list(const struct policyd *d, struct tenant **out);

/* vms.c: the VMs the daemon knows and their classification. */
int vms_reconcile(struct policyd *d);
int vms_add(struct policyd *d, uint64_t vm_id, uint64_t cgroup_id,
	    int32_t tgid, const struct vpmu_vm *prev, bool refresh);
void vms_remove(struct policyd *d, uint64_t vm_id);
/* Re-classify every VM; returns how many changed policy. */
int vms_classify_all(struct policyd *d);
const struct vm_entry *vms_find(const struct policyd *d, uint64_t vm_id);

/* records.c: the engine's ring buffer. */
int records_handle(void *ctx, void *data, size_t size);

void policyd_publish_state(struct policyd *d);
uint64_t realtime_ns(void);

#endif /* VPMUD_POLICYD_H */
