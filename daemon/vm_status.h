/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What applies to a VM, in one word and a reason, from the engine's
 * entries alone (its vm_policy entry and its tenant's): the same for
 * vpmuctl vms, its --json and the daemon's log.  Plain C over the map
 * values; reading the maps is the caller's.
 */
#ifndef VPMUD_VM_STATUS_H
#define VPMUD_VM_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../include/vpmu/maps.h"
#include "../include/vpmu/rule.h"

enum vm_status {
	VM_PENDING,		/* not classified: every event denied */
	VM_HOST_DEFAULT,	/* matched no tenant */
	VM_ENFORCED,		/* its tenant's current policy */
	VM_AUDIT,		/* its tenant's policy in audit mode */
	VM_DEGRADED,		/* its tenant's last good policy */
};

/* "pending", "host-default", "enforced", "audit", "degraded". */
const char *vm_status_name(enum vm_status s);

/* Why a VM is pending (enum vpmu_vm_reason), as the daemon logs it. */
const char *vm_reason_text(uint32_t reason);

struct vm_status_in {
	const struct vpmu_vm *vm;	/* its vm_policy entry; NULL: none */
	const struct vpmu_tenant *tenant; /* its policy's tenant; NULL: none */
	/* The host default: its tenant's name (NULL: none) and action. */
	const char *default_tenant;
	uint8_t default_action;
};

/* @in's state, and the reason for it into @reason. */
enum vm_status vm_status_of(const struct vm_status_in *in, char *reason,
			    size_t len);

#endif /* VPMUD_VM_STATUS_H */
