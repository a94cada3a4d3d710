/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF engine as the daemon and vpmuctl see it: loaded and pinned
 * under the pin directory, or adopted from there, and its maps.
 *
 * Pinned layout (bpf/README.md): link "vpmu_engine"; maps "policy_class",
 * "policies_16" ... "policies_8192", "vm_policy",
 * "config", "audit", "audit_vms", "records", "lifecycle", "drops",
 * "tenants", "daemon"; program "vpmu_refresh".
 */
#ifndef VPMUD_ENGINE_H
#define VPMUD_ENGINE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../include/vpmu/maps.h"
#include "../include/vpmu/rule.h"
#include "../lib/policy_maps.h"

struct bpf_object;

/* The policy maps first, in lib/policy_maps.h's order. */
enum engine_map {
	EM_POLICY_CLASS, EM_POLICIES_16, EM_POLICIES_64, EM_POLICIES_256,
	EM_POLICIES_1024, EM_POLICIES_4096, EM_POLICIES_8192,
	EM_VM_POLICY, EM_CONFIG, EM_AUDIT, EM_AUDIT_VMS,
	EM_RECORDS, EM_LIFECYCLE, EM_DROPS, EM_TENANTS, EM_DAEMON, EM_NR
};

struct engine {
	int map_fd[EM_NR];
	int refresh_fd;		/* the vpmu_refresh SYSCALL program */
	int link_fd;		/* -1 until attached or adopted */
	bool adopted;		/* found pinned, not loaded by us */
	char pin_dir[PATH_MAX];
	struct bpf_object *obj;	/* the engine, when loaded by us */
};

extern const char *const engine_map_names[EM_NR];

/* libbpf's warnings to stderr; its debug log with VPMU_DEBUG_LIBBPF=1. */
void engine_log_setup(void);

/* This process's effective capabilities (bit n: capability n). */
unsigned long long effective_caps(void);

/*
 * Whether @pin_dir is safe to pin into and to adopt from: its parent a
 * BPF filesystem (else -ENODEV), and it (created 0700 if @create) a
 * directory there, root's, with no group or other access (else
 * -EUCLEAN: whoever may write there could swap the pins).  A missing
 * one is fine unless @create.  Why not, into @why.
 */
int engine_check_pin_dir(const char *pin_dir, bool create, char *why,
			 size_t len);
/*
 * Why this kernel cannot run the engine, into @why; false if it can.
 * Checks privilege, the pin directory (engine_check_pin_dir()), kernel
 * BTF and the kvm_pmu_policy_ops struct_ops type.
 */
bool engine_unsupported(const char *pin_dir, char *why, size_t len);
/*
 * The first u32 of entry 0 of pinned map @m, whatever its value size (an
 * engine of another ABI version): 0, or -errno (-EPROTO: not such a map).
 */
int engine_pinned_u32(const char *pin_dir, enum engine_map m, __u32 *out);
/* Whether an engine is pinned at @pin_dir. */
bool engine_pinned(const char *pin_dir);
/*
 * Open the pinned engine (maps, refresh program, link); -EPROTO if it
 * has another ABI version (VPMU_ABI_VERSION).  The pin directory must
 * pass engine_check_pin_dir(), and every pinned map must be one the
 * programs of the pinned link's struct_ops map or the pinned refresh
 * program use (the tenants and daemon maps, which no program uses, must
 * have their shape): else -EUCLEAN, a pin was replaced.
 */
int engine_adopt(struct engine *e, const char *pin_dir, char *why,
		 size_t len);
/* The same with the maps opened read-only (BPF_F_RDONLY): vpmuctl's view. */
int engine_open_rdonly(struct engine *e, const char *pin_dir, char *why,
		       size_t len);
/* Load a new engine (not attached yet). */
int engine_load(struct engine *e, const char *pin_dir, char *why,
		size_t len);
/* Attach the loaded engine and pin it all; undone on failure. */
int engine_attach_and_pin(struct engine *e, char *why, size_t len);
/* Detach and unpin everything (vpmuctl / tests only). */
int engine_unpin(const char *pin_dir);
/*
 * Upgrade across an ABI change without a moment with no engine attached:
 * whether the engine pinned at @pin_dir has a struct_ops link this daemon
 * can swap its own engine into; then, with this version's engine loaded
 * (engine_load) and its maps filled, engine_take_over() swaps it into
 * that link (the kernel replaces the old engine in place) and pins its
 * maps and program over the old ones.
 */
bool engine_pinned_link_ok(const char *pin_dir);
int engine_take_over(struct engine *e, char *why, size_t len);
void engine_close(struct engine *e);

int engine_set_config(struct engine *e, const struct vpmu_config *c);
int engine_get_config(struct engine *e, struct vpmu_config *c);
/*
 * Lay out policy @id (lib/policy_image.c), build its map and swap it in
 * whole.  -errno from the layout means the rules cannot be indexed.
 */
int engine_publish(struct engine *e, __u32 id,
		   const struct vpmu_policy_header *hdr,
		   const struct vpmu_rule *rules, size_t nr);
/* The policy maps, for lib/policy_maps.c. */
struct vpmu_policy_maps engine_policy_maps(const struct engine *e);
int engine_drop_policy(struct engine *e, __u32 id);
/* Read policy @id's header and rules (malloc'ed) back from the kernel. */
int engine_read_policy(struct engine *e, __u32 id,
		       struct vpmu_policy_header *hdr,
		       struct vpmu_rule **rules, size_t *nr);
int engine_refresh(struct engine *e, uint64_t vm_id);
/* Records lost to ring buffer @which (enum vpmu_drop) being full. */
uint64_t engine_drops(const struct engine *e, unsigned int which);

/*
 * Every VM that exists now, deduplicated, via the vpmu_vms iterator.
 * Returns the count (array malloc'ed in *@out) or -errno.
 */
int engine_find_vms(struct vpmu_vm_found **out);

#endif /* VPMUD_ENGINE_H */
