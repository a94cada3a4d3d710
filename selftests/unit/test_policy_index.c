// SPDX-License-Identifier: GPL-2.0
/*
 * test_policy_index: the key index a policy is laid out with
 * (include/vpmu/index.h, lib/policy_image.c), read by the engine's own
 * decision code through the host verifier and BPF_PROG_TEST_RUN.
 *
 * Checked: every key of full 4096-rule policies is found, and no key
 * between them; the three spaces keep one event number apart; keys that
 * share both buckets under the first seed force a reseed and are still
 * all found; the rules the layout must refuse are refused with their
 * error; a damaged header decides the default, never a rule; the index
 * has two slots per key and the size the header says; a policy map is
 * the smallest size class that holds it, and moves when it grows; each
 * slot form (include/vpmu/index.h) is chosen where it should be and
 * decides as the rules do; keys that overflowed their first bucket are
 * found in their second; a full policy of keys with bitmaps fits.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "../../include/vpmu/index.h"
#include "../../lib/policy_image.h"
#include "../lib/decide_prog.h"
#include "../lib/policy_test.h"
#include "../lib/tap.h"

static struct vpmu_rule rules[VPMU_MAX_RULES + 1];

static int layout_error(struct vpmu_rule *r, __u32 nr)
{
	struct vpmu_policy_header h = vpmu_policy_header(nr, VPMU_ALLOW);
	struct vpmu_policy_image img;
	int err = vpmu_policy_image_build(&img, &h, r, nr);

	vpmu_policy_image_free(&img);
	return err;
}

/*
 * A full policy of @space: rule i denies event i * @stride.  Every rule's
 * event must be denied, every event between them allowed (the default).
 */
static void full_space(__u8 space, __u32 stride, const char *what)
{
	unsigned int i, wrong = 0;
	struct vpmu_query q;

	for (i = 0; i < VPMU_MAX_RULES; i++)
		rules[i] = (struct vpmu_rule){ .event = i * stride,
					       .space = space,
					       .action = VPMU_DENY,
					       .kinds = VPMU_KIND_ANY };
	dp_load(rules, VPMU_MAX_RULES, VPMU_ALLOW);
	for (i = 0; i < VPMU_MAX_RULES * stride; i++) {
		q = space == VPMU_SPACE_ARM64 ? dp_qarm(i, K_GP) : dp_qx86(i, 0);
		q.space = space;
		if (dp_decide(&q) != (i % stride ? VPMU_ALLOW : VPMU_DENY) &&
		    wrong++ < 5)
			tap_diag("  event 0x%x decided wrongly", i);
	}
	tap_check(!wrong, "%s: all %u keys found, none between them",
		  what, VPMU_MAX_RULES);
}

/*
 * Event 2 in each space: the space's own rule denies it (default allow),
 * and the other two spaces' rules for event 2 allow it, so a query that
 * found another space's rule would be allowed.
 */
static void one_event_three_spaces(void)
{
	static const __u8 spaces[] = { VPMU_SPACE_X86_GP, VPMU_SPACE_X86_FIXED,
				       VPMU_SPACE_ARM64 };
	static const char *const names[] = { "x86 GP", "x86 fixed", "arm64" };
	static const __u8 kinds[] = { K_GP, K_FIXED, K_GP };
	struct vpmu_query q;
	unsigned int s, t;
	int got[3];

	for (s = 0; s < 3; s++) {
		for (t = 0; t < 3; t++)
			rules[t] = (struct vpmu_rule){
				.event = 2, .space = spaces[t],
				.action = s == t ? VPMU_DENY : VPMU_ALLOW,
				.kinds = VPMU_KIND_ANY };
		dp_load(rules, 3, VPMU_ALLOW);
		for (t = 0; t < 3; t++) {
			q = (struct vpmu_query){ .event = 2, .space = spaces[t],
						 .kind = kinds[t] };
			got[t] = dp_decide(&q);
		}
		tap_check(got[s] == VPMU_DENY && got[(s + 1) % 3] == VPMU_ALLOW &&
				  got[(s + 2) % 3] == VPMU_ALLOW,
			  "event 2 in %s: its own rule, not the other spaces'",
			  names[s]);
	}
}

/* The multiplier the layout tries first: where nothing collides. */
static __u64 first_mult(void)
{
	struct vpmu_policy_header h = vpmu_policy_header(1, VPMU_ALLOW);
	struct vpmu_policy_image img;
	__u64 mult;

	rules[0] = dp_arm(1, VPMU_DENY, VPMU_KIND_ANY, 0);
	if (vpmu_policy_image_build(&img, &h, rules, 1))
		tap_bail("laying out one rule failed");
	mult = img.entries[0].header.index_mult;
	vpmu_policy_image_free(&img);
	return mult;
}

/*
 * 16 keys whose two buckets are the same two under the first multiplier:
 * eight slots for sixteen keys, so the layout must take another.
 */
static void colliding_keys(void)
{
	struct vpmu_policy_header h = vpmu_policy_header(16, VPMU_ALLOW);
	__u32 order = 3, n = 0, ev, b0 = 0, b1 = 0;
	__u64 mult = first_mult();
	unsigned int i, wrong = 0;
	struct vpmu_policy_image img;
	struct vpmu_query q;
	__u64 hash;
	int err;

	for (ev = 0; ev <= 0xffff && n < 16; ev++) {
		hash = vpmu_index_hash(vpmu_index_key(VPMU_SPACE_ARM64, ev),
				       mult);
		if (!n) {
			b0 = vpmu_index_bucket_of(hash, 0, order);
			b1 = vpmu_index_bucket_of(hash, 1, order);
		} else if (vpmu_index_bucket_of(hash, 0, order) != b0 ||
			   vpmu_index_bucket_of(hash, 1, order) != b1) {
			continue;
		}
		rules[n++] = dp_arm(ev, VPMU_DENY, VPMU_KIND_ANY, 0);
	}
	if (n < 16)
		tap_bail("found only %u colliding arm64 events", n);
	err = vpmu_policy_image_build(&img, &h, rules, n);
	tap_check(!err && img.entries[0].header.index_mult != mult &&
			  img.entries[0].header.index_order == order,
		  "16 keys in the same two buckets: another multiplier, same order (%d)",
		  err);
	vpmu_policy_image_free(&img);
	dp_load(rules, n, VPMU_ALLOW);
	for (i = 0; i < n; i++) {
		q = dp_qarm(rules[i].event, K_GP);
		wrong += dp_decide(&q) != VPMU_DENY;
		q = dp_qarm(rules[i].event + 1, K_GP);
		/* A neighbour is allowed unless it is one of the 16 too. */
		if (i + 1 == n || rules[i + 1].event != rules[i].event + 1)
			wrong += dp_decide(&q) != VPMU_ALLOW;
	}
	tap_check(!wrong, "16 colliding keys: each found, neighbours not");
}

static void refused_layouts(void)
{
	unsigned int i;

	rules[0] = dp_arm(5, VPMU_DENY, VPMU_KIND_ANY, 0);
	rules[1] = dp_arm(4, VPMU_DENY, VPMU_KIND_ANY, 0);
	TAP_CHECK_EQ(layout_error(rules, 2), -EINVAL, "unsorted rules: -EINVAL");
	rules[0].space = VPMU_SPACE_HEADER;
	TAP_CHECK_EQ(layout_error(rules, 1), -EINVAL, "a rule in space 0: -EINVAL");
	rules[0] = dp_arm(VPMU_INDEX_EVENT_MAX + 1, VPMU_DENY, VPMU_KIND_ANY, 0);
	TAP_CHECK_EQ(layout_error(rules, 1), -ERANGE,
		     "an event beyond the index: -ERANGE");
	for (i = 0; i <= VPMU_MAX_SAME_KEY; i++)
		rules[i] = dp_x86(0x24, 0xff, i, VPMU_DENY, 0);
	TAP_CHECK_EQ(layout_error(rules, VPMU_MAX_SAME_KEY + 1), -E2BIG,
		     "%u rules for one key: -E2BIG", VPMU_MAX_SAME_KEY + 1);
	for (i = 0; i <= VPMU_MAX_RULES; i++)
		rules[i] = dp_arm(i, VPMU_DENY, VPMU_KIND_ANY, 0);
	TAP_CHECK_EQ(layout_error(rules, VPMU_MAX_RULES + 1), -E2BIG,
		     "%u rules: -E2BIG", VPMU_MAX_RULES + 1);
	{
		struct vpmu_policy_header h = vpmu_policy_header(2, VPMU_ALLOW);
		struct vpmu_policy_image img;

		TAP_CHECK_EQ(vpmu_policy_image_build(&img, &h, rules, 1), -EINVAL,
			     "a header whose count is not the rules': -EINVAL");
	}
}

/* A query for an event the index cannot hold decides the default. */
static void event_beyond_index(void)
{
	struct vpmu_query q = dp_qarm(VPMU_INDEX_EVENT_MAX + 1, K_GP);

	struct vpmu_policy_header h = vpmu_policy_header(1, VPMU_ALLOW);
	struct vpmu_policy_image img;
	__u32 payload;

	rules[0] = dp_arm(0, VPMU_DENY, VPMU_KIND_ANY, 0);
	dp_load(rules, 1, VPMU_ALLOW);
	tap_check(dp_decide(&q) == VPMU_ALLOW,
		  "an event beyond the index decides the default");
	/* Not only thanks to the scan's key guard: the index has no key 0. */
	if (vpmu_policy_image_build(&img, &h, rules, 1))
		tap_bail("laying out one rule failed");
	tap_check(!vpmu_index_key(VPMU_SPACE_ARM64, VPMU_INDEX_EVENT_MAX + 1) &&
			  vpmu_policy_image_lookup(&img, 0, &payload) == -ENOENT,
		  "it has key 0, which no slot holds (empty slots are 0)");
	vpmu_policy_image_free(&img);
}

/* Damaged maps: the decision is the header's default or "no policy". */
static void damaged_headers(void)
{
	struct vpmu_policy_header h = vpmu_policy_header(1, VPMU_ALLOW);
	struct vpmu_query q = dp_qarm(7, K_GP);
	struct vpmu_policy_image img;
	__u32 zero = 0;
	int fd;

	rules[0] = dp_arm(7, VPMU_DENY, VPMU_KIND_ANY, 0);
	if (vpmu_policy_image_build(&img, &h, rules, 1))
		tap_bail("laying out one rule failed");
	img.entries[0].header.index_order = VPMU_INDEX_MAX_ORDER + 1;
	dp_publish(vpmu_policy_image_map(&img, "test_policy"));
	tap_check(dp_decide(&q) == VPMU_ALLOW,
		  "an index order past the maximum decides the default");
	/* Entry 0 overwritten with something that is not a header. */
	img.entries[0].header.index_order = 0;
	fd = vpmu_policy_image_map(&img, "test_policy");
	img.entries[0].header.space = VPMU_SPACE_ARM64;
	if (fd >= 0)
		bpf_map_update_elem(fd, &zero, &img.entries[0], BPF_ANY);
	dp_publish(fd);
	TAP_CHECK_EQ(dp_decide(&q), -1,
		     "a map whose entry 0 is no header is no policy");
	/* Entry 0 all zero, as in a map whose header is not written yet. */
	fd = vpmu_policy_image_map(&img, "test_policy");
	memset(&img.entries[0], 0, sizeof(img.entries[0]));
	if (fd >= 0)
		bpf_map_update_elem(fd, &zero, &img.entries[0], BPF_ANY);
	dp_publish(fd);
	TAP_CHECK_EQ(dp_decide(&q), -1,
		     "a map whose header is not written yet is no policy");
	vpmu_policy_image_free(&img);
}

/*
 * Size classes: a policy's map is the smallest class it fits; a policy
 * that grows moves to its new class and leaves the old one; a dropped
 * policy is gone from both maps.
 */
/* The point of the size classes: no map lookup left as a call. */
static void inlined_lookups(void)
{
	int n = pt_xlated_calls(dp_prog_fd(), "map_lookup_elem");

	if (n < 0)
		tap_skip("bpftool cannot dump the program", "lookups inlined");
	else
		TAP_CHECK_EQ(n, 0,
			     "every map lookup of the decision is inline code, not a call");
}

static void classes(void)
{
	struct vpmu_policy_maps m = dp_maps();
	struct vpmu_query q = dp_qarm(2, K_GP);
	__u32 id = DP_POLICY_ID, cls = 0, inner;
	unsigned int i;
	int fd;

	rules[0] = dp_arm(2, VPMU_DENY, VPMU_KIND_ANY, 0);
	dp_load(rules, 1, VPMU_ALLOW);
	bpf_map_lookup_elem(m.class_fd, &id, &cls);
	TAP_CHECK_EQ(cls, 1, "one rule: the 16-entry class");
	for (i = 0; i < 300; i++)
		rules[i] = dp_arm(2 + i, VPMU_DENY, VPMU_KIND_ANY, 0);
	dp_load(rules, 300, VPMU_ALLOW);
	bpf_map_lookup_elem(m.class_fd, &id, &cls);
	tap_check(cls == 4 && bpf_map_lookup_elem(m.outer_fd[0], &id, &inner) &&
			  errno == ENOENT && dp_decide(&q) == VPMU_DENY,
		  "300 rules: moved to the 1024-entry class, gone from the 16 (class %u)",
		  cls);
	fd = vpmu_policy_open(&m, id);
	tap_check(fd >= 0, "vpmu_policy_open() finds it in its class");
	if (fd >= 0)
		close(fd);
	TAP_CHECK_EQ(vpmu_policy_drop(&m, id), 0, "drop");
	bpf_map_lookup_elem(m.class_fd, &id, &cls);
	tap_check(cls == 0 && dp_decide(&q) == -1 &&
			  vpmu_policy_open(&m, id) == -ENOENT &&
			  bpf_map_lookup_elem(m.outer_fd[3], &id, &inner) &&
			  errno == ENOENT,
		  "a dropped policy is no policy, in no class");
}

/* Sizes: two slots per key at least, and the entries the header says. */
static void sizes(void)
{
	static const __u32 counts[] = { 0, 1, 2, 3, 10, 300, 1000, 4096 };
	struct vpmu_policy_image img;
	unsigned int i, j, bad = 0;
	__u32 payload;
	int c;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct vpmu_policy_header h = vpmu_policy_header(counts[i],
								 VPMU_DENY);
		const struct vpmu_policy_header *got;

		for (j = 0; j < counts[i]; j++)
			rules[j] = dp_arm(j * 5, VPMU_ALLOW, VPMU_KIND_ANY, 0);
		if (vpmu_policy_image_build(&img, &h, rules, counts[i])) {
			bad++;
			continue;
		}
		got = &img.entries[0].header;
		bad += img.nr_entries != 1 + counts[i] + (1u << got->index_order) ||
		       img.nr_bitmaps;
		/* The smallest class that holds it. */
		c = vpmu_policy_class(img.nr_entries);
		bad += c < 0 || img.nr_entries > VPMU_CLASS_ENTRIES(c) ||
		       (c > 0 && img.nr_entries <= VPMU_CLASS_ENTRIES(c - 1));
		bad += ((__u32)VPMU_INDEX_SLOTS << got->index_order) < 2 * counts[i];
		/* One rule, no conditions: allowed for every kind. */
		for (j = 0; j < counts[i]; j++)
			bad += vpmu_policy_image_lookup(&img,
					vpmu_index_key(VPMU_SPACE_ARM64, j * 5),
					&payload) ||
			       payload != vpmu_slot_masked(VPMU_KIND_ANY, 0, 0,
							   VPMU_ALLOW);
		vpmu_policy_image_free(&img);
	}
	tap_check(!bad, "index sizes: two slots per key, entries as the header says, the smallest class, every key's slot a masked entry");
}

static int decide_x86(__u32 sel, __u8 umask)
{
	struct vpmu_query q = dp_qx86(sel, umask);

	return dp_decide(&q);
}

static int decide_arm(__u32 ev, int kind)
{
	struct vpmu_query q = dp_qarm(ev, kind);

	return dp_decide(&q);
}

/* The payload @img's index has for @rule's key, or 0. */
static __u32 payload_of(const struct vpmu_policy_image *img,
			const struct vpmu_rule *rule)
{
	__u32 payload = 0;

	vpmu_policy_image_lookup(img, vpmu_index_key(rule->space, rule->event),
				 &payload);
	return payload;
}

/*
 * One key per form: two masked entries that are one (unit masks 0x01 and
 * 0x03: mask 0xfd, match 0x01), three that are not (a bitmap), one with a
 * condition on the selector (scanned), and arm64 rules by kind (one masked
 * entry with no unit mask).  Default allow.
 */
static void slot_forms(void)
{
	struct vpmu_policy_header h = vpmu_policy_header(8, VPMU_ALLOW);
	struct vpmu_policy_image img;
	struct vpmu_query q;
	int wrong = 0;

	rules[0] = dp_x86(0x24, 0xff, 0x01, VPMU_DENY, 0);
	rules[1] = dp_x86(0x24, 0xff, 0x03, VPMU_DENY, 0);
	rules[2] = dp_x86(0x2e, 0xff, 0x41, VPMU_DENY, 0);
	rules[3] = dp_x86(0x2e, 0xff, 0x4f, VPMU_DENY, 0);
	rules[4] = dp_x86(0x2e, 0xf0, 0x80, VPMU_DENY, 0);
	rules[5] = dp_x86(0x3c, 0, 0, VPMU_DENY, 0);
	rules[5].sel_mask = rules[5].sel_match = 1u << 16;	/* USR */
	rules[6] = dp_arm(0x11, VPMU_ALLOW, VPMU_KIND_CYCLE, 0);
	rules[7] = dp_arm(0x11, VPMU_DENY, VPMU_KIND_GP | VPMU_KIND_PROBE, 0);
	dp_load(rules, 8, VPMU_ALLOW);
	if (vpmu_policy_image_build(&img, &h, rules, 8))
		tap_bail("laying out the forms' rules failed");
	TAP_CHECK_EQ(payload_of(&img, &rules[0]),
		     vpmu_slot_masked(VPMU_KIND_ANY, 0xfd, 0x01, VPMU_DENY),
		     "unit masks 0x01 and 0x03 of one select: one masked entry");
	tap_check(vpmu_slot_form(payload_of(&img, &rules[2])) == VPMU_SLOT_BITMAP &&
			  img.nr_bitmaps == 1 &&
			  (payload_of(&img, &rules[2]) & VPMU_SLOT_ENTRY_MASK) ==
				  img.nr_entries - 1,
		  "three masked entries of one select: a bitmap, after the index");
	TAP_CHECK_EQ(payload_of(&img, &rules[5]), vpmu_slot_rules(6, 1),
		     "a condition on selector bits: the rule is scanned");
	TAP_CHECK_EQ(payload_of(&img, &rules[6]),
		     vpmu_slot_masked(VPMU_KIND_GP | VPMU_KIND_PROBE, 0, 0, VPMU_DENY),
		     "arm64 rules by kind: one masked entry of the kinds denied");
	vpmu_policy_image_free(&img);

	/* And they decide as the rules say. */
	wrong += decide_x86(0x24, 0x01) != VPMU_DENY;
	wrong += decide_x86(0x24, 0x03) != VPMU_DENY;
	wrong += decide_x86(0x24, 0x02) != VPMU_ALLOW;
	wrong += decide_x86(0x24, 0x11) != VPMU_ALLOW;
	wrong += decide_x86(0x2e, 0x41) != VPMU_DENY;
	wrong += decide_x86(0x2e, 0x4f) != VPMU_DENY;
	wrong += decide_x86(0x2e, 0x8c) != VPMU_DENY;
	wrong += decide_x86(0x2e, 0x40) != VPMU_ALLOW;
	wrong += decide_x86(0x2e, 0x0f) != VPMU_ALLOW;
	q = dp_qx86(0x3c, 0x00);
	wrong += dp_decide(&q) != VPMU_ALLOW;
	q.raw_selector |= 1u << 16;
	wrong += dp_decide(&q) != VPMU_DENY;
	wrong += decide_arm(0x11, K_GP) != VPMU_DENY;
	wrong += decide_arm(0x11, K_CYCLE) != VPMU_ALLOW;
	wrong += decide_arm(0x12, K_GP) != VPMU_ALLOW;
	tap_check(!wrong, "each form decides as its rules (%d wrong)", wrong);
}

/*
 * A full policy of random keys overflows some first buckets (keys in an
 * arithmetic progression spread evenly under multiply-shift and do not):
 * their keys are in their second bucket, found there, and the
 * engine finds each of them and none of their neighbours.
 */
static void overflowed_buckets(void)
{
	struct vpmu_policy_header h = vpmu_policy_header(VPMU_MAX_RULES,
							 VPMU_ALLOW);
	unsigned int i, flagged = 0, missing = 0, wrong = 0;
	const union vpmu_policy_entry *idx;
	struct vpmu_policy_image img;
	__u32 payload;

	unsigned int seed = 7, n = 0;

	/* Pseudo-random events, sorted, each once. */
	while (n < VPMU_MAX_RULES) {
		while (n < VPMU_MAX_RULES)
			rules[n++] = dp_arm(rand_r(&seed) & VPMU_INDEX_EVENT_MAX,
					    VPMU_DENY, VPMU_KIND_ANY, 0);
		qsort(rules, n, sizeof(rules[0]), dp_cmp_rule);
		for (i = 1, n = 1; i < VPMU_MAX_RULES; i++)
			if (rules[i].event != rules[n - 1].event)
				rules[n++] = rules[i];
	}
	if (vpmu_policy_image_build(&img, &h, rules, VPMU_MAX_RULES))
		tap_bail("laying out 4096 rules failed");
	idx = &img.entries[1 + VPMU_MAX_RULES];
	for (i = 0; i < 1u << img.entries[0].header.index_order; i++)
		flagged += !!(idx[i].bucket.slot[0] & VPMU_SLOT_OVERFLOW);
	for (i = 0; i < VPMU_MAX_RULES; i++)
		missing += !!vpmu_policy_image_lookup(&img,
				vpmu_index_key(VPMU_SPACE_ARM64, rules[i].event),
				&payload);
	tap_check(flagged && !missing,
		  "4096 random keys: %u first buckets overflowed, every key found (%u not)",
		  flagged, missing);
	vpmu_policy_image_free(&img);
	dp_load(rules, VPMU_MAX_RULES, VPMU_ALLOW);
	for (i = 0; i < VPMU_MAX_RULES; i++) {
		wrong += decide_arm(rules[i].event, K_GP) != VPMU_DENY;
		if (i + 1 == VPMU_MAX_RULES ||
		    rules[i + 1].event != rules[i].event + 1)
			wrong += decide_arm(rules[i].event + 1, K_GP) != VPMU_ALLOW;
	}
	tap_check(!wrong, "the engine finds each of them, and no neighbour (%u wrong)",
		  wrong);
}

/*
 * The most bitmaps a policy can need: 2048 keys of two masked entries
 * each, which still fits the largest class; every one decides.
 */
static void most_bitmaps(void)
{
	struct vpmu_policy_header h = vpmu_policy_header(VPMU_MAX_RULES,
							 VPMU_ALLOW);
	unsigned int i, wrong = 0, n = VPMU_MAX_RULES / 2;
	struct vpmu_policy_image img;
	__u32 payload;

	for (i = 0; i < VPMU_MAX_RULES; i++)
		rules[i] = dp_x86(i / 2, 0xff, 1 << (i % 2 * 2), VPMU_DENY, 0);
	if (vpmu_policy_image_build(&img, &h, rules, VPMU_MAX_RULES))
		tap_bail("laying out 2048 keys of two rules failed");
	for (i = 0; i < n; i++)
		wrong += vpmu_policy_image_lookup(&img,
				vpmu_index_key(VPMU_SPACE_X86_GP, i), &payload) ||
			 vpmu_slot_form(payload) != VPMU_SLOT_BITMAP;
	tap_check(!wrong && img.nr_bitmaps == n &&
			  img.nr_entries <= VPMU_POLICY_MAX_ENTRIES,
		  "2048 keys of two masked entries: %u bitmaps, %u entries",
		  img.nr_bitmaps, img.nr_entries);
	vpmu_policy_image_free(&img);
	dp_load(rules, VPMU_MAX_RULES, VPMU_ALLOW);
	for (i = 0; i < n; i++) {
		wrong += decide_x86(i, 0x01) != VPMU_DENY;
		wrong += decide_x86(i, 0x04) != VPMU_DENY;
		wrong += decide_x86(i, 0x05) != VPMU_ALLOW;
	}
	tap_check(!wrong, "and each decides by its bitmap (%u wrong)", wrong);
}

int main(void)
{
	if (!dp_start(26 + 5 + 2 + 2))
		return tap_finish();
	full_space(VPMU_SPACE_ARM64, 1, "arm64 events 0..4095");
	full_space(VPMU_SPACE_X86_GP, 1, "x86 selects 0..0xfff");
	full_space(VPMU_SPACE_ARM64, 16, "arm64 events 0..0xfff0 by 16");
	one_event_three_spaces();
	colliding_keys();
	refused_layouts();
	event_beyond_index();
	damaged_headers();
	inlined_lookups();
	classes();
	sizes();
	slot_forms();
	overflowed_buckets();
	most_bitmaps();
	dp_close();
	return tap_finish();
}
