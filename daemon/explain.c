// SPDX-License-Identifier: GPL-2.0
/* The decision, in C, with its reasons (see explain.h). */
#include <stdio.h>
#include <string.h>

#include "explain.h"

static int applies(const struct vpmu_rule *r, const struct vpmu_query *q)
{
	if (!(r->kinds & (1u << (q->kind & 7))))
		return 0;
	if (q->space == VPMU_SPACE_X86_GP &&
	    (q->unit_mask & r->umask_mask) != r->umask_match)
		return 0;
	if ((q->raw_selector & r->sel_mask) != r->sel_match)
		return 0;
	if ((r->flags & VPMU_RULE_NESTED_ONLY) && !q->nested)
		return 0;
	if ((r->flags & VPMU_RULE_NOT_NESTED) && q->nested)
		return 0;
	if ((r->flags & VPMU_RULE_HYP_ONLY) && !q->hyp_ctxt)
		return 0;
	return 1;
}

void explain_decide(const struct vpmu_rule *rules, size_t nr, int dflt,
		    const struct vpmu_query *q, struct explanation *out)
{
	__u64 key = vpmu_rule_key(q->space, q->event);
	int deny_inc = 0, deny_exc = 0, allow_inc = 0, allow_exc = 0;
	int own_allow = 0;	/* an allow rule not from the preset */
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nr; i++) {
		const struct vpmu_rule *r = &rules[i];
		int exc = !!(r->flags & VPMU_RULE_EXCLUDE);

		if (vpmu_rule_key(r->space, r->event) != key)
			continue;
		out->candidates++;
		if (!applies(r, q))
			continue;
		if (out->nhits < EXPLAIN_MAX_HITS)
			out->hits[out->nhits++] = i;
		if (r->action == VPMU_DENY) {
			deny_inc |= !exc;
			deny_exc |= exc;
		} else {
			allow_inc |= !exc;
			allow_exc |= exc;
			own_allow |= !exc && !(r->flags & VPMU_RULE_PRESET);
		}
	}
	if (deny_inc && !deny_exc) {
		out->action = VPMU_DENY;
		out->by = BY_DENY;
	} else if (allow_inc && !allow_exc) {
		out->action = VPMU_ALLOW;
		out->by = own_allow ? BY_ALLOW : BY_PRESET;
	} else {
		out->action = dflt;
		out->by = BY_DEFAULT;
	}
}

const char *explain_by(const struct explanation *x)
{
	switch (x->by) {
	case BY_DENY:
		return "a deny rule";
	case BY_ALLOW:
		return "an allow rule";
	case BY_PRESET:
		return "the preset";
	default:
		return "the policy's default (no rule applies)";
	}
}

void explain_rule(const struct vpmu_rule *r, char *buf, size_t len)
{
	static const char *const spaces[] = {
		[VPMU_SPACE_X86_GP] = "x86 select",
		[VPMU_SPACE_X86_FIXED] = "x86 fixed counter",
		[VPMU_SPACE_ARM64] = "arm64 event",
	};
	int n;

	n = snprintf(buf, len, "%s%s %s 0x%x",
		     r->action == VPMU_ALLOW ? "allow" : "deny",
		     r->flags & VPMU_RULE_EXCLUDE ? " (exclude)" : "",
		     r->space <= VPMU_SPACE_ARM64 && spaces[r->space] ?
		     spaces[r->space] : "?", r->event);
	if (n < 0 || (size_t)n >= len)
		return;
	if (r->space == VPMU_SPACE_X86_GP && r->umask_mask)
		n += snprintf(buf + n, len - n, " umask&0x%02x==0x%02x",
			      r->umask_mask, r->umask_match);
	if ((size_t)n < len && r->sel_mask)
		n += snprintf(buf + n, len - n, " selector&0x%llx==0x%llx",
			      (unsigned long long)r->sel_mask,
			      (unsigned long long)r->sel_match);
	if ((size_t)n < len && (r->flags & VPMU_RULE_NESTED_ONLY))
		n += snprintf(buf + n, len - n, " nested-only");
	if ((size_t)n < len && (r->flags & VPMU_RULE_NOT_NESTED))
		n += snprintf(buf + n, len - n, " not-nested");
	if ((size_t)n < len && (r->flags & VPMU_RULE_HYP_ONLY))
		n += snprintf(buf + n, len - n, " at-vEL2");
	if ((size_t)n < len && (r->flags & VPMU_RULE_PRESET))
		n += snprintf(buf + n, len - n, " (preset)");
	if ((size_t)n < len)
		snprintf(buf + n, len - n, " kinds 0x%x", r->kinds);
}
