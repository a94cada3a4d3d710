/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The rule format of a compiled policy.
 *
 * A policy is a header (default action) and an array of rules sorted by
 * vpmu_rule_key().  For a query, the rules whose key equals the query's
 * are candidates, and a candidate applies if its conditions hold:
 *
 *  - the query's counter kind is in @kinds;
 *  - x86: (unit mask & @umask_mask) == @umask_match, KVM's masked-event
 *    semantics (KVM_PMU_ENCODE_MASKED_ENTRY);
 *  - (raw selector & @sel_mask) == @sel_match, conditions on the bits
 *    KVM's filter ignores (x86 USR/OS/edge/inv/cmask, arm64 EL bits);
 *  - @flags' nested conditions.
 *
 * Within each action, applying rules with VPMU_RULE_EXCLUDE cancel the
 * others, as KVM's exclude entries do; then a deny wins over an allow,
 * and with neither the policy's default applies.
 *
 * In the engine a policy is one array map (include/vpmu/index.h has the
 * layout): entry 0 is the header (struct vpmu_policy_header), the rules
 * sorted by key follow from entry 1, and the key index that says in one
 * read (rarely two) what a key's rules decide comes after them.  One map per policy, swapped whole
 * in its size class's map-of-maps, so the engine never sees a
 * half-written policy.
 *
 * arm64 event ranges are compiled into one rule per event by the daemon
 * (kind VPMU_KIND_ARM64_EVENT); ranges wider than VPMU_MAX_RULES allow
 * are a compile error, not a silent truncation.
 */
#ifndef VPMU_RULE_H
#define VPMU_RULE_H

#include "abi.h"

/* What a rule's event number means. */
enum vpmu_rule_space {
	VPMU_SPACE_X86_GP	= 1,	/* event select, AMD bits 35:32 as 11:8 */
	VPMU_SPACE_X86_FIXED	= 2,	/* fixed counter index */
	VPMU_SPACE_ARM64	= 3,	/* PMUv3 event number; 0x11 = cycles */
};

/* Counter kinds a rule applies to (bit per enum kvm_pmu_counter_kind). */
#define VPMU_KIND_GP		(1u << 0)
#define VPMU_KIND_FIXED		(1u << 1)
#define VPMU_KIND_CYCLE		(1u << 2)
#define VPMU_KIND_PROBE		(1u << 3)
#define VPMU_KIND_ANY		0xfu

/* Rule flags. */
#define VPMU_RULE_EXCLUDE	(1u << 0)	/* cancels same-action rules */
#define VPMU_RULE_NESTED_ONLY	(1u << 1)	/* only in a nested guest */
#define VPMU_RULE_NOT_NESTED	(1u << 2)	/* never in a nested guest */
#define VPMU_RULE_HYP_ONLY	(1u << 3)	/* arm64: only at vEL2 */
/*
 * The rule comes from the tenant's "preset", not from its own entries.
 * The engine ignores it: a preset rule decides like any allow rule; the
 * bit is there so that vpmuctl explain can say where a verdict came from.
 */
#define VPMU_RULE_PRESET	(1u << 4)

struct vpmu_rule {
	__u32 event;
	__u8 space;		/* enum vpmu_rule_space */
	__u8 action;		/* enum vpmu_action */
	__u8 flags;		/* VPMU_RULE_* */
	__u8 kinds;		/* VPMU_KIND_* */
	__u8 umask_mask;
	__u8 umask_match;
	__u8 pad[6];
	__u64 sel_mask;
	__u64 sel_match;
};

/* Entry 0 of a policy's array: space 0 (key 0, before every rule). */
#define VPMU_SPACE_HEADER	0

/*
 * Header flags.  NESTED: the policy decides differently in and out of a
 * nested guest (some rule has a nested condition), so its verdicts are
 * mode-sensitive and KVM re-evaluates them on nested transitions.
 */
#define VPMU_POLICY_NESTED	(1u << 0)
/*
 * The policy's audit level, in header flags bits 2:1: 0 follows the host
 * (config.audit), otherwise enum vpmu_audit + 1.
 */
#define VPMU_POLICY_AUDIT_SHIFT	1
#define VPMU_POLICY_AUDIT_MASK	(3u << VPMU_POLICY_AUDIT_SHIFT)
#define VPMU_POLICY_AUDIT(level) \
	((((level) + 1) << VPMU_POLICY_AUDIT_SHIFT) & VPMU_POLICY_AUDIT_MASK)

/*
 * The tenant's preset (daemon/presets.h: 0 none, 1 architectural, 2
 * standard, 3 enhanced) in header flags bits 4:3, for vpmuctl; the engine
 * ignores it.
 */
#define VPMU_POLICY_PRESET_SHIFT 3
#define VPMU_POLICY_PRESET_MASK	(3u << VPMU_POLICY_PRESET_SHIFT)
#define VPMU_POLICY_PRESET(p) \
	(((p) << VPMU_POLICY_PRESET_SHIFT) & VPMU_POLICY_PRESET_MASK)
/*
 * Audit mode ("mode": "audit" in the tenant file): the engine computes
 * the policy's verdict, counts a deny as "would deny" and allows, so
 * that the guest counts as if the policy allowed (the VMM's own filter
 * still applies: KVM applies it apart from the policies).  Bit 5 (bits
 * 4:3 are left for the tenant's preset).
 */
#define VPMU_POLICY_MODE_AUDIT	(1u << 5)

/* A header's magic: a zeroed entry 0 (a map not yet written) is none. */
#define VPMU_POLICY_MAGIC	0x756d7076u	/* "vpmu" */

/*
 * Entry 0 of a policy: what a decision needs before any rule.  The size
 * of a rule, so that every entry of the policy's map is one value size;
 * the first bytes line up with a rule's so that the header sorts first.
 * A compiler fills nr_rules, default_action and flags (and space and
 * magic, through vpmu_policy_header()); the index fields are the
 * layout's (vpmu_policy_image_build()), which chooses them.
 */
struct vpmu_policy_header {
	__u32 nr_rules;
	__u8 space;		/* VPMU_SPACE_HEADER */
	__u8 default_action;	/* enum vpmu_action */
	__u8 flags;		/* VPMU_POLICY_* */
	__u8 index_order;	/* the key index has 1 << index_order buckets */
	__u64 index_mult;	/* the key index's hash multiplier (odd) */
	__u32 magic;		/* VPMU_POLICY_MAGIC */
	__u8 pad[12];
};

static inline struct vpmu_policy_header
vpmu_policy_header(__u32 nr_rules, __u8 default_action)
{
	struct vpmu_policy_header h = { .nr_rules = nr_rules,
					.space = VPMU_SPACE_HEADER,
					.default_action = default_action,
					.magic = VPMU_POLICY_MAGIC };

	return h;
}

/* The header flags a compiler must set for @rules. */
static inline __u8 vpmu_policy_flags(const struct vpmu_rule *rules, __u32 nr)
{
	__u8 flags = 0;
	__u32 i;

	for (i = 0; i < nr; i++)
		if (rules[i].flags & (VPMU_RULE_NESTED_ONLY | VPMU_RULE_NOT_NESTED |
				      VPMU_RULE_HYP_ONLY))
			flags |= VPMU_POLICY_NESTED;
	return flags;
}

/* One decision's input, as the engine derives it from KVM's context. */
struct vpmu_query {
	__u64 raw_selector;
	__u32 event;
	__u8 space;		/* enum vpmu_rule_space */
	__u8 kind;		/* enum kvm_pmu_counter_kind (0..3) */
	__u8 unit_mask;
	__u8 nested;
	__u8 hyp_ctxt;
	__u8 pad[7];
};

/* The sort and search key: rules are ordered by it. */
static inline __u64 vpmu_rule_key(__u8 space, __u32 event)
{
	return ((__u64)space << 32) | event;
}

#endif /* VPMU_RULE_H */
