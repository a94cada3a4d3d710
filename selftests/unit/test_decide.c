// SPDX-License-Identifier: GPL-2.0
/*
 * test_decide: the engine's decision code (bpf/lib/vpmu_decide.h), run by
 * the host kernel's verifier and BPF_PROG_TEST_RUN, over hand-written cases
 * for the corners of KVM's masked-event semantics and the other rule
 * kinds, and over generated rule sets checked against a plain C reading of
 * include/vpmu/rule.h (a linear scan, no index), so that an index bug
 * cannot agree with itself.  Policies are laid out and published by the
 * daemon's code (lib/) and found by the engine's (selftests/lib/
 * decide_prog.h); the layout's own corners are test_policy_index.c's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "../../include/vpmu/rule.h"
#include "../../lib/policy_image.h"
#include "../lib/decide_prog.h"
#include "../lib/tap.h"

#define GEN_SETS 40

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

static const char *name(int v)
{
	return v == VPMU_ALLOW ? "allow" : v == VPMU_DENY ? "deny" : "?";
}

static void expect(const char *what, const struct vpmu_query *q, int want,
		   const struct vpmu_rule *rules, unsigned int nr, int dflt)
{
	int got = dp_decide(q), ref = ref_decide(rules, nr, dflt, q);

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
		dp_load(rules, nr, d);                                        \
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
	POLICY(VPMU_DENY, dp_x86(0xc0, 0, 0, VPMU_ALLOW, 0));
	EXPECT("mask 0/match 0 matches umask 0x00", dp_qx86(0xc0, 0x00), VPMU_ALLOW);
	EXPECT("mask 0/match 0 matches umask 0xff", dp_qx86(0xc0, 0xff), VPMU_ALLOW);
	EXPECT("another select falls to the default", dp_qx86(0xc1, 0), VPMU_DENY);
	n0 += 3;

	/* mask 0 with a non-zero match can never match (KVM does the same). */
	POLICY(VPMU_DENY, dp_x86(0xc0, 0, 0x01, VPMU_ALLOW, 0));
	EXPECT("mask 0/match 1 never matches", dp_qx86(0xc0, 0x01), VPMU_DENY);
	n0 += 1;

	/* An exclude entry carves a unit mask out of an include. */
	POLICY(VPMU_DENY, dp_x86(0xd0, 0, 0, VPMU_ALLOW, 0),
	       dp_x86(0xd0, 0xff, 0x81, VPMU_ALLOW, VPMU_RULE_EXCLUDE));
	EXPECT("include minus exclude: umask 0x82 allowed", dp_qx86(0xd0, 0x82), VPMU_ALLOW);
	EXPECT("include minus exclude: umask 0x81 excluded", dp_qx86(0xd0, 0x81), VPMU_DENY);
	n0 += 2;

	/* An exclude alone matches nothing. */
	POLICY(VPMU_ALLOW, dp_x86(0x2e, 0, 0, VPMU_DENY, VPMU_RULE_EXCLUDE));
	EXPECT("an exclude without include has no effect", dp_qx86(0x2e, 0x41), VPMU_ALLOW);
	n0 += 1;

	/* Partial masks: match bits under the mask only. */
	POLICY(VPMU_ALLOW, dp_x86(0x2e, 0xf0, 0x40, VPMU_DENY, 0));
	EXPECT("umask 0x4f matches mask 0xf0/match 0x40", dp_qx86(0x2e, 0x4f), VPMU_DENY);
	EXPECT("umask 0x3f does not", dp_qx86(0x2e, 0x3f), VPMU_ALLOW);
	n0 += 2;

	/* AMD's event select bits 35:32 make a different event. */
	POLICY(VPMU_ALLOW, dp_x86(0x1c0, 0, 0, VPMU_DENY, 0));
	EXPECT("select 0x1c0 (bit 32) denied", dp_qx86(0x1c0, 0), VPMU_DENY);
	EXPECT("select 0xc0 is another event", dp_qx86(0xc0, 0), VPMU_ALLOW);
	EXPECT("select 0xfc0 is another event", dp_qx86(0xfc0, 0), VPMU_ALLOW);
	n0 += 3;

	/* Deny wins over allow; a deny exclude lets the allow through. */
	POLICY(VPMU_DENY, dp_x86(0x3c, 0, 0, VPMU_ALLOW, 0),
	       dp_x86(0x3c, 0xff, 0x01, VPMU_DENY, 0));
	EXPECT("deny wins over allow", dp_qx86(0x3c, 0x01), VPMU_DENY);
	EXPECT("allow where the deny does not match", dp_qx86(0x3c, 0x00), VPMU_ALLOW);
	POLICY(VPMU_DENY, dp_x86(0x3c, 0, 0, VPMU_ALLOW, 0),
	       dp_x86(0x3c, 0, 0, VPMU_DENY, 0),
	       dp_x86(0x3c, 0xff, 0x02, VPMU_DENY, VPMU_RULE_EXCLUDE));
	EXPECT("a deny exclude lets the allow through", dp_qx86(0x3c, 0x02), VPMU_ALLOW);
	EXPECT("elsewhere the deny holds", dp_qx86(0x3c, 0x03), VPMU_DENY);
	n0 += 4;

	/* Conditions on selector bits KVM's filter ignores: OS (bit 17). */
	{
		struct vpmu_rule os = dp_x86(0xc0, 0, 0, VPMU_DENY, 0);
		struct vpmu_query q = dp_qx86(0xc0, 0);

		os.sel_mask = os.sel_match = 1ull << 17;
		POLICY(VPMU_ALLOW, os);
		q.raw_selector |= 1ull << 17;
		EXPECT("deny when counting in the OS ring", q, VPMU_DENY);
		q.raw_selector &= ~(1ull << 17);
		EXPECT("user-only counting is not denied", q, VPMU_ALLOW);
		n0 += 2;
	}

	/*
	 * Intel IN_TX/IN_TXCP (bits 32, 33): KVM reports the event as select
	 * bits 7:0 and leaves these in the raw selector, so an event rule
	 * still matches and a condition can single them out.
	 */
	{
		struct vpmu_rule tx = dp_x86(0x2e, 0, 0, VPMU_DENY, 0);
		struct vpmu_query q = dp_qx86(0x2e, 0x41);

		POLICY(VPMU_ALLOW, dp_x86(0x2e, 0, 0, VPMU_DENY, 0));
		q.raw_selector |= 1ull << 32 | 1ull << 33;
		EXPECT("LLC misses with IN_TX|IN_TXCP set: still event 0x2e, denied", q,
		       VPMU_DENY);
		tx.sel_mask = tx.sel_match = 1ull << 32;
		POLICY(VPMU_ALLOW, tx);
		EXPECT("an IN_TX condition matches the selector with IN_TX", q, VPMU_DENY);
		q.raw_selector &= ~(1ull << 32);
		EXPECT("... and not one without it", q, VPMU_ALLOW);
		n0 += 3;
	}

	/* Fixed counters by index; kinds keep GP rules off them. */
	{
		struct vpmu_rule fx = dp_x86(1, 0, 0, VPMU_DENY, 0);
		struct vpmu_query q = dp_qx86(1, 0);

		fx.space = VPMU_SPACE_X86_FIXED;
		fx.kinds = VPMU_KIND_FIXED;
		POLICY(VPMU_ALLOW, fx);
		q.space = VPMU_SPACE_X86_FIXED;
		q.kind = K_FIXED;
		EXPECT("fixed counter 1 denied", q, VPMU_DENY);
		q.event = 0;
		EXPECT("fixed counter 0 allowed", q, VPMU_ALLOW);
		EXPECT("GP event select 1 is another space", dp_qx86(1, 0), VPMU_ALLOW);
		n0 += 3;
	}

	/* arm64: the cycle counter vs an event counter counting 0x11. */
	POLICY(VPMU_ALLOW, dp_arm(0x11, VPMU_DENY, VPMU_KIND_CYCLE, 0));
	EXPECT("cycle counter denied", dp_qarm(0x11, K_CYCLE), VPMU_DENY);
	EXPECT("event counter on CPU_CYCLES allowed", dp_qarm(0x11, K_GP), VPMU_ALLOW);
	EXPECT("PMCEID probe of CPU_CYCLES allowed", dp_qarm(0x11, K_PROBE), VPMU_ALLOW);
	n0 += 3;

	/* arm64 edges: event 0 (SW_INCR), 0x3fff, 0x4000, 0xffff. */
	POLICY(VPMU_ALLOW, dp_arm(0x0, VPMU_DENY, VPMU_KIND_ANY, 0),
	       dp_arm(0x4000, VPMU_DENY, VPMU_KIND_ANY, 0),
	       dp_arm(0xffff, VPMU_DENY, VPMU_KIND_ANY, 0));
	EXPECT("SW_INCR (0) denied", dp_qarm(0, K_GP), VPMU_DENY);
	EXPECT("0x1 allowed", dp_qarm(1, K_GP), VPMU_ALLOW);
	EXPECT("0x3fff allowed", dp_qarm(0x3fff, K_GP), VPMU_ALLOW);
	EXPECT("0x4000 denied", dp_qarm(0x4000, K_GP), VPMU_DENY);
	EXPECT("0xfffe allowed", dp_qarm(0xfffe, K_GP), VPMU_ALLOW);
	EXPECT("0xffff denied", dp_qarm(0xffff, K_GP), VPMU_DENY);
	n0 += 6;

	/* Nested conditions. */
	{
		struct vpmu_query q = dp_qarm(0x08, K_GP);

		POLICY(VPMU_ALLOW, dp_arm(0x08, VPMU_DENY, VPMU_KIND_ANY,
				       VPMU_RULE_HYP_ONLY),
		       dp_arm(0x11, VPMU_DENY, VPMU_KIND_ANY, VPMU_RULE_NESTED_ONLY),
		       dp_arm(0x1b, VPMU_DENY, VPMU_KIND_ANY, VPMU_RULE_NOT_NESTED));
		EXPECT("hyp-only deny: not at vEL1", q, VPMU_ALLOW);
		q.hyp_ctxt = 1;
		EXPECT("hyp-only deny: at vEL2", q, VPMU_DENY);
		q = dp_qarm(0x11, K_GP);
		EXPECT("nested-only deny: outside", q, VPMU_ALLOW);
		q.nested = 1;
		EXPECT("nested-only deny: in the nested guest", q, VPMU_DENY);
		q = dp_qarm(0x1b, K_GP);
		q.nested = 1;
		EXPECT("not-nested deny: in the nested guest", q, VPMU_ALLOW);
		q.nested = 0;
		EXPECT("not-nested deny: outside", q, VPMU_DENY);
		n0 += 6;
	}

	/* No rules: the default, both ways. */
	dp_load(rules, 0, VPMU_DENY);
	nr = 0;
	d = VPMU_DENY;
	EXPECT("empty policy, default deny", dp_qx86(0xc0, 0), VPMU_DENY);
	dp_load(rules, 0, VPMU_ALLOW);
	d = VPMU_ALLOW;
	EXPECT("empty policy, default allow", dp_qx86(0xc0, 0), VPMU_ALLOW);
	n0 += 2;
	return n0;
}

/* A full policy: the search finds the first, middle and last keys. */
static int full_policy_cases(void)
{
	unsigned int i;

	for (i = 0; i < VPMU_MAX_RULES; i++)
		rules[i] = dp_arm(i * 3, (i % 2) ? VPMU_DENY : VPMU_ALLOW,
			       VPMU_KIND_ANY, 0);
	nr = VPMU_MAX_RULES;
	d = VPMU_ALLOW;
	dp_load(rules, nr, d);
	EXPECT("4096 rules: first key", dp_qarm(0, K_GP), VPMU_ALLOW);
	EXPECT("4096 rules: second key", dp_qarm(3, K_GP), VPMU_DENY);
	EXPECT("4096 rules: a middle key", dp_qarm(2049 * 3, K_GP), VPMU_DENY);
	EXPECT("4096 rules: the last key", dp_qarm(4095 * 3, K_GP), VPMU_DENY);
	EXPECT("4096 rules: between keys", dp_qarm(4094 * 3 + 1, K_GP), VPMU_ALLOW);
	EXPECT("4096 rules: past the last key", dp_qarm(4096 * 3, K_GP), VPMU_ALLOW);

	/* VPMU_MAX_SAME_KEY entries of one select: the last one counts. */
	for (i = 0; i < VPMU_MAX_SAME_KEY; i++)
		rules[i] = dp_x86(0x24, 0xff, i, VPMU_DENY, 0);
	nr = VPMU_MAX_SAME_KEY;
	dp_load(rules, nr, VPMU_ALLOW);
	EXPECT("64 entries of one select: the 64th matches",
	       dp_qx86(0x24, VPMU_MAX_SAME_KEY - 1), VPMU_DENY);
	EXPECT("64 entries of one select: a unit mask none names",
	       dp_qx86(0x24, 0xee), VPMU_ALLOW);
	return 8;
}

/*
 * Two kinds of generated rule sets.  "mixed": few events with many rules
 * each, unit masks from a small range, nesting conditions often, so that
 * most keys are scanned (the RULES form).  "masked": masked entries with
 * any mask, kinds and unit masks of a query anywhere in 0-255, nesting and
 * selector conditions rare, so that most keys decide by their slot
 * (MASKED and BITMAP forms, include/vpmu/index.h).
 */
struct gen {
	const char *name;
	unsigned int seed;
	unsigned int events;		/* distinct event numbers */
	unsigned int queries;		/* per rule set */
	bool wide;			/* "masked" */
};

static struct vpmu_rule gen_rule(const struct gen *g, unsigned int *seed)
{
	struct vpmu_rule r = { 0 };

	r.space = rand_r(seed) % 2 ? VPMU_SPACE_X86_GP : VPMU_SPACE_ARM64;
	r.event = rand_r(seed) % g->events;	/* collide often */
	r.action = rand_r(seed) % 2;
	r.flags = (rand_r(seed) % 4 == 0) ? VPMU_RULE_EXCLUDE : 0;
	if (!g->wide) {
		r.kinds = rand_r(seed) % 8 ? VPMU_KIND_ANY : VPMU_KIND_CYCLE;
		r.umask_mask = rand_r(seed) % 3 ? 0xff : 0x0f;
		r.umask_match = (rand_r(seed) % 4) & r.umask_mask;
		if (rand_r(seed) % 6 == 0)
			r.flags |= VPMU_RULE_NESTED_ONLY;
	} else {
		r.kinds = rand_r(seed) % 2 ? VPMU_KIND_ANY :
					     1 + rand_r(seed) % VPMU_KIND_ANY;
		r.umask_mask = rand_r(seed) % 3 ? 0xff : rand_r(seed);
		r.umask_match = rand_r(seed) & r.umask_mask;
		if (rand_r(seed) % 40 == 0)
			r.flags |= VPMU_RULE_NOT_NESTED;
		if (rand_r(seed) % 40 == 0) {
			r.sel_mask = 1u << 16;	/* x86 USR */
			r.sel_match = rand_r(seed) % 2 ? 1u << 16 : 0;
		}
	}
	/* A preset's mark must not change a decision. */
	if (r.action == VPMU_ALLOW && rand_r(seed) % 3 == 0)
		r.flags |= VPMU_RULE_PRESET;
	return r;
}

/* A query near @rules: often a unit mask one of them names. */
static struct vpmu_query gen_query(const struct gen *g, unsigned int *seed)
{
	const struct vpmu_rule *r;
	struct vpmu_query q;
	__u8 umask;

	if (!g->wide) {
		q = rand_r(seed) % 2 ?
			dp_qx86(rand_r(seed) % (g->events + 2), rand_r(seed) % 5) :
			dp_qarm(rand_r(seed) % (g->events + 2), rand_r(seed) % 3);
		q.nested = rand_r(seed) % 2;
		return q;
	}
	r = &rules[rand_r(seed) % nr];
	if (rand_r(seed) % 2) {
		umask = rand_r(seed) % 2 ?
			r->umask_match | (rand_r(seed) & ~r->umask_mask) :
			rand_r(seed);
		q = dp_qx86(r->event + rand_r(seed) % 2, umask);
	} else {
		q = dp_qarm(r->event + rand_r(seed) % 2, rand_r(seed) % 4);
	}
	q.raw_selector |= rand_r(seed) % 2 ? 1u << 16 : 0;
	q.nested = rand_r(seed) % 2;
	return q;
}

/* Counts the slot forms of the policy just loaded, by the layout's lookup. */
static void count_forms(unsigned int forms[3])
{
	struct vpmu_policy_header h = vpmu_policy_header(nr, d);
	struct vpmu_policy_image img;
	__u32 i, payload;

	if (vpmu_policy_image_build(&img, &h, rules, nr))
		return;
	for (i = 0; i < nr; i++)
		if (!vpmu_policy_image_lookup(&img,
				vpmu_index_key(rules[i].space, rules[i].event),
				&payload))
			forms[vpmu_slot_form(payload) % 3]++;
	vpmu_policy_image_free(&img);
}

/*
 * Every unit mask of every x86 event of the loaded rules, with and without
 * the selector bit some rules test: the mismatches.
 */
static unsigned int every_unit_mask(unsigned int set)
{
	unsigned int i, u, bad = 0;
	struct vpmu_query q;
	int got, ref;

	for (i = 0; i < nr; i++) {
		if (rules[i].space != VPMU_SPACE_X86_GP ||
		    (i && rules[i - 1].space == rules[i].space &&
		     rules[i - 1].event == rules[i].event))
			continue;
		for (u = 0; u < 512; u++) {
			q = dp_qx86(rules[i].event, u & 0xff);
			q.raw_selector |= u & 0x100 ? 1u << 16 : 0;
			got = dp_decide(&q);
			ref = ref_decide(rules, nr, d, &q);
			if (got != ref && bad++ < 3)
				tap_diag("set %u select 0x%x unit mask 0x%x%s: engine %s, reference %s",
					 set, rules[i].event, u & 0xff,
					 u & 0x100 ? " USR" : "", name(got), name(ref));
		}
	}
	return bad;
}

/* Deterministic pseudo-random rule sets, checked against ref_decide(). */
static int generated_cases(const struct gen *g)
{
	unsigned int seed = g->seed, s, i, j, n = 0, mismatches = 0;
	unsigned int forms[3] = { 0, 0, 0 };

	for (s = 0; s < GEN_SETS; s++) {
		nr = 1 + rand_r(&seed) % 200;
		d = rand_r(&seed) % 2;
		for (i = 0; i < nr; i++)
			rules[i] = gen_rule(g, &seed);
		dp_load(rules, nr, d);
		count_forms(forms);
		if (g->wide && s < 3)
			mismatches += every_unit_mask(s);
		for (j = 0; j < g->queries; j++) {
			struct vpmu_query q = gen_query(g, &seed);
			int got, ref;

			got = dp_decide(&q);
			ref = ref_decide(rules, nr, d, &q);
			n++;
			if (got != ref && mismatches++ < 5)
				tap_diag("set %u query %u: engine %s, reference %s",
					 s, j, name(got), name(ref));
		}
	}
	tap_check(mismatches == 0,
		  "%s: %u generated decisions over %u rule sets agree with the reference%s",
		  g->name, n, GEN_SETS,
		  g->wide ? ", and every unit mask of the first three" : "");
	tap_diag("  %s: rules in keys of form rules %u, masked %u, bitmap %u",
		 g->name, forms[VPMU_SLOT_RULES], forms[VPMU_SLOT_MASKED],
		 forms[VPMU_SLOT_BITMAP]);
	if (g->wide)
		tap_check(forms[VPMU_SLOT_RULES] && forms[VPMU_SLOT_MASKED] &&
				  forms[VPMU_SLOT_BITMAP],
			  "%s: every slot form decided some of them", g->name);
	return 1 + g->wide;
}

int main(void)
{
	static const struct gen mixed = { "mixed", 12345, 24, 25, false };
	static const struct gen masked = { "masked", 4242, 60, 250, true };

	if (!dp_start(41 + 8 + 1 + 2))
		return tap_finish();
	hand_cases();
	full_policy_cases();
	generated_cases(&mixed);
	generated_cases(&masked);
	dp_close();
	return tap_finish();
}
