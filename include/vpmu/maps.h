/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The engine's maps: keys, values and ring buffer records, pinned under
 * VPMU_PIN_DIR by the daemon (see bpf/README.md for the layout).
 */
#ifndef VPMU_MAPS_H
#define VPMU_MAPS_H

#include "abi.h"

#define VPMU_PIN_DIR		"/sys/fs/bpf/vpmu"
#define VPMU_MAX_VMS		65536
#define VPMU_MAX_AUDIT		262144
/*
 * audit entries one VM may have: a guest programming ever new events
 * stops getting new entries (its audit_vms overflow counts them) instead
 * of taking other VMs' entries.
 */
#define VPMU_MAX_AUDIT_PER_VM	256

/* A policy id no policy has: "decide by the host default". */
#define VPMU_POLICY_NONE	0
/*
 * vm_policy's policy_id for a VM the daemon has not classified yet: the
 * engine's vm_init writes it before KVM_CREATE_VM returns, and the engine
 * denies every event of such a VM (and of one with no entry at all).
 */
#define VPMU_POLICY_PENDING	0xffffffffu

/* vm_policy: VM id -> what the daemon decided for it. */
struct vpmu_vm {
	__u32 policy_id;
	__u32 flags;		/* VPMU_VM_* */
	__u64 cgroup_id;	/* the cgroup it was classified by */
	__s32 tgid;		/* the VMM process that created it */
	__u32 reason;		/* PENDING: why (enum vpmu_vm_reason) */
};

/* The VM matched no tenant: policy_id is the host default's. */
#define VPMU_VM_DEFAULT		(1u << 0)
/* More than one tenant matched with equal precedence. */
#define VPMU_VM_TIE		(1u << 1)

/*
 * Why a VM is PENDING, for vpmuctl vms (the daemon logs the same): 0 is
 * what the engine's vm_init writes, the others the daemon's.
 */
enum vpmu_vm_reason {
	VPMU_REASON_NEW			= 0,	/* not classified yet */
	VPMU_REASON_CGROUP_UNKNOWN	= 1,	/* its cgroup cannot be resolved */
	VPMU_REASON_CGROUP_GONE		= 2,	/* removed while being read */
	VPMU_REASON_TENANT_UNKNOWN	= 3,	/* a rejected file, no good version */
	VPMU_REASON_UNPUBLISHED		= 4,	/* its tenant has no policy yet */
};

#define VPMU_TENANT_NAME_MAX	64
#define VPMU_TENANT_FILE_MAX	192

/*
 * tenants: policy id -> the tenant it was compiled from, for people and
 * for a restarted daemon (which keeps each tenant's id).  Written by the
 * daemon; the engine does not read it.
 */
struct vpmu_tenant {
	char name[VPMU_TENANT_NAME_MAX];
	char file[VPMU_TENANT_FILE_MAX];
	__u64 digest;		/* of the file the policy was compiled from */
	__u64 loaded_ns;	/* CLOCK_REALTIME of the last publish */
	__u32 nr_rules;
	__u32 generation;	/* publishes of this tenant's policy */
	__s64 priority;
	__u8 default_action;
	__u8 flags;		/* the policy header's */
	__u8 state;		/* VPMU_TENANT_* */
	__u8 pad[5];
};

/*
 * The tenant runs its last good policy: its file as it is now is rejected,
 * or its newest version could not be published yet (retried).
 */
#define VPMU_TENANT_DEGRADED	(1u << 0)
/* With DEGRADED: because its file is rejected (else: not published yet). */
#define VPMU_TENANT_REJECTED	(1u << 1)

/* daemon[0]: the running daemon's state, for vpmuctl status. */
struct vpmu_daemon {
	__s32 pid;		/* 0 after a clean stop */
	__u32 reloads;		/* completed reloads */
	__u64 started_ns;	/* CLOCK_REALTIME */
	__u64 reloaded_ns;
	__u32 tenants;
	__u32 broken;		/* tenant files currently rejected */
	__u32 vms;
	__u32 pad;
};

/* config[0]: host-wide settings. */
struct vpmu_config {
	__u32 abi_version;		/* VPMU_ABI_VERSION, set by the daemon */
	__u32 default_policy_id;	/* for VMs nothing classifies */
	__u8 default_action;		/* if that policy is missing too */
	__u8 audit;			/* enum vpmu_audit */
	__u8 pad[2];
	__u32 denials_per_sec;		/* ring buffer records per VM and second */
};

enum vpmu_audit {
	VPMU_AUDIT_NONE		= 0,	/* no per-event counts */
	VPMU_AUDIT_DENIALS	= 1,	/* counts + denial records */
	VPMU_AUDIT_ALL		= 2,	/* also a record for every decision */
};

/*
 * audit: per VM and event, how often it was allowed and denied, and, for
 * a policy in audit mode (VPMU_POLICY_MODE_AUDIT), how often the policy
 * would have denied what the guest was allowed.  An x86 general-purpose
 * event is counted per unit mask (vpmuctl suggest names it exactly).
 */
struct vpmu_audit_key {
	__u64 vm_id;
	__u32 event;
	__u8 space;		/* enum vpmu_rule_space */
	__u8 unit_mask;		/* VPMU_SPACE_X86_GP; else 0 */
	__u8 pad[2];
};

struct vpmu_audit_val {
	__u64 allowed;		/* what the guest got */
	__u64 denied;
	__u64 would_deny;	/* audit mode: the policy's deny, not applied */
};

/*
 * audit_vms: VM id -> its audit entries.  At VPMU_MAX_AUDIT_PER_VM entries
 * (or with audit full) a decision on an event the VM has no entry for is
 * counted in overflow instead; the engine's vm_destroy deletes the VM's
 * entries and this one.
 */
struct vpmu_audit_vm {
	__u32 entries;
	__u32 pad;
	__u64 overflow;		/* decisions not counted in audit */
};

/*
 * drops[]: records lost because their ring buffer was full, per ring
 * buffer.  A lost lifecycle record makes the daemon find the VMs again.
 */
enum vpmu_drop {
	VPMU_DROP_RECORDS	= 0,	/* decision records (records) */
	VPMU_DROP_LIFECYCLE	= 1,	/* VM_INIT/VM_DESTROY (lifecycle) */
	VPMU_DROP_NR,
};

/*
 * What the vpmu_vms iterator (bpf/vpmu_vms.bpf.c) reports for each open
 * KVM VM file: how the daemon finds the VMs that already run.
 */
struct vpmu_vm_found {
	__u64 vm_id;
	__u64 cgroup_id;
	__s32 tgid;		/* the creator, as KVM recorded it */
	__s32 holder;		/* a process holding the VM's file */
};

/*
 * Ring buffer records for the daemon: decisions in records, VM creation
 * and destruction in lifecycle, so that a guest's denials cannot crowd
 * out the records the daemon classifies VMs by.
 */
enum vpmu_record_type {
	VPMU_REC_DECISION	= 1,
	VPMU_REC_VM_INIT	= 2,
	VPMU_REC_VM_DESTROY	= 3,
};

struct vpmu_record {
	__u32 type;		/* enum vpmu_record_type */
	__u32 policy_id;
	__u64 vm_id;
	__u64 cgroup_id;
	__u64 raw_selector;
	__u32 event;
	__s32 vcpu_id;
	__s32 tgid;
	__u8 space;
	__u8 action;		/* enum vpmu_action: what the guest got */
	__u8 static_allowed;
	__u8 nested;
	__u8 flags;		/* VPMU_REC_F_* */
	__u8 pad[7];
};

/* The policy (in audit mode) would have denied it: not applied. */
#define VPMU_REC_F_WOULD_DENY	(1u << 0)

#endif /* VPMU_MAPS_H */
