// SPDX-License-Identifier: GPL-2.0
/*
 * test_decide: the engine's decision code (bpf/lib/vpmu_decide.h), run by
 * the host kernel's verifier and BPF_PROG_TEST_RUN, over hand-written cases
 * for the corners of KVM's masked-event semantics and the other rule
 * kinds, and over generated rule sets checked against a plain C reading of
 * include/vpmu/rule.h (a linear scan, no binary search), so that a search
 * bug cannot agree with itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../include/vpmu/rule.h"
#include "../lib/libbpf_tap.h"
#include "../lib/tap.h"
#include "decide_test.skel.h"

#define GEN_SETS 40
#define GEN_QUERIES 25

/* Kinds, as enum kvm_pmu_counter_kind. */
enum { K_GP, K_FIXED, K_CYCLE, K_PROBE };

struct decide_args {
	struct vpmu_query q;
	__s32 verdict;
};

static struct decide_test *skel;

static int cmp_rule(const void *a, const void *b)
{
	const struct vpmu_rule *x = a, *y = b;
	__u64 kx = vpmu_rule_key(x->space, x->event);
	__u64 ky = vpmu_rule_key(y->space, y->event);

	return kx < ky ? -1 : kx > ky;
}

/*
 * Load a policy: rules are sorted here, as the daemon's compiler does, and
 * written after the header (entry 0).
 */
static void load_policy(struct vpmu_rule *rules, unsigned int nr, int dflt)
{
	static unsigned int loaded;
	struct vpmu_rule h = vpmu_policy_header(nr, dflt), zero_rule = { 0 };
	int rfd = bpf_map__fd(skel->maps.rules);
	__u32 i, k;

	qsort(rules, nr, sizeof(*rules), cmp_rule);
	for (i = 0; i < nr; i++) {
		k = i + 1;
		if (bpf_map_update_elem(rfd, &k, &rules[i], BPF_ANY))
			tap_bail("rule update: %s", strerror(errno));
	}
	/* Entries past the rules must be zero (include/vpmu/rule.h). */
	for (; i < loaded; i++) {
		k = i + 1;
		bpf_map_update_elem(rfd, &k, &zero_rule, BPF_ANY);
	}
	loaded = nr;
	k = 0;
	if (bpf_map_update_elem(rfd, &k, &h, BPF_ANY))
		tap_bail("header update: %s", strerror(errno));
}

static int bpf_decide(const struct vpmu_query *q)
{
	struct decide_args args = { .q = *q, .verdict = -1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args,
		    .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.decide), &opts) ||
	    opts.retval)
		tap_bail("running decide: %s (retval %u)", strerror(errno),
			 opts.retval);
	return args.verdict;
}

/* The semantics of include/vpmu/rule.h, read literally. */
static int ref_decide(const struct vpmu_rule *rules, unsigned int nr, int dflt,
		      const struct vpmu_query *q)
{
	bool inc[2] = { false, false }, exc[2] = { false, false };
	unsigned int i, same = 0;

	for (i = 0; i < nr; i++) {
		const struct vpmu_rule *r = &rules[i];

		if (r->space != q->space || r->event != q->event)
			continue;
		if (++same > VPMU_MAX_SAME_KEY)
			break;
		if (!(r->kinds & (1u << q->kind)))
			continue;
		if (q->space == VPMU_SPACE_X86_GP &&
		    (q->unit_mask & r->umask_mask) != r->umask_match)
			continue;
		if ((q->raw_selector & r->sel_mask) != r->sel_match)
			continue;
		if ((r->flags & VPMU_RULE_NESTED_ONLY) && !q->nested)
			continue;
		if ((r->flags & VPMU_RULE_NOT_NESTED) && q->nested)
			continue;
		if ((r->flags & VPMU_RULE_HYP_ONLY) && !q->hyp_ctxt)
			continue;
		if (r->flags & VPMU_RULE_EXCLUDE)
			exc[r->action] = true;
		else
			inc[r->action] = true;
	}
	if (inc[VPMU_DENY] && !exc[VPMU_DENY])
		return VPMU_DENY;
	if (inc[VPMU_ALLOW] && !exc[VPMU_ALLOW])
		return VPMU_ALLOW;
	return dflt;
}

/* Shorthands for rules. */
static struct vpmu_rule x86(__u32 sel, __u8 mask, __u8 match, int action,
			    int flags)
{
	return (struct vpmu_rule){ .event = sel, .space = VPMU_SPACE_X86_GP,
				   .action = action, .flags = flags,
				   .kinds = VPMU_KIND_ANY, .umask_mask = mask,
				   .umask_match = match };
}

static struct vpmu_rule arm(__u32 ev, int action, int kinds, int flags)
{
	return (struct vpmu_rule){ .event = ev, .space = VPMU_SPACE_ARM64,
				   .action = action, .flags = flags,
				   .kinds = kinds };
}

static struct vpmu_query qx86(__u32 sel, __u8 umask)
{
	return (struct vpmu_query){ .event = sel, .unit_mask = umask,
				    .space = VPMU_SPACE_X86_GP, .kind = K_GP,
				    .raw_selector = (sel & 0xff) | (umask << 8) |
						    ((__u64)(sel >> 8) << 32) };
}

static struct vpmu_query qarm(__u32 ev, int kind)
{
	return (struct vpmu_query){ .event = ev, .space = VPMU_SPACE_ARM64,
				    .kind = kind, .raw_selector = ev };
}

static const char *name(int v)
{
	return v == VPMU_ALLOW ? "allow" : v == VPMU_DENY ? "deny" : "?";
}

static void expect(const char *what, const struct vpmu_query *q, int want,
		   const struct vpmu_rule *rules, unsigned int nr, int dflt)
{
	int got = bpf_decide(q), ref = ref_decide(rules, nr, dflt, q);

	tap_check(got == want && ref == want, "%s: %s", what, name(want));
	if (got != want || ref != want)
		tap_diag("  engine %s, reference %s", name(got), name(ref));
}

#define POLICY(dflt, ...)                                                     \
	do {                                                                  \
		struct vpmu_rule __r[] = { __VA_ARGS__ };                     \
		nr = sizeof(__r) / sizeof(__r[0]);                            \
		memcpy(rules, __r, sizeof(__r));                              \
		d = dflt;                                                     \
		load_policy(rules, nr, d);                                    \
	} while (0)
#define EXPECT(what, q, want)                                                 \
	do {                                                                  \
		struct vpmu_query __q = q;                                    \
		expect(what, &__q, want, rules, nr, d);                       \
	} while (0)

static struct vpmu_rule rules[VPMU_MAX_RULES];
static unsigned int nr;
static int d;

static int hand_cases(void)
{
	int n0 = 0;

	/* KVM masked events: mask 0, match 0 matches every unit mask. */
	POLICY(VPMU_DENY, x86(0xc0, 0, 0, VPMU_ALLOW, 0));
	EXPECT("mask 0/match 0 matches umask 0x00", qx86(0xc0, 0x00), VPMU_ALLOW);
	EXPECT("mask 0/match 0 matches umask 0xff", qx86(0xc0, 0xff), VPMU_ALLOW);
	EXPECT("another select falls to the default", qx86(0xc1, 0), VPMU_DENY);
	n0 += 3;

	/* mask 0 with a non-zero match can never match (KVM does the same). */
	POLICY(VPMU_DENY, x86(0xc0, 0, 0x01, VPMU_ALLOW, 0));
	EXPECT("mask 0/match 1 never matches", qx86(0xc0, 0x01), VPMU_DENY);
	n0 += 1;

	/* An exclude entry carves a unit mask out of an include. */
	POLICY(VPMU_DENY, x86(0xd0, 0, 0, VPMU_ALLOW, 0),
	       x86(0xd0, 0xff, 0x81, VPMU_ALLOW, VPMU_RULE_EXCLUDE));
	EXPECT("include minus exclude: umask 0x82 allowed", qx86(0xd0, 0x82), VPMU_ALLOW);
	EXPECT("include minus exclude: umask 0x81 excluded", qx86(0xd0, 0x81), VPMU_DENY);
	n0 += 2;

	/* An exclude alone matches nothing. */
	POLICY(VPMU_ALLOW, x86(0x2e, 0, 0, VPMU_DENY, VPMU_RULE_EXCLUDE));
	EXPECT("an exclude without include has no effect", qx86(0x2e, 0x41), VPMU_ALLOW);
	n0 += 1;

	/* Partial masks: match bits under the mask only. */
	POLICY(VPMU_ALLOW, x86(0x2e, 0xf0, 0x40, VPMU_DENY, 0));
	EXPECT("umask 0x4f matches mask 0xf0/match 0x40", qx86(0x2e, 0x4f), VPMU_DENY);
	EXPECT("umask 0x3f does not", qx86(0x2e, 0x3f), VPMU_ALLOW);
	n0 += 2;

	/* AMD's event select bits 35:32 make a different event. */
	POLICY(VPMU_ALLOW, x86(0x1c0, 0, 0, VPMU_DENY, 0));
	EXPECT("select 0x1c0 (bit 32) denied", qx86(0x1c0, 0), VPMU_DENY);
	EXPECT("select 0xc0 is another event", qx86(0xc0, 0), VPMU_ALLOW);
	EXPECT("select 0xfc0 is another event", qx86(0xfc0, 0), VPMU_ALLOW);
	n0 += 3;

	/* Deny wins over allow; a deny exclude lets the allow through. */
	POLICY(VPMU_DENY, x86(0x3c, 0, 0, VPMU_ALLOW, 0),
	       x86(0x3c, 0xff, 0x01, VPMU_DENY, 0));
	EXPECT("deny wins over allow", qx86(0x3c, 0x01), VPMU_DENY);
	EXPECT("allow where the deny does not match", qx86(0x3c, 0x00), VPMU_ALLOW);
	POLICY(VPMU_DENY, x86(0x3c, 0, 0, VPMU_ALLOW, 0),
	       x86(0x3c, 0, 0, VPMU_DENY, 0),
	       x86(0x3c, 0xff, 0x02, VPMU_DENY, VPMU_RULE_EXCLUDE));
	EXPECT("a deny exclude lets the allow through", qx86(0x3c, 0x02), VPMU_ALLOW);
	EXPECT("elsewhere the deny holds", qx86(0x3c, 0x03), VPMU_DENY);
	n0 += 4;

	/* Conditions on selector bits KVM's filter ignores: OS (bit 17). */
	{
		struct vpmu_rule os = x86(0xc0, 0, 0, VPMU_DENY, 0);
		struct vpmu_query q = qx86(0xc0, 0);

		os.sel_mask = os.sel_match = 1ull << 17;
		POLICY(VPMU_ALLOW, os);
		q.raw_selector |= 1ull << 17;
		EXPECT("deny when counting in the OS ring", q, VPMU_DENY);
		q.raw_selector &= ~(1ull << 17);
		EXPECT("user-only counting is not denied", q, VPMU_ALLOW);
		n0 += 2;
	}

	/* Fixed counters by index; kinds keep GP rules off them. */
	{
		struct vpmu_rule fx = x86(1, 0, 0, VPMU_DENY, 0);
		struct vpmu_query q = qx86(1, 0);

		fx.space = VPMU_SPACE_X86_FIXED;
		fx.kinds = VPMU_KIND_FIXED;
		POLICY(VPMU_ALLOW, fx);
		q.space = VPMU_SPACE_X86_FIXED;
		q.kind = K_FIXED;
		EXPECT("fixed counter 1 denied", q, VPMU_DENY);
		q.event = 0;
		EXPECT("fixed counter 0 allowed", q, VPMU_ALLOW);
		EXPECT("GP event select 1 is another space", qx86(1, 0), VPMU_ALLOW);
		n0 += 3;
	}

	/* arm64: the cycle counter vs an event counter counting 0x11. */
	POLICY(VPMU_ALLOW, arm(0x11, VPMU_DENY, VPMU_KIND_CYCLE, 0));
	EXPECT("cycle counter denied", qarm(0x11, K_CYCLE), VPMU_DENY);
	EXPECT("event counter on CPU_CYCLES allowed", qarm(0x11, K_GP), VPMU_ALLOW);
	EXPECT("PMCEID probe of CPU_CYCLES allowed", qarm(0x11, K_PROBE), VPMU_ALLOW);
	n0 += 3;

	/* arm64 edges: event 0 (SW_INCR), 0x3fff, 0x4000, 0xffff. */
	POLICY(VPMU_ALLOW, arm(0x0, VPMU_DENY, VPMU_KIND_ANY, 0),
	       arm(0x4000, VPMU_DENY, VPMU_KIND_ANY, 0),
	       arm(0xffff, VPMU_DENY, VPMU_KIND_ANY, 0));
	EXPECT("SW_INCR (0) denied", qarm(0, K_GP), VPMU_DENY);
	EXPECT("0x1 allowed", qarm(1, K_GP), VPMU_ALLOW);
	EXPECT("0x3fff allowed", qarm(0x3fff, K_GP), VPMU_ALLOW);
	EXPECT("0x4000 denied", qarm(0x4000, K_GP), VPMU_DENY);
	EXPECT("0xfffe allowed", qarm(0xfffe, K_GP), VPMU_ALLOW);
	EXPECT("0xffff denied", qarm(0xffff, K_GP), VPMU_DENY);
	n0 += 6;

	/* Nested conditions. */
	{
		struct vpmu_query q = qarm(0x08, K_GP);

		POLICY(VPMU_ALLOW, arm(0x08, VPMU_DENY, VPMU_KIND_ANY,
				       VPMU_RULE_HYP_ONLY),
		       arm(0x11, VPMU_DENY, VPMU_KIND_ANY, VPMU_RULE_NESTED_ONLY),
		       arm(0x1b, VPMU_DENY, VPMU_KIND_ANY, VPMU_RULE_NOT_NESTED));
		EXPECT("hyp-only deny: not at vEL1", q, VPMU_ALLOW);
		q.hyp_ctxt = 1;
		EXPECT("hyp-only deny: at vEL2", q, VPMU_DENY);
		q = qarm(0x11, K_GP);
		EXPECT("nested-only deny: outside", q, VPMU_ALLOW);
		q.nested = 1;
		EXPECT("nested-only deny: in the nested guest", q, VPMU_DENY);
		q = qarm(0x1b, K_GP);
		q.nested = 1;
		EXPECT("not-nested deny: in the nested guest", q, VPMU_ALLOW);
		q.nested = 0;
		EXPECT("not-nested deny: outside", q, VPMU_DENY);
		n0 += 6;
	}

	/* No rules: the default, both ways. */
	load_policy(rules, 0, VPMU_DENY);
	nr = 0;
	d = VPMU_DENY;
	EXPECT("empty policy, default deny", qx86(0xc0, 0), VPMU_DENY);
	load_policy(rules, 0, VPMU_ALLOW);
	d = VPMU_ALLOW;
	EXPECT("empty policy, default allow", qx86(0xc0, 0), VPMU_ALLOW);
	n0 += 2;
	return n0;
}

/* A full policy: the search finds the first, middle and last keys. */
static int full_policy_cases(void)
{
	unsigned int i;

	for (i = 0; i < VPMU_MAX_RULES; i++)
		rules[i] = arm(i * 3, (i % 2) ? VPMU_DENY : VPMU_ALLOW,
			       VPMU_KIND_ANY, 0);
	nr = VPMU_MAX_RULES;
	d = VPMU_ALLOW;
	load_policy(rules, nr, d);
	EXPECT("4096 rules: first key", qarm(0, K_GP), VPMU_ALLOW);
	EXPECT("4096 rules: second key", qarm(3, K_GP), VPMU_DENY);
	EXPECT("4096 rules: a middle key", qarm(2049 * 3, K_GP), VPMU_DENY);
	EXPECT("4096 rules: the last key", qarm(4095 * 3, K_GP), VPMU_DENY);
	EXPECT("4096 rules: between keys", qarm(4094 * 3 + 1, K_GP), VPMU_ALLOW);
	EXPECT("4096 rules: past the last key", qarm(4096 * 3, K_GP), VPMU_ALLOW);

	/* VPMU_MAX_SAME_KEY entries of one select: the last one counts. */
	for (i = 0; i < VPMU_MAX_SAME_KEY; i++)
		rules[i] = x86(0x24, 0xff, i, VPMU_DENY, 0);
	nr = VPMU_MAX_SAME_KEY;
	load_policy(rules, nr, VPMU_ALLOW);
	EXPECT("64 entries of one select: the 64th matches",
	       qx86(0x24, VPMU_MAX_SAME_KEY - 1), VPMU_DENY);
	EXPECT("64 entries of one select: a unit mask none names",
	       qx86(0x24, 0xee), VPMU_ALLOW);
	return 8;
}

/* Deterministic pseudo-random rule sets, checked against ref_decide(). */
static int generated_cases(void)
{
	unsigned int seed = 12345, s, i, j, n = 0, mismatches = 0;

	for (s = 0; s < GEN_SETS; s++) {
		nr = 1 + rand_r(&seed) % 200;
		d = rand_r(&seed) % 2;
		for (i = 0; i < nr; i++) {
			struct vpmu_rule *r = &rules[i];

			memset(r, 0, sizeof(*r));
			r->space = rand_r(&seed) % 2 ? VPMU_SPACE_X86_GP :
						      VPMU_SPACE_ARM64;
			r->event = rand_r(&seed) % 24;	/* collide often */
			r->action = rand_r(&seed) % 2;
			r->flags = (rand_r(&seed) % 4 == 0) ? VPMU_RULE_EXCLUDE : 0;
			r->kinds = rand_r(&seed) % 8 ? VPMU_KIND_ANY :
						       VPMU_KIND_CYCLE;
			r->umask_mask = rand_r(&seed) % 3 ? 0xff : 0x0f;
			r->umask_match = (rand_r(&seed) % 4) & r->umask_mask;
			if (rand_r(&seed) % 6 == 0)
				r->flags |= VPMU_RULE_NESTED_ONLY;
		}
		load_policy(rules, nr, d);
		for (j = 0; j < GEN_QUERIES; j++) {
			struct vpmu_query q = rand_r(&seed) % 2 ?
				qx86(rand_r(&seed) % 26, rand_r(&seed) % 5) :
				qarm(rand_r(&seed) % 26, rand_r(&seed) % 3);
			int got, ref;

			q.nested = rand_r(&seed) % 2;
			got = bpf_decide(&q);
			ref = ref_decide(rules, nr, d, &q);
			n++;
			if (got != ref && mismatches++ < 5)
				tap_diag("set %u query %u: engine %s, reference %s",
					 s, j, name(got), name(ref));
		}
	}
	tap_check(mismatches == 0,
		  "%u generated decisions over %u rule sets agree with the reference",
		  n, GEN_SETS);
	return 1;
}

int main(void)
{
	int planned = 38 + 8 + 1;

	tap_libbpf_quiet();
	skel = decide_test__open_and_load();
	if (!skel) {
		if (errno == EPERM || errno == EACCES)
			tap_skip_all("loading BPF needs root (CAP_BPF): %s",
				     strerror(errno));
		tap_plan(1);
		tap_check(false, "the verifier accepts the decision code: %s",
			  strerror(errno));
		return tap_finish();
	}
	tap_plan(planned + 1);
	tap_check(true, "the host verifier accepts the decision code");
	hand_cases();
	full_policy_cases();
	generated_cases();
	decide_test__destroy(skel);
	return tap_finish();
}
