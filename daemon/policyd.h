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
#include "strmap.h"
#include "tenant_index.h"
#include "u64map.h"

/* One file in tenants.d and the good tenant it last gave. */
struct tenant_slot {
	char file[NAME_MAX + 1];	/* name in tenants_dir */
	struct tenant *t;		/* last good version, or NULL */
	uint64_t file_digest;		/* of the content last read */
	/* The file as last read: unchanged metadata skips the read. */
	uint64_t ino, size;
	int64_t mtime_ns;
	bool broken;			/* the file as it is now is rejected */
	bool changed;			/* publish at the end of this reload */
	bool seen;			/* still in the directory */
	/*
	 * The accepted text not saved as the good copy yet: saved once its
	 * policy is published, so a failed publish never leaves a good copy
	 * the engine does not run.
	 */
	char *unsaved;
	size_t unsaved_len;
	bool publish_failed;
	uint8_t state_written;		/* VPMU_TENANT_* last written */
};

struct vm_entry {
	uint64_t vm_id;
	uint64_t cgroup_id;
	int32_t tgid;
	struct cg_meta *cgm;		/* its cgroup's metadata (vms.c) */
	uint32_t policy_id;
	uint32_t flags;			/* VPMU_VM_* */
	uint32_t reason;		/* PENDING: enum vpmu_vm_reason */
};


struct policyd {
	char config_path[PATH_MAX];
	struct policyd_config cfg;
	struct engine eng;
	struct tenant_slot *slots;
	size_t nslots;
	struct strmap slot_by_file;	/* file name -> index in slots */
	struct strmap slot_by_tenant;	/* tenant name -> index in slots */
	/* Policy ids in use or remembered from a previous daemon. */
	struct strmap ids_by_name;
	char *id_name[VPMU_MAX_POLICIES + 1];
	uint32_t next_free_id;		/* no unnamed id below it */
	/* A pinned tenant may have no file any more (start, delete, rename). */
	bool maybe_stale;
	/*
	 * tenants.d could not be listed: the tenant set is unknown, so VMs
	 * keep the entries they have until a listing succeeds.
	 */
	bool frozen;
	/*
	 * Files rejected with no good version known: their tenants are
	 * unknown, so a VM that matches no known tenant may be theirs and
	 * stays pending rather than get the host default.
	 */
	size_t unknown_tenants;
	/* A publish failed: the event loop reloads again shortly. */
	bool retry;
	uint32_t publish_failures;
	struct vm_entry *vms;
	size_t nvms;
	struct u64map vm_index;		/* vm_id -> index in vms */
	struct u64map cg_metas;		/* cgroup id -> struct cg_meta * */
	uint32_t meta_pass;		/* bumped: read every cgroup again */
	size_t meta_cursor;		/* the periodic rescan's next VM */
	struct tenant_index tix;	/* the good tenants, for matching */
	/* Built: else classified VMs keep entries, new ones stay pending. */
	bool tix_ok;
	/*
	 * VMs kept their entries through a reload (a tenant unknown, the
	 * index missing): the next one that can classifies every VM.
	 */
	bool classify_all_next;
	struct tenant **cands;		/* room for tix.nentries + 1 */
	/* Names of tenants this reload changed, added or removed. */
	struct strmap touched;
	struct ratelimit denial_log;
	/* drops[VPMU_DROP_LIFECYCLE] when the VMs were last found. */
	uint64_t lifecycle_drops;
	uint32_t reloads;
	uint64_t started_ns;
	uint64_t reloaded_ns;
};

/* tenants.c: read tenants.d, publish what changed, drop what is gone. */
int tenants_reload(struct policyd *d, bool reread_config);
/*
 * Re-read just the files @names of tenants.d (what inotify saw change):
 * a reload's cost then does not grow with the number of tenants.
 */
int tenants_reload_files(struct policyd *d, char **names, size_t n);
/*
 * Whether @name's accepted version failed to publish (the engine still
 * runs the one before, under the same id).
 */
bool tenant_unpublished(const struct policyd *d, const char *name);
/* The tenant with policy @id (NULL if none). */
const struct tenant *tenant_by_id(const struct policyd *d, uint32_t id,
				  uint32_t *out_id);
uint32_t tenant_id_of(struct policyd *d, const char *name, bool assign);
/* Keep @name's id from a previous daemon (the pinned tenants map). */
void tenant_remember_id(struct policyd *d, const char *name, uint32_t id);
/* All good tenants, for matching (array of n, NULL entries skipped). */
size_t tenants_list(const struct policyd *d, struct tenant **out);

/* vms.c: the VMs the daemon knows and their classification. */
/*
 * Find every live VM and classify it, re-reading the metadata of @reread
 * cgroups (round robin; SIZE_MAX: every one, 0: none).
 */
int vms_reconcile(struct policyd *d, size_t reread);
int vms_add(struct policyd *d, uint64_t vm_id, uint64_t cgroup_id,
	    int32_t tgid, const struct vpmu_vm *prev, bool refresh);
void vms_remove(struct policyd *d, uint64_t vm_id);
/*
 * Re-classify the VMs that a change of the tenants named in @touched may
 * move, or every VM if @touched is NULL; returns how many changed policy.
 */
int vms_classify(struct policyd *d, const struct strmap *touched);
/* Index the good tenants @ts[@n] for classification. */
int vms_index_tenants(struct policyd *d, struct tenant *const *ts, size_t n);
const struct vm_entry *vms_find(const struct policyd *d, uint64_t vm_id);
/* @v's cgroup path as last read, or NULL if unknown or gone. */
const char *vm_cgroup_path(const struct vm_entry *v);

/* records.c: the engine's ring buffers (records and lifecycle). */
int records_handle(void *ctx, void *data, size_t size);
/*
 * After reading them: if lifecycle records were lost since the VMs were
 * last found, find them again now.  True if it did.
 */
bool records_check_lost(struct policyd *d);

void policyd_publish_state(struct policyd *d);
/*
 * Tell systemd's watchdog the daemon is alive, at most once a second:
 * called in the loops over every VM or tenant, so that a long pass is
 * not taken for a hang.
 */
void policyd_keepalive(void);
uint64_t realtime_ns(void);

#endif /* VPMUD_POLICYD_H */
