// SPDX-License-Identifier: GPL-2.0
/*
 * test_policy: tenant policy files and the main configuration
 * (daemon/policy.c, daemon/schema.c, daemon/config.c), on the host.
 *
 * Good policies are compiled and every field of every rule, in the order
 * the engine scans them, is compared with what the file means; bad files
 * are compared with the exact list of "file:line:column: message" lines
 * vpmuctl check would print, so that a drift in a message or a position
 * shows up here rather than in front of a user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>

#include "../../include/vpmu/maps.h"
#include "config.h"
#include "policy.h"
#include "schema.h"
#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Selector bits, written out here rather than taken from policy.c: x86
 * IA32_PERFEVTSELx / PerfEvtSeln, arm64 PMEVTYPER<n>_EL0 / PMCCFILTR_EL0.
 */
#define X86_USR		0x00010000ULL
#define X86_OS		0x00020000ULL
#define X86_EDGE	0x00040000ULL
#define X86_INV		0x00800000ULL
#define X86_CMASK(n)	((unsigned long long)(n) << 24)
#define ARM_P		0x80000000ULL	/* do not count at EL1 */
#define ARM_U		0x40000000ULL	/* do not count at EL0 */
#define ARM_NSH		0x08000000ULL	/* count at EL2 */

#define A	VPMU_ALLOW
#define D	VPMU_DENY
#define K_GP	VPMU_KIND_GP
#define K_FX	VPMU_KIND_FIXED
#define K_CYC	VPMU_KIND_CYCLE
#define K_PRB	VPMU_KIND_PROBE
#define EXCL	VPMU_RULE_EXCLUDE
#define NEST	VPMU_RULE_NESTED_ONLY
#define NONEST	VPMU_RULE_NOT_NESTED
#define HYP	VPMU_RULE_HYP_ONLY

#define RULE(sp, ev, act, fl, kd, um, umt, sm, smt)                       \
	{ .event = (ev), .space = (sp), .action = (act), .flags = (fl),  \
	  .kinds = (kd), .umask_mask = (um), .umask_match = (umt),       \
	  .sel_mask = (sm), .sel_match = (smt) }
#define ARM(ev, act, fl, kd, sm, smt) \
	RULE(VPMU_SPACE_ARM64, ev, act, fl, kd, 0, 0, sm, smt)
#define GP(sel, act, fl, kd, um, umt, sm, smt) \
	RULE(VPMU_SPACE_X86_GP, sel, act, fl, kd, um, umt, sm, smt)
#define FX(idx, act, fl, kd, sm, smt) \
	RULE(VPMU_SPACE_X86_FIXED, idx, act, fl, kd, 0, 0, sm, smt)

static const char *tmpdir;

static void dump_rule(const char *what, size_t i, const struct vpmu_rule *r)
{
	tap_diag("  %s[%zu]: space %u event 0x%x action %u flags 0x%x kinds 0x%x umask 0x%02x/0x%02x sel 0x%llx/0x%llx pad %02x%02x%02x%02x%02x%02x",
		 what, i, r->space, r->event, r->action, r->flags, r->kinds,
		 r->umask_mask, r->umask_match,
		 (unsigned long long)r->sel_mask,
		 (unsigned long long)r->sel_match, r->pad[0], r->pad[1],
		 r->pad[2], r->pad[3], r->pad[4], r->pad[5]);
}

/* Field by field, so that a new field cannot hide in padding. */
static bool rule_eq(const struct vpmu_rule *a, const struct vpmu_rule *b)
{
	size_t i;

	for (i = 0; i < sizeof(a->pad); i++)
		if (a->pad[i] || b->pad[i])
			return false;
	return a->event == b->event && a->space == b->space &&
	       a->action == b->action && a->flags == b->flags &&
	       a->kinds == b->kinds && a->umask_mask == b->umask_mask &&
	       a->umask_match == b->umask_match &&
	       a->sel_mask == b->sel_mask && a->sel_match == b->sel_match;
}

static void dump_diag(const struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		tap_diag("  got: %s", d->msgs[i]);
	if (d->dropped)
		tap_diag("  got: (%zu more)", d->dropped);
}

/* Compile a policy that must be good: one check. */
static struct tenant *compile(const char *file, enum vpmu_target target,
			      const char *text, const char *what)
{
	struct tenant *t;
	struct diag d;

	diag_init(&d);
	t = tenant_parse(file, text, strlen(text), target, &d);
	if (!tap_check(t && !diag_count(&d), "%s: compiles", what))
		dump_diag(&d);
	diag_free(&d);
	return t;
}

/* Header, count and every rule of @t: three checks. */
static void expect_rules(const struct tenant *t, const char *what,
			 uint8_t def, uint8_t flags,
			 const struct vpmu_rule *want, size_t nr)
{
	struct vpmu_policy_header h,
		wh = { .nr_rules = nr, .space = VPMU_SPACE_HEADER,
		       .default_action = def, .flags = flags,
		       .magic = VPMU_POLICY_MAGIC };
	bool ok = true;
	size_t i;

	if (!t) {
		tap_check(false, "%s: header", what);
		tap_check(false, "%s: %zu rules", what, nr);
		tap_check(false, "%s: the rules, sorted", what);
		return;
	}
	h = tenant_header(t);
	/* Every byte: the layout's fields and padding stay zero here. */
	if (!tap_check(!memcmp(&h, &wh, sizeof(h)), "%s: header", what))
		tap_diag("  got header: %u rules, space %u, default %u, flags 0x%x",
			 h.nr_rules, h.space, h.default_action, h.flags);
	TAP_CHECK_EQ(t->nr, nr, "%s: %zu rules", what, nr);
	for (i = 0; i < t->nr || i < nr; i++) {
		if (i < t->nr && i < nr && rule_eq(&t->rules[i], &want[i]))
			continue;
		ok = false;
		if (i < t->nr)
			dump_rule("got", i, &t->rules[i]);
		if (i < nr)
			dump_rule("want", i, &want[i]);
	}
	tap_check(ok, "%s: the rules, sorted", what);
}

#define EXPECT_RULES(t, what, def, flags, ...)                               \
	expect_rules(t, what, def, flags,                                    \
		     (const struct vpmu_rule[]){ __VA_ARGS__ },              \
		     sizeof((const struct vpmu_rule[]){ __VA_ARGS__ }) /     \
			     sizeof(struct vpmu_rule))

static bool cond_is(const struct match_clause *cl, size_t i,
		    enum match_field f, const char *pattern, const char *xattr)
{
	const struct match_cond *c = &cl->conds[i];

	if (i >= cl->n || c->field != f || !c->pattern ||
	    strcmp(c->pattern, pattern))
		return false;
	return xattr ? c->xattr && !strcmp(c->xattr, xattr) : !c->xattr;
}

/* 18 checks */
static void test_arm64(void)
{
	static const char text[] =
		"{\n"
		"  \"comment\": \"arm64 names, numbers, ranges, conditions\",\n"
		"  \"priority\": -5,\n"
		"  \"default\": \"allow\",\n"
		"  \"audit\": \"all\",\n"
		"  \"match\": {\"cgroup\": \"/machine.slice/*\", \"xattr\": {\"user.tenant\": \"acme\", \"trusted.tier\": \"gold*\"}, \"untrusted_xattrs\": true, \"comment\": \"one clause\"},\n"
		"  \"allow\": [\"INST_RETIRED\", \"instructions\", 8, \"0x08\", \"cycles\", 3, \"0x4000\", \"27\",\n"
		"            {\"event\": \"inst-retired\", \"comment\": \"the same, again\"}],\n"
		"  \"deny\": [{\"range\": [64, \"0x42\"]},\n"
		"           {\"cycle_counter\": true, \"el2\": true, \"nested\": \"hypervisor\"},\n"
		"           {\"event\": \"branches\", \"usr\": false, \"os\": true},\n"
		"           {\"event\": \"L1D_CACHE\", \"nested\": \"only\", \"counters\": [\"gp\"]},\n"
		"           {\"event\": \"0x24\", \"el2\": false, \"usr\": true, \"exclude\": true}]\n"
		"}\n";
	struct tenant *t;

	t = compile("t/good-arm.json", VPMU_TARGET_ARM64, text, "arm64");
	EXPECT_RULES(t, "arm64", A,
		     VPMU_POLICY_NESTED | VPMU_POLICY_AUDIT(VPMU_AUDIT_ALL),
		     ARM(0x03, A, 0, K_GP | K_PRB, 0, 0),
		     ARM(0x04, D, NEST, K_GP, 0, 0),
		     ARM(0x08, A, 0, K_GP | K_PRB, 0, 0),
		     ARM(0x0c, D, 0, K_GP | K_PRB, ARM_U | ARM_P, ARM_U),
		     ARM(0x11, D, HYP, K_CYC | K_PRB, ARM_NSH, ARM_NSH),
		     ARM(0x11, A, 0, K_GP | K_CYC | K_PRB, 0, 0),
		     ARM(0x1b, A, 0, K_GP | K_PRB, 0, 0),
		     ARM(0x21, D, 0, K_GP | K_PRB, ARM_U | ARM_P, ARM_U),
		     ARM(0x24, D, EXCL, K_GP | K_PRB, ARM_U | ARM_NSH, 0),
		     ARM(0x40, D, 0, K_GP | K_PRB, 0, 0),
		     ARM(0x41, D, 0, K_GP | K_PRB, 0, 0),
		     ARM(0x42, D, 0, K_GP | K_PRB, 0, 0),
		     ARM(0x4000, A, 0, K_GP | K_PRB, 0, 0));
	tap_check(t && !strcmp(t->name, "good-arm"),
		  "arm64: tenant name from the file name");
	tap_check(t && !strcmp(t->file, "t/good-arm.json"),
		  "arm64: the file is kept");
	TAP_CHECK_EQ(t ? t->priority : 0, -5, "arm64: priority");
	TAP_CHECK_EQ(t ? t->audit : 0, VPMU_AUDIT_ALL, "arm64: audit");
	TAP_CHECK_EQ(t ? t->nested : 9, NESTED_AUTO, "arm64: nested_reprogram");
	TAP_CHECK_EQ(t ? t->digest : 0, digest_bytes(text, strlen(text)),
		     "arm64: digest of the text");
	tap_check(t && t->nclauses == 1 && t->clauses[0].n == 3 &&
			  cond_is(&t->clauses[0], 0, MATCH_CGROUP,
				  "/machine.slice/*", NULL) &&
			  cond_is(&t->clauses[0], 1, MATCH_XATTR, "acme",
				  "user.tenant") &&
			  cond_is(&t->clauses[0], 2, MATCH_XATTR, "gold*",
				  "trusted.tier"),
		  "arm64: one match clause, cgroup and two xattrs");
	tenant_free(t);

	/* Override the name; array of clauses; nested conditions off. */
	t = compile("t/x.json", VPMU_TARGET_ARM64,
		    "{\"tenant\": \"Other.Name_1\", \"priority\": 1000000, \"audit\": \"none\",\n"
		    " \"nested_reprogram\": \"none\",\n"
		    " \"match\": [{\"slice\": \"tenant-a.slice\"}, {\"unit\": \"vm-*.scope\", \"machine\": \"vm?\", \"comment\": \"\"}],\n"
		    " \"allow\": [{\"event\": \"CPU_CYCLES\", \"nested\": \"never\", \"usr\": true, \"os\": false},\n"
		    "           {\"event\": \"cpu-cycles\", \"nested\": \"any\", \"counters\": [\"cycle\", \"probe\", \"cycle\"]}],\n"
		    " \"deny\": []}",
		    "arm64 override");
	EXPECT_RULES(t, "arm64 override", D,
		     VPMU_POLICY_AUDIT(VPMU_AUDIT_NONE),
		     ARM(0x11, A, 0, K_CYC | K_PRB, 0, 0),
		     ARM(0x11, A, NONEST, K_GP | K_CYC | K_PRB,
			 ARM_U | ARM_P, ARM_P));
	tap_check(t && !strcmp(t->name, "Other.Name_1"),
		  "arm64 override: \"tenant\" overrides the file name");
	TAP_CHECK_EQ(t ? t->priority : 0, 1000000,
		     "arm64 override: priority");
	tap_check(t && t->nclauses == 2 && t->clauses[0].n == 1 &&
			  cond_is(&t->clauses[0], 0, MATCH_SLICE,
				  "tenant-a.slice", NULL) &&
			  t->clauses[1].n == 2 &&
			  cond_is(&t->clauses[1], 0, MATCH_UNIT, "vm-*.scope",
				  NULL) &&
			  cond_is(&t->clauses[1], 1, MATCH_MACHINE, "vm?",
				  NULL),
		  "arm64 override: two clauses, slice / unit and machine");
	tenant_free(t);
}

/* 17 checks */
static void test_defaults(void)
{
	struct tenant *t;
	char file[128];

	t = compile("t/dir/minimal.json", VPMU_TARGET_ARM64,
		    "{\"nested_reprogram\": \"all\", \"audit\": \"host\"}",
		    "minimal");
	EXPECT_RULES(t, "minimal", D, VPMU_POLICY_NESTED, );
	tap_check(t && !strcmp(t->name, "minimal") && !t->nclauses &&
			  !t->priority && t->audit == -1 &&
			  t->nested == NESTED_ALL,
		  "minimal: name, no clauses, priority 0, host audit");
	tenant_free(t);

	t = compile("plain", VPMU_TARGET_X86_INTEL, "\xef\xbb\xbf{}",
		    "empty object");
	tap_check(t && !strcmp(t->name, "plain") && !t->nr &&
			  t->default_action == D && t->audit == -1 &&
			  t->header_flags == 0,
		  "empty object: named after a file without .json, deny, no flags");
	tenant_free(t);

	/* A file name too long for a tenant name is fine with "tenant". */
	snprintf(file, sizeof(file), "t/%064d.json", 0);
	t = compile(file, VPMU_TARGET_X86_AMD, "{\"tenant\": \"short\"}",
		    "long file name");
	tap_check(t && !strcmp(t->name, "short"), "long file name: \"tenant\" names it");
	tenant_free(t);
	snprintf(file, sizeof(file), "t/%063d.json", 0);
	t = compile(file, VPMU_TARGET_X86_AMD, "{}", "63-character file name");
	tap_check(t && strlen(t->name) == 63, "63-character file name: the tenant's name");
	tenant_free(t);

	/* More xattr conditions than members, then a plain one. */
	t = compile("t/xattrs.json", VPMU_TARGET_ARM64,
		    "{\"match\": {\"xattr\": {\"user.a\": \"0\", \"user.b\": \"1\", \"user.c\": \"2\",\n"
		    "  \"user.d\": \"3\", \"user.e\": \"4\", \"user.f\": \"5\", \"user.g\": \"6\", \"user.h\": \"7\",\n"
		    "  \"user.i\": \"8\", \"user.j\": \"9\", \"user.k\": \"10\", \"trusted.l\": \"11\"},\n"
		    "  \"cgroup\": \"/x\", \"unit\": \"u\", \"untrusted_xattrs\": true}}",
		    "twelve xattrs");
	{
		static const char *const names[] = {
			"user.a", "user.b", "user.c", "user.d", "user.e",
			"user.f", "user.g", "user.h", "user.i", "user.j",
			"user.k", "trusted.l"
		};
		bool ok = t && t->nclauses == 1 && t->clauses[0].n == 14;
		char pat[8];
		size_t i;

		for (i = 0; ok && i < 12; i++) {
			snprintf(pat, sizeof(pat), "%zu", i);
			ok = cond_is(&t->clauses[0], i, MATCH_XATTR, pat,
				     names[i]);
		}
		tap_check(ok && cond_is(&t->clauses[0], 12, MATCH_CGROUP, "/x",
					NULL) &&
				  cond_is(&t->clauses[0], 13, MATCH_UNIT, "u",
					  NULL),
			  "twelve xattrs: all conditions, in order");
	}
	tenant_free(t);

	tap_check(tenant_name_valid("a") && tenant_name_valid("A-b_c.9") &&
			  !tenant_name_valid("") && !tenant_name_valid(".a") &&
			  !tenant_name_valid("a/b") && !tenant_name_valid("a b"),
		  "tenant_name_valid");
	{
		unsigned long long n = 0;

		tap_check(schema_parse_uint("0x1F", &n) && n == 0x1f &&
				  schema_parse_uint("012", &n) && n == 12 &&
				  !schema_parse_uint("0x", &n) &&
				  !schema_parse_uint("0x0x1", &n) &&
				  !schema_parse_uint("-1", &n) &&
				  !schema_parse_uint(" 1", &n) &&
				  !schema_parse_uint("1 ", &n) &&
				  !schema_parse_uint("18446744073709551616", &n),
			  "schema_parse_uint");
	}
	TAP_CHECK_EQ(schema_distance("alow", "allow"), 1, "schema_distance");
	tap_check(digest_bytes("a", 1) != digest_bytes("b", 1) &&
			  digest_bytes("", 0) == 0xcbf29ce484222325ULL,
		  "digest_bytes");
}

/* 12 checks: "mode", enforce by default, audit a header flag. */
static void test_mode(void)
{
	struct tenant *t;

	t = compile("t/mode-default.json", VPMU_TARGET_ARM64,
		    "{\"deny\": [\"INST_RETIRED\"]}", "no mode");
	EXPECT_RULES(t, "no mode", D, 0,
		     ARM(0x08, D, 0, K_GP | K_PRB, 0, 0));
	tap_check(t && t->mode == TENANT_ENFORCE, "no mode: enforce");
	tenant_free(t);

	t = compile("t/mode-enforce.json", VPMU_TARGET_X86_AMD,
		    "{\"mode\": \"enforce\"}", "mode enforce");
	tap_check(t && t->mode == TENANT_ENFORCE &&
			  !(tenant_header(t).flags & VPMU_POLICY_MODE_AUDIT),
		  "mode enforce: no audit-mode flag in the header");
	tenant_free(t);

	/* The same rules: only the header says "audit". */
	t = compile("t/mode-audit.json", VPMU_TARGET_ARM64,
		    "{\"mode\": \"audit\", \"audit\": \"all\", \"nested_reprogram\": \"all\",\n"
		    " \"deny\": [\"INST_RETIRED\"]}", "mode audit");
	EXPECT_RULES(t, "mode audit", D,
		     VPMU_POLICY_MODE_AUDIT | VPMU_POLICY_NESTED |
			     VPMU_POLICY_AUDIT(VPMU_AUDIT_ALL),
		     ARM(0x08, D, 0, K_GP | K_PRB, 0, 0));
	tap_check(t && t->mode == TENANT_AUDIT && t->audit == VPMU_AUDIT_ALL,
		  "mode audit: audit mode, and the audit level apart from it");
	tenant_free(t);
}

/* 9 checks */
static void test_x86(void)
{
	struct tenant *t;

	t = compile("t/intel.json", VPMU_TARGET_X86_INTEL,
		    "{\"tenant\": \"intel-a\", \"default\": \"deny\", \"audit\": \"denials\",\n"
		    " \"allow\": [\"instructions\", \"INST_RETIRED.ANY\",\n"
		    "           {\"select\": \"0x2e\", \"umask\": \"0x4f\"},\n"
		    "           {\"select\": 46, \"umask_mask\": \"0xf0\", \"umask_match\": \"0x40\", \"exclude\": true},\n"
		    "           {\"event\": \"0xc4\", \"usr\": true, \"os\": false, \"edge\": true, \"inv\": false, \"cmask\": 3},\n"
		    "           {\"fixed\": 2, \"counters\": [\"fixed\"]},\n"
		    "           {\"event\": \"cycles\", \"counters\": [\"fixed\"]},\n"
		    "           {\"event\": \"ref-cycles\", \"os\": true, \"nested\": \"only\"}],\n"
		    " \"deny\": [\"branch-misses\", {\"select\": \"0x3c\", \"counters\": [\"gp\", \"probe\"]},\n"
		    "          {\"event\": 192, \"umask\": 1, \"cmask\": \"0xff\", \"nested\": \"never\"}]}",
		    "x86-intel");
	EXPECT_RULES(t, "x86-intel", D,
		     VPMU_POLICY_NESTED | VPMU_POLICY_AUDIT(VPMU_AUDIT_DENIALS),
		     GP(0x2e, A, 0, K_GP | K_PRB, 0xff, 0x4f, 0, 0),
		     GP(0x2e, A, EXCL, K_GP | K_PRB, 0xf0, 0x40, 0, 0),
		     GP(0x3c, D, 0, K_GP | K_PRB, 0, 0, 0, 0),
		     GP(0x3c, A, NEST, K_GP | K_PRB, 0xff, 0x01, X86_OS,
			X86_OS),
		     GP(0xc0, D, NONEST, K_GP | K_PRB, 0xff, 0x01,
			X86_CMASK(0xff), X86_CMASK(0xff)),
		     GP(0xc0, A, 0, K_GP | K_PRB, 0xff, 0x00, 0, 0),
		     GP(0xc4, A, 0, K_GP | K_PRB, 0, 0,
			X86_USR | X86_OS | X86_EDGE | X86_INV | X86_CMASK(0xff),
			X86_USR | X86_EDGE | X86_CMASK(3)),
		     GP(0xc5, D, 0, K_GP | K_PRB, 0xff, 0x00, 0, 0),
		     FX(0, A, 0, K_FX | K_PRB, 0, 0),
		     FX(1, A, 0, K_FX, 0, 0),
		     FX(2, A, 0, K_FX, 0, 0),
		     /* On a fixed counter "os" is FIXED_CTR_CTRL bit 0. */
		     FX(2, A, NEST, K_FX | K_PRB, 0x1, 0x1));
	tenant_free(t);

	/* IN_TX and IN_TXCP are conditions on the selector, as KVM decodes. */
	t = compile("t/intel-tsx.json", VPMU_TARGET_X86_INTEL,
		    "{\"default\": \"allow\",\n"
		    " \"deny\": [{\"select\": \"0x2e\", \"in_tx\": true},\n"
		    "          {\"select\": \"0xc0\", \"in_txcp\": false}]}",
		    "x86-intel tsx");
	EXPECT_RULES(t, "x86-intel tsx", A, 0,
		     GP(0x2e, D, 0, K_GP | K_PRB, 0, 0, 1ULL << 32, 1ULL << 32),
		     GP(0xc0, D, 0, K_GP | K_PRB, 0, 0, 1ULL << 33, 0));
	tenant_free(t);

	t = compile("t/amd.json", VPMU_TARGET_X86_AMD,
		    "{\"default\": \"allow\", \"nested_reprogram\": \"all\",\n"
		    " \"deny\": [\"cycles\", \"stalled-cycles-frontend\", \"ref-cycles\", \"LS_NOT_HALTED_CYC\",\n"
		    "          {\"select\": \"0xfff\", \"umask_mask\": 255, \"umask_match\": 0, \"os\": true},\n"
		    "          {\"event\": \"0x1c0\", \"usr\": false}]}",
		    "x86-amd");
	EXPECT_RULES(t, "x86-amd", A, VPMU_POLICY_NESTED,
		     GP(0x076, D, 0, K_GP | K_PRB, 0xff, 0x00, 0, 0),
		     GP(0x087, D, 0, K_GP | K_PRB, 0xff, 0x02, 0, 0),
		     GP(0x0a9, D, 0, K_GP | K_PRB, 0xff, 0x00, 0, 0),
		     GP(0x120, D, 0, K_GP | K_PRB, 0xff, 0x01, 0, 0),
		     GP(0x1c0, D, 0, K_GP | K_PRB, 0, 0, X86_USR, 0),
		     GP(0xfff, D, 0, K_GP | K_PRB, 0xff, 0x00, X86_OS,
			X86_OS));
	tap_check(t && !strcmp(t->name, "amd"), "x86-amd: name");
	tenant_free(t);
}

/* Generated text: a JSON array of @n entries made by @fmt(i). */
static char *gen(const char *head, const char *fmt, unsigned int n,
		 const char *tail, unsigned int mark, size_t *mark_off)
{
	size_t cap = strlen(head) + strlen(tail) + (size_t)n * 64 + 1, len;
	char *s = malloc(cap);
	unsigned int i;

	if (!s)
		tap_bail("out of memory");
	len = snprintf(s, cap, "%s", head);
	for (i = 0; i < n; i++) {
		if (i == mark && mark_off)
			*mark_off = len + (i ? 2 : 0);
		len += snprintf(s + len, cap - len, "%s", i ? ", " : "");
		len += snprintf(s + len, cap - len, fmt, i, i);
	}
	snprintf(s + len, cap - len, "%s", tail);
	return s;
}

/* 12 checks */
static void test_limits(void)
{
	struct vpmu_rule *want;
	struct tenant *t;
	unsigned int i;
	char *text;

	/* 4096 rules from one range: exactly the limit. */
	t = compile("t/range.json", VPMU_TARGET_ARM64,
		    "{\"allow\": [{\"range\": [0, 4095]}]}", "4096-event range");
	want = calloc(VPMU_MAX_RULES, sizeof(*want));
	if (!want)
		tap_bail("out of memory");
	for (i = 0; i < VPMU_MAX_RULES; i++) {
		want[i] = (struct vpmu_rule)ARM(i, A, 0, K_GP | K_PRB, 0, 0);
		if (i == 0x11)
			want[i].kinds |= K_CYC;
	}
	expect_rules(t, "4096-event range", D, 0, want, VPMU_MAX_RULES);
	tenant_free(t);

	/* 4096 x86 selects, each written out. */
	text = gen("{\"deny\": [", "%u", VPMU_MAX_RULES, "]}", 0, NULL);
	t = compile("t/selects.json", VPMU_TARGET_X86_AMD, text,
		    "4096 selects");
	for (i = 0; i < VPMU_MAX_RULES; i++)
		want[i] = (struct vpmu_rule)GP(i, D, 0, K_GP | K_PRB, 0, 0, 0, 0);
	expect_rules(t, "4096 selects", D, 0, want, VPMU_MAX_RULES);
	tenant_free(t);
	free(text);

	/* VPMU_MAX_SAME_KEY rules for one select: exactly the limit. */
	text = gen("{\"allow\": [", "{\"select\": 46, \"umask\": %u}",
		   VPMU_MAX_SAME_KEY, "]}", 0, NULL);
	t = compile("t/same.json", VPMU_TARGET_X86_INTEL, text,
		    "64 rules for one select");
	for (i = 0; i < VPMU_MAX_SAME_KEY; i++)
		want[i] = (struct vpmu_rule)GP(0x2e, A, 0, K_GP | K_PRB, 0xff,
					       i, 0, 0);
	expect_rules(t, "64 rules for one select", D, 0, want,
		     VPMU_MAX_SAME_KEY);
	tenant_free(t);
	free(text);
	free(want);
}

#define MAX_MSGS 16

struct bad {
	const char *file;
	enum vpmu_target target;
	const char *text;
	const char *msgs[MAX_MSGS];
};

#define F(n) "t/bad-" #n ".json"
#define ARM64 VPMU_TARGET_ARM64
#define INTEL VPMU_TARGET_X86_INTEL
#define AMD VPMU_TARGET_X86_AMD

static const struct bad bad[] = {
	/* JSON syntax: the parser's message and position. */
	{ F(01), ARM64, "{\"allow\": [1,]}",
	  { F(01) ":1:14: expected a value after ',', found ']'" } },
	{ F(02), ARM64, "",
	  { F(02) ":1:1: expected a value, found end of input" } },
	{ F(03), ARM64, "{\"allow\": [],\n \"allow\": []}",
	  { F(03) ":2:2: duplicate key \"allow\" (first at line 1, column 2)" } },
	{ F(04), ARM64,
	  "{\n  \"allow\": [\n    \"cycles\"\n  ]\n  \"deny\": []\n}",
	  { F(04) ":5:3: expected ',' or '}' after an object member, found '\"'" } },
	{ F(05), ARM64, "[1]",
	  { F(05) ":1:1: a tenant file must be a JSON object, not an array" } },
	{ F(06), INTEL, "\n  \"cycles\"",
	  { F(06) ":2:3: a tenant file must be a JSON object, not a string" } },
	/* Unknown keys, with and without a suggestion. */
	{ F(07), ARM64,
	  "{\n"
	  "  \"alow\": [],\n"
	  "  \"Deny\": [],\n"
	  "  \"frobnicate\": 1,\n"
	  "  \"tenant\": \"ok\"\n"
	  "}",
	  { F(07) ":2:3: unknown key \"alow\" in the tenant (did you mean \"allow\"?)",
	    F(07) ":3:3: unknown key \"Deny\" in the tenant (did you mean \"deny\"?)",
	    F(07) ":4:3: unknown key \"frobnicate\" in the tenant" } },
	/* A wrong type for every top-level key, all reported. */
	{ F(08), ARM64,
	  "{\n"
	  "  \"tenant\": 1,\n"
	  "  \"comment\": [],\n"
	  "  \"priority\": \"1\",\n"
	  "  \"match\": 5,\n"
	  "  \"default\": true,\n"
	  "  \"audit\": 1,\n"
	  "  \"nested_reprogram\": null,\n"
	  "  \"allow\": {},\n"
	  "  \"deny\": \"x\"\n"
	  "}",
	  { F(08) ":2:13: \"tenant\" must be a string, not a number",
	    F(08) ":3:14: \"comment\" must be a string, not an array",
	    F(08) ":4:15: \"priority\" must be a number, not a string",
	    F(08) ":6:14: \"default\" must be a string, not a boolean",
	    F(08) ":7:12: \"audit\" must be a string, not a number",
	    F(08) ":8:23: \"nested_reprogram\" must be a string, not null",
	    F(08) ":5:12: \"match\" must be an object or an array of objects, not a number",
	    F(08) ":9:12: \"allow\" must be an array, not an object",
	    F(08) ":10:11: \"deny\" must be an array, not a string" } },
	/* Unknown events. */
	{ F(09), ARM64, "{\n  \"allow\": [\"INST_RETIRD\", \"frobnicator\", \"\"]\n}",
	  { F(09) ":2:13: unknown event \"INST_RETIRD\" for arm64 (did you mean \"INST_RETIRED\"?)",
	    F(09) ":2:28: unknown event \"frobnicator\" for arm64",
	    F(09) ":2:43: unknown event \"\" for arm64" } },
	{ F(10), INTEL, "{\"deny\": [\"instructons\", {\"event\": \"cache-mises\"}]}",
	  { F(10) ":1:11: unknown event \"instructons\" for x86-intel (did you mean \"instructions\"?)",
	    F(10) ":1:36: unknown event \"cache-mises\" for x86-intel (did you mean \"cache-misses\"?)" } },
	/* Out-of-range numbers. */
	{ F(11), ARM64, "{\n  \"allow\": [65536, \"0x10000\", {\"event\": 70000}]\n}",
	  { F(11) ":2:13: 0x10000 is out of range for an arm64 event number (at most 0xffff)",
	    F(11) ":2:20: 0x10000 is out of range for an arm64 event number (at most 0xffff)",
	    F(11) ":2:41: 0x11170 is out of range for an arm64 event number (at most 0xffff)" } },
	{ F(12), INTEL,
	  "{\n  \"allow\": [4096, {\"select\": 4096}, {\"select\": \"0x1000\"}, {\"event\": \"0xfff0\"}]\n}",
	  { F(12) ":2:13: 0x1000 is out of range for an x86 event select (at most 0xfff)",
	    F(12) ":2:30: \"select\": 4096 is out of range (at most 4095)",
	    F(12) ":2:48: \"select\": 0x1000 is out of range (at most 0xfff)",
	    F(12) ":2:69: 0xfff0 is out of range for an x86 event select (at most 0xfff)" } },
	{ F(13), INTEL,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"select\": 1, \"umask\": 256},\n"
	  "    {\"fixed\": 32},\n"
	  "    {\"fixed\": \"0x20\"},\n"
	  "    {\"select\": 1, \"cmask\": 256},\n"
	  "    {\"select\": 1, \"umask\": \"0x1ff\"}\n"
	  "  ]\n"
	  "}",
	  { F(13) ":3:28: \"umask\": 256 is out of range (at most 255)",
	    F(13) ":4:15: \"fixed\": 32 is out of range (at most 31)",
	    F(13) ":5:15: \"fixed\": 0x20 is out of range (at most 0x1f)",
	    F(13) ":6:28: \"cmask\": 256 is out of range (at most 255)",
	    F(13) ":7:28: \"umask\": 0x1ff is out of range (at most 0xff)" } },
	{ F(14), ARM64, "{\"priority\": 2000000}",
	  { F(14) ":1:14: \"priority\": 2000000 is out of range [-1000000, 1000000]" } },
	{ F(15), ARM64, "{\"priority\": -1.5}",
	  { F(15) ":1:14: \"priority\": -1.5 is not an integer in [-1000000, 1000000]" } },
	{ F(16), ARM64, "{\"priority\": -99999999999999999999}",
	  { F(16) ":1:14: \"priority\": -99999999999999999999 is not an integer in [-1000000, 1000000]" } },
	/* Bad enum values. */
	{ F(17), ARM64,
	  "{\n"
	  "  \"default\": \"permit\",\n"
	  "  \"audit\": \"some\",\n"
	  "  \"nested_reprogram\": \"yes\"\n"
	  "}",
	  { F(17) ":2:14: \"default\" must be \"deny\" or \"allow\", not \"permit\"",
	    F(17) ":3:12: \"audit\" must be \"none\", \"denials\", \"all\" or \"host\", not \"some\"",
	    F(17) ":4:23: \"nested_reprogram\" must be \"auto\", \"all\" or \"none\", not \"yes\"" } },
	{ F(18), ARM64,
	  "{\n"
	  "  \"deny\": [\n"
	  "    {\"event\": \"cycles\", \"nested\": \"sometimes\"},\n"
	  "    {\"event\": \"cycles\", \"counters\": [\"gpu\", 1]}\n"
	  "  ]\n"
	  "}",
	  { F(18) ":3:35: \"nested\" must be \"any\", \"only\", \"never\" or \"hypervisor\", not \"sometimes\"",
	    F(18) ":4:38: \"counters\" must be \"gp\", \"fixed\", \"cycle\" or \"probe\", not \"gpu\"",
	    F(18) ":4:45: \"counters\" must be a string, not a number" } },
	/* x86 keys on arm64, arm64 keys on x86. */
	{ F(19), ARM64,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"event\": \"cycles\", \"edge\": true, \"inv\": false, \"cmask\": 1, \"umask\": 1},\n"
	  "    {\"select\": 1},\n"
	  "    {\"fixed\": 0},\n"
	  "    {\"event\": 1, \"umask_mask\": 1, \"umask_match\": 1}\n"
	  "  ]\n"
	  "}",
	  { F(19) ":3:25: \"edge\" is for x86 events; this policy is for arm64",
	    F(19) ":3:39: \"inv\" is for x86 events; this policy is for arm64",
	    F(19) ":3:53: \"cmask\" is for x86 events; this policy is for arm64",
	    F(19) ":3:65: \"umask\" is for x86 events; this policy is for arm64",
	    F(19) ":4:6: \"select\" is for x86 events; this policy is for arm64",
	    F(19) ":5:6: \"fixed\" is for x86 events; this policy is for arm64",
	    F(19) ":6:18: \"umask_mask\" is for x86 events; this policy is for arm64" } },
	{ F(20), AMD,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"event\": \"cycles\", \"el2\": true},\n"
	  "    {\"range\": [1, 2]},\n"
	  "    {\"cycle_counter\": true},\n"
	  "    {\"event\": \"cycles\", \"nested\": \"hypervisor\"}\n"
	  "  ]\n"
	  "}",
	  { F(20) ":3:25: \"el2\" is for arm64 events; this policy is for x86-amd",
	    F(20) ":4:6: \"range\" is for arm64 events; this policy is for x86-amd",
	    F(20) ":5:6: \"cycle_counter\" is for arm64 events; this policy is for x86-amd",
	    F(20) ":6:35: \"nested\": \"hypervisor\" is for arm64 (vEL2); this policy is for x86-amd" } },
	/* Unit masks. */
	{ F(21), INTEL,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"select\": 1, \"umask_mask\": \"0x0f\", \"umask_match\": \"0x10\"},\n"
	  "    {\"select\": 1, \"umask_mask\": 1},\n"
	  "    {\"select\": 1, \"umask_match\": 1},\n"
	  "    {\"select\": 1, \"umask\": 1, \"umask_mask\": 1, \"umask_match\": 1}\n"
	  "  ]\n"
	  "}",
	  { F(21) ":3:56: \"umask_match\" 0x10 has bits outside \"umask_mask\" 0x0f (they could never match)",
	    F(21) ":4:19: \"umask_mask\" and \"umask_match\" go together",
	    F(21) ":5:19: \"umask_mask\" and \"umask_match\" go together",
	    F(21) ":6:31: give \"umask\" or \"umask_mask\"/\"umask_match\", not both" } },
	{ F(22), INTEL,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"fixed\": 1, \"umask\": 1},\n"
	  "    {\"event\": \"branch-misses\", \"umask\": 1},\n"
	  "    {\"event\": \"instructions\", \"umask_mask\": 1, \"umask_match\": 0},\n"
	  "    {\"select\": 1, \"umask\": \"one\"},\n"
	  "    {\"select\": 1, \"umask\": 1.5}\n"
	  "  ]\n"
	  "}",
	  { F(22) ":3:5: a unit mask applies to general-purpose x86 events only",
	    F(22) ":4:15: this event has a fixed unit mask (0x00); do not give one",
	    F(22) ":5:15: this event has a fixed unit mask (0x00); do not give one",
	    F(22) ":6:28: \"umask\": \"one\" is not a number (write 12 or \"0x0c\")",
	    F(22) ":7:28: \"umask\": 1.5 is not an unsigned integer" } },
	/* A name with two general-purpose encodings: one message, not two. */
	{ F(23), AMD, "{\"deny\": [{\"event\": \"stalled-cycles-frontend\", \"umask\": 2}]}",
	  { F(23) ":1:21: this event has a fixed unit mask (0x00); do not give one" } },
	/* What a rule is about. */
	{ F(24), INTEL,
	  "{\n"
	  "  \"deny\": [\n"
	  "    {\"event\": \"cycles\", \"select\": 1},\n"
	  "    {\"fixed\": 1, \"select\": 1, \"event\": 3},\n"
	  "    {\"umask\": 1},\n"
	  "    {}\n"
	  "  ]\n"
	  "}",
	  { F(24) ":3:25: a rule names its events once: \"event\" and \"select\" both given",
	    F(24) ":4:18: a rule names its events once: \"event\" and \"select\" both given",
	    F(24) ":5:5: a rule needs one of \"event\", \"select\", \"fixed\", \"range\" or \"cycle_counter\"",
	    F(24) ":6:5: a rule needs one of \"event\", \"select\", \"fixed\", \"range\" or \"cycle_counter\"" } },
	{ F(25), INTEL, "{\"allow\": [{\"select\": true}, {\"fixed\": [1]}, {\"select\": \"0x\"}, {\"event\": 18446744073709551616}]}",
	  { F(25) ":1:23: \"select\" must be a number or a hex string, not a boolean",
	    F(25) ":1:40: \"fixed\" must be a number or a hex string, not an array",
	    F(25) ":1:57: \"select\": \"0x\" is not a number (write 12 or \"0x0c\")",
	    F(25) ":1:74: \"event\": 18446744073709551616 is not an unsigned integer" } },
	/* Ranges. */
	{ F(26), ARM64,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"range\": [5, 3]},\n"
	  "    {\"range\": [1]},\n"
	  "    {\"range\": [1, 2, 3]},\n"
	  "    {\"range\": [0, 4096]},\n"
	  "    {\"range\": \"1-5\"},\n"
	  "    {\"range\": [1, 65536]},\n"
	  "    {\"range\": [\"0x10\", -1]}\n"
	  "  ]\n"
	  "}",
	  { F(26) ":3:15: \"range\": first 0x5 is after last 0x3",
	    F(26) ":4:15: \"range\" must be [first, last], not 1 value",
	    F(26) ":5:15: \"range\" must be [first, last], not 3 values",
	    F(26) ":6:15: \"range\" of 4097 events is wider than a policy's 4096 rules",
	    F(26) ":7:15: \"range\" must be an array, not a string",
	    F(26) ":8:19: \"range\": 65536 is out of range (at most 65535)",
	    F(26) ":9:24: \"range\": -1 is not an unsigned integer" } },
	/* The cycle counter. */
	{ F(27), ARM64,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"cycle_counter\": false},\n"
	  "    {\"cycle_counter\": 1},\n"
	  "    {\"cycle_counter\": true, \"counters\": [\"gp\"]},\n"
	  "    {\"range\": [16, 18], \"counters\": [\"fixed\"]}\n"
	  "  ]\n"
	  "}",
	  { F(27) ":3:23: \"cycle_counter\" can only be true",
	    F(27) ":4:23: \"cycle_counter\" must be a boolean, not a number",
	    F(27) ":5:23: \"counters\" leaves no counter this event is counted on",
	    F(27) ":6:15: \"counters\" leaves no counter this event is counted on" } },
	/* Counter kinds. */
	{ F(28), INTEL,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"event\": \"cycles\", \"counters\": []},\n"
	  "    {\"event\": \"instructions\", \"counters\": [\"cycle\"]},\n"
	  "    {\"fixed\": 0, \"counters\": [\"gp\"]},\n"
	  "    {\"event\": \"branches\", \"counters\": \"gp\"}\n"
	  "  ]\n"
	  "}",
	  { F(28) ":3:37: \"counters\" must name at least one kind",
	    F(28) ":4:15: \"counters\" leaves no counter this event is counted on",
	    F(28) ":5:15: \"counters\" leaves no counter this event is counted on",
	    F(28) ":6:39: \"counters\" must be an array, not a string" } },
	/* Match clauses. */
	{ F(29), ARM64,
	  "{\n"
	  "  \"match\": [\n"
	  "    {},\n"
	  "    {\"comment\": \"only a comment\"},\n"
	  "    {\"cgroup\": \"machine.slice\"},\n"
	  "    {\"unit\": \"\"},\n"
	  "    {\"xattr\": {\"security.selinux\": \"x\", \"user.a\": 1}, \"untrusted_xattrs\": true},\n"
	  "    {\"xattr\": {}},\n"
	  "    {\"xattr\": \"user.a\"},\n"
	  "    \"slice\",\n"
	  "    {\"cgrup\": \"/x\"},\n"
	  "    {\"machine\": 7, \"comment\": 1}\n"
	  "  ]\n"
	  "}",
	  { F(29) ":3:5: a match clause needs at least one condition",
	    F(29) ":4:5: a match clause needs at least one condition",
	    F(29) ":5:16: \"cgroup\" is a path from the cgroup2 root and starts with '/': \"machine.slice\"",
	    F(29) ":6:14: \"unit\" must not be empty",
	    F(29) ":7:16: xattr \"security.selinux\": only user.* and trusted.* attributes of cgroups can be matched",
	    F(29) ":7:51: \"user.a\" must be a string, not a number",
	    F(29) ":8:15: \"xattr\" must name at least one attribute",
	    F(29) ":9:15: \"xattr\" must be an object, not a string",
	    F(29) ":10:5: \"match\" must be an object, not a string",
	    F(29) ":11:6: unknown key \"cgrup\" in a match clause (did you mean \"cgroup\"?)",
	    F(29) ":12:17: \"machine\" must be a string, not a number",
	    F(29) ":12:31: \"comment\" must be a string, not a number" } },
	{ F(30), ARM64, "{\"match\": []}",
	  { F(30) ":1:11: \"match\" must have at least one clause (leave it out to match no VM)" } },
	/* Tenant names. */
	{ F(31), ARM64, "{\"tenant\": \"bad name!\"}",
	  { F(31) ":1:12: tenant name \"bad name!\" must be 1-63 letters, digits, '-', '_' or '.', not starting with '.'" } },
	{ F(32), ARM64, "{\"tenant\": \".hidden\"}",
	  { F(32) ":1:12: tenant name \".hidden\" must be 1-63 letters, digits, '-', '_' or '.', not starting with '.'" } },
	{ F(33), ARM64, "{\"tenant\": \"\"}",
	  { F(33) ":1:12: tenant name \"\" must be 1-63 letters, digits, '-', '_' or '.', not starting with '.'" } },
	{ "t/bad name.json", ARM64, "{}",
	  { "t/bad name.json: the file name does not make a valid tenant name; set \"tenant\"" } },
	{ "t/.json", ARM64, "{}",
	  { "t/.json: the file name does not make a valid tenant name; set \"tenant\"" } },
	{ "t/0123456789012345678901234567890123456789012345678901234567890123.json",
	  ARM64, "{}",
	  { "t/0123456789012345678901234567890123456789012345678901234567890123.json: the file name does not make a valid tenant name; set \"tenant\"" } },
	/* Too many rules: reported once, later entries still checked. */
	{ F(34), ARM64,
	  "{\n"
	  "  \"allow\": [{\"range\": [0, 4095]}],\n"
	  "  \"deny\": [{\"range\": [0, 1]}, \"frobnicator\", {\"range\": [2, 3]}]\n"
	  "}",
	  { F(34) ":3:22: too many rules: a policy compiles to at most 4096",
	    F(34) ":3:31: unknown event \"frobnicator\" for arm64" } },
	/* Errors of every level in one file, all reported. */
	{ F(35), INTEL,
	  "{\n"
	  "  \"tenant\": \"mixed\",\n"
	  "  \"priorty\": 1,\n"
	  "  \"match\": {\"cgroup\": \"/ok\", \"slise\": \"x.slice\"},\n"
	  "  \"allow\": [\"cycles\", {\"event\": \"cycles\", \"usr\": \"yes\", \"umsk\": 1}, null, true],\n"
	  "  \"deny\": [{\"select\": \"zz\"}, {\"event\": -1}, {\"event\": 1.5}, {\"event\": true}, {\"event\": \"0x0x12\"}]\n"
	  "}",
	  { F(35) ":3:3: unknown key \"priorty\" in the tenant (did you mean \"priority\"?)",
	    F(35) ":4:30: unknown key \"slise\" in a match clause (did you mean \"slice\"?)",
	    F(35) ":5:57: unknown key \"umsk\" in a rule (did you mean \"umask\"?)",
	    F(35) ":5:50: \"usr\" must be a boolean, not a string",
	    F(35) ":5:69: an entry of \"allow\" must be an event name, a number or an object, not null",
	    F(35) ":5:75: an entry of \"allow\" must be an event name, a number or an object, not a boolean",
	    F(35) ":6:23: \"select\": \"zz\" is not a number (write 12 or \"0x0c\")",
	    F(35) ":6:40: \"event\": -1 is not an unsigned integer",
	    F(35) ":6:55: \"event\": 1.5 is not an unsigned integer",
	    F(35) ":6:71: \"event\" must be a name or a number, not a boolean",
	    F(35) ":6:88: unknown event \"0x0x12\" for x86-intel" } },
	/* Wrong types of rule conditions. */
	{ F(36), ARM64,
	  "{\n"
	  "  \"allow\": [\n"
	  "    {\"event\": \"cycles\", \"exclude\": 1, \"usr\": \"yes\", \"os\": null, \"el2\": 0},\n"
	  "    {\"event\": \"cycles\", \"nested\": true, \"comment\": 5}\n"
	  "  ]\n"
	  "}",
	  { F(36) ":3:36: \"exclude\" must be a boolean, not a number",
	    F(36) ":3:46: \"usr\" must be a boolean, not a string",
	    F(36) ":3:59: \"os\" must be a boolean, not null",
	    F(36) ":3:72: \"el2\" must be a boolean, not a number",
	    F(36) ":4:35: \"nested\" must be a string, not a boolean",
	    F(36) ":4:52: \"comment\" must be a string, not a number" } },
	/* NUL inside names and numbers (\u0000 is valid JSON). */
	{ F(37), INTEL, "{\"allow\": [\"cycles\\u0000junk\", {\"select\": \"12\\u0000\"}]}",
	  { F(37) ":1:12: \"event\" must not contain NUL",
	    F(37) ":1:43: \"select\" must not contain NUL" } },
	/* Fixed counters have no edge/inv/cmask ("cycles" includes one). */
	{ F(38), INTEL, "{\"allow\": [{\"event\": \"cycles\", \"cmask\": 1}]}",
	  { F(38) ":1:22: \"edge\", \"inv\", \"cmask\", \"in_tx\" and \"in_txcp\" do not apply to fixed counters; limit the rule with \"counters\": [\"gp\"]" } },
	/* Intel: bits 35:32 are IN_TX/IN_TXCP, never part of the event. */
	{ F(39), INTEL, "{\"deny\": [{\"select\": \"0x12e\"}]}",
	  { F(39) ":1:22: \"select\" 0x12e has bits above 0xff: on Intel those are selector modifiers (use \"in_tx\", \"in_txcp\"), not event bits" } },
	/* ... and only Intel has them. */
	{ F(40), AMD, "{\"deny\": [{\"select\": 1, \"in_tx\": true}]}",
	  { F(40) ":1:25: \"in_tx\" is an Intel selector bit; this policy is for x86-amd" } },
	/*
	 * Keys and values are quoted with control characters, bytes above
	 * 0x7e, quotes and backslashes escaped: a file must not be able to
	 * write escape sequences or fake lines into a terminal or the log.
	 */
	{ F(41), INTEL,
	  "{\"\\u001b[31m\\nx\": 1,\n"
	  " \"tenant\": \"a\\u001b]0;pwn\\u0007\",\n"
	  " \"match\": {\"cgroup\": \"x\\\"y\\\\\\u00e9\", \"xattr\": {\"sec\\rurity.x\": \"1\"}},\n"
	  " \"allow\": [\"cyc\\u001bles\", {\"event\": 1, \"usr\\u007f\": true}],\n"
	  " \"default\": \"al\\tlow\"}",
	  { F(41) ":1:2: unknown key \"\\x1b[31m\\x0ax\" in the tenant",
	    F(41) ":2:12: tenant name \"a\\x1b]0;pwn\\x07\" must be 1-63 letters, digits, '-', '_' or '.', not starting with '.'",
	    F(41) ":5:13: \"default\" must be \"deny\" or \"allow\", not \"al\\x09low\"",
	    F(41) ":3:22: \"cgroup\" is a path from the cgroup2 root and starts with '/': \"x\\\"y\\\\\\xc3\\xa9\"",
	    F(41) ":3:48: xattr \"sec\\x0durity.x\": only user.* and trusted.* attributes of cgroups can be matched",
	    F(41) ":4:12: unknown event \"cyc\\x1bles\" for x86-intel (did you mean \"cycles\"?)",
	    F(41) ":4:41: unknown key \"usr\\x7f\" in a rule (did you mean \"usr\"?)" } },
	/* user.* xattrs, which a cgroup's owner sets: only if the clause opts in. */
	{ F(42), ARM64,
	  "{\"match\": [{\"xattr\": {\"user.vpmu.tenant\": \"a\", \"trusted.t\": \"b\"}},\n"
	  "  {\"xattr\": {\"user.x\": \"c\"}, \"untrusted_xattrs\": false},\n"
	  "  {\"xattr\": {\"user.y\": \"d\"}, \"untrusted_xattrs\": 1}]}",
	  { F(42) ":1:23: xattr \"user.vpmu.tenant\": a cgroup's owner can set user.* attributes; match trusted.* ones, or set \"untrusted_xattrs\": true in this clause",
	    F(42) ":2:14: xattr \"user.x\": a cgroup's owner can set user.* attributes; match trusted.* ones, or set \"untrusted_xattrs\": true in this clause",
	    F(42) ":3:50: \"untrusted_xattrs\" must be a boolean, not a number",
	    F(42) ":3:14: xattr \"user.y\": a cgroup's owner can set user.* attributes; match trusted.* ones, or set \"untrusted_xattrs\": true in this clause" } },
	/* "mode": its values, its type, a misspelt key. */
	{ F(43), ARM64,
	  "{\n"
	  "  \"mode\": \"dry-run\",\n"
	  "  \"deny\": [\"INST_RETIRED\"]\n"
	  "}",
	  { F(43) ":2:11: \"mode\" must be \"enforce\" or \"audit\", not \"dry-run\"" } },
	{ F(44), INTEL, "{\"mode\": true}",
	  { F(44) ":1:10: \"mode\" must be a string, not a boolean" } },
	{ F(45), ARM64, "{\n\t\"mdoe\": \"audit\"}",
	  { F(45) ":2:2: unknown key \"mdoe\" in the tenant (did you mean \"mode\"?)" } },
	{ F(46), AMD, "{\"mode\": \"Audit\"}",
	  { F(46) ":1:10: \"mode\" must be \"enforce\" or \"audit\", not \"Audit\"" } },
};

/* Two checks per entry of bad[]. */
static void check_bad(const struct bad *b, const char *what)
{
	struct tenant *t;
	struct diag d;
	size_t i, n = 0;
	bool ok;

	while (n < MAX_MSGS && b->msgs[n])
		n++;
	diag_init(&d);
	t = tenant_parse(b->file, b->text, strlen(b->text), b->target, &d);
	tap_check(!t, "%s: %s is refused", what, b->file);
	ok = diag_count(&d) == n;
	for (i = 0; ok && i < n; i++)
		ok = !strcmp(d.msgs[i], b->msgs[i]);
	if (!tap_check(ok, "%s: %s: the %zu expected messages", what, b->file,
		       n)) {
		dump_diag(&d);
		for (i = 0; i < n; i++)
			tap_diag("  want: %s", b->msgs[i]);
	}
	tenant_free(t);
	diag_free(&d);
}

/* A generated bad file: two checks. */
static void check_bad_gen(const char *file, enum vpmu_target target,
			  const char *text, const char *msg)
{
	struct bad b = { .file = file, .target = target, .text = text,
			 .msgs = { msg } };

	check_bad(&b, "generated");
}

/* 6 checks */
static void test_bad_generated(void)
{
	char *text, msg[256];
	size_t off = 0;

	/* 4096 selects, then a name: the name is one rule too many. */
	text = gen("{\"allow\": [", "%u", VPMU_MAX_RULES, ", \"cycles\"]}",
		   0, NULL);
	snprintf(msg, sizeof(msg),
		 "t/bad-many.json:1:%zu: too many rules: a policy compiles to at most 4096",
		 (size_t)(strstr(text, "\"cycles\"") - text) + 1);
	check_bad_gen("t/bad-many.json", INTEL, text, msg);
	free(text);

	/* 65 rules for one select: the 65th in sorted order is named. */
	text = gen("{\"allow\": [", "{\"select\": 46, \"umask\": %u}",
		   VPMU_MAX_SAME_KEY + 1, "]}", VPMU_MAX_SAME_KEY, &off);
	snprintf(msg, sizeof(msg),
		 "t/bad-same.json:1:%zu: more than 64 rules for one event (0x2e): merge them",
		 off + strlen("{\"select\": ") + 1);
	check_bad_gen("t/bad-same.json", INTEL, text, msg);
	free(text);

	/*
	 * The same on arm64: 128 different conditions on event 0x11.  Sorted
	 * by flags, "any" and "only" make 64; the first "never" rule, kinds
	 * GP and the smallest selector match (usr, os, not el2), is entry 24.
	 */
	{
		static const char *const bools[] = { "true", "false" };
		static const char *const nested[] = {
			"any", "only", "never", "hypervisor"
		};
		static const char *const cnt[] = {
			"[\"gp\"]", "[\"cycle\"]", "[\"probe\"]", "[\"gp\", \"cycle\"]"
		};
		size_t cap = 65536, len, i;
		char *s = malloc(cap);

		if (!s)
			tap_bail("out of memory");
		len = snprintf(s, cap, "{\"deny\": [");
		for (i = 0; i < 128; i++) {
			if (i)
				len += snprintf(s + len, cap - len, ", ");
			if (i == 24)
				off = len;
			len += snprintf(s + len, cap - len,
					"{\"event\": \"cycles\", \"usr\": %s, \"os\": %s, \"nested\": \"%s\", \"el2\": %s, \"counters\": %s}",
					bools[i & 1], bools[(i >> 1) & 1],
					nested[(i >> 2) & 3], bools[(i >> 4) & 1],
					cnt[(i >> 5) & 3]);
		}
		snprintf(s + len, cap - len, "]}");
		snprintf(msg, sizeof(msg),
			 "t/bad-arm-same.json:1:%zu: more than 64 rules for one event (0x11): merge them",
			 off + strlen("{\"event\": ") + 1);
		check_bad_gen("t/bad-arm-same.json", ARM64, s, msg);
		free(s);
	}
}

/* 11 checks */
static void test_files(void)
{
	char path[512], msg[640], *text;
	struct tenant *t;
	struct diag d;
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
	diag_init(&d);
	t = tenant_load(path, ARM64, &d);
	snprintf(msg, sizeof(msg), "%s: cannot open: %s", path,
		 strerror(ENOENT));
	if (!tap_check(!t && d.n == 1 && !strcmp(d.msgs[0], msg),
		       "tenant_load: a missing file"))
		dump_diag(&d);
	diag_free(&d);

	snprintf(path, sizeof(path), "%s/dir.json", tmpdir);
	if (mkdir(path, 0700))
		tap_bail("mkdir %s: %s", path, strerror(errno));
	t = tenant_load(path, ARM64, &d);
	snprintf(msg, sizeof(msg), "%s: not a regular file", path);
	if (!tap_check(!t && d.n == 1 && !strcmp(d.msgs[0], msg),
		       "tenant_load: a directory"))
		dump_diag(&d);
	diag_free(&d);
	rmdir(path);

	/* A FIFO must be refused, not block the daemon in open(). */
	snprintf(path, sizeof(path), "%s/fifo.json", tmpdir);
	if (mkfifo(path, 0600))
		tap_bail("mkfifo %s: %s", path, strerror(errno));
	alarm(20);
	text = read_file(path, 100, &len, &d);
	alarm(0);
	snprintf(msg, sizeof(msg), "%s: not a regular file", path);
	if (!tap_check(!text && d.n == 1 && !strcmp(d.msgs[0], msg),
		       "read_file: a FIFO"))
		dump_diag(&d);
	diag_free(&d);
	unlink(path);

	/* One byte over TENANT_FILE_MAX (sparse). */
	snprintf(path, sizeof(path), "%s/big.json", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, TENANT_FILE_MAX + 1) || close(fd))
		tap_bail("%s: %s", path, strerror(errno));
	t = tenant_load(path, ARM64, &d);
	snprintf(msg, sizeof(msg), "%s: too large (4194305 bytes, at most 4194304)",
		 path);
	if (!tap_check(!t && d.n == 1 && !strcmp(d.msgs[0], msg),
		       "tenant_load: a file too large"))
		dump_diag(&d);
	diag_free(&d);
	unlink(path);

	/* A good file on disk. */
	snprintf(path, sizeof(path), "%s/disk.json", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "{\"allow\": [\"cycles\"]}\n", 22) != 22 ||
	    close(fd))
		tap_bail("%s: %s", path, strerror(errno));
	text = read_file(path, 22, &len, &d);
	tap_check(text && len == 22 && !text[22] &&
			  !strcmp(text, "{\"allow\": [\"cycles\"]}\n"),
		  "read_file: the whole file, NUL-terminated");
	free(text);
	text = read_file(path, 21, &len, &d);
	snprintf(msg, sizeof(msg), "%s: too large (22 bytes, at most 21)", path);
	if (!tap_check(!text && d.n == 1 && !strcmp(d.msgs[0], msg),
		       "read_file: @max is enforced"))
		dump_diag(&d);
	diag_free(&d);
	t = tenant_load(path, ARM64, &d);
	tap_check(t && !d.n && !strcmp(t->name, "disk") &&
			  !strcmp(t->file, path) && t->nr == 1 &&
			  t->rules[0].event == 0x11,
		  "tenant_load: a good file");
	tenant_free(t);
	/* Errors name the path as given. */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, "{\"allow\": [\"cycels\"]}\n", 22) != 22 ||
	    close(fd))
		tap_bail("%s: %s", path, strerror(errno));
	t = tenant_load(path, AMD, &d);
	snprintf(msg, sizeof(msg),
		 "%s:1:12: unknown event \"cycels\" for x86-amd (did you mean \"cycles\"?)",
		 path);
	if (!tap_check(!t && d.n == 1 && !strcmp(d.msgs[0], msg),
		       "tenant_load: errors name the file"))
		dump_diag(&d);
	diag_free(&d);
	unlink(path);

	/* More than DIAG_MAX errors: kept up to the limit, the rest counted. */
	text = gen("{\"allow\": [", "\"nope%u\"", 40, "]}", DIAG_MAX - 1, &len);
	t = tenant_parse("t/many-errors.json", text, strlen(text), ARM64, &d);
	snprintf(msg, sizeof(msg),
		 "t/many-errors.json:1:%zu: unknown event \"nope%u\" for arm64",
		 len + 1, DIAG_MAX - 1);
	if (!tap_check(!t && d.n == DIAG_MAX && d.dropped == 40 - DIAG_MAX &&
			       diag_count(&d) == 40 &&
			       !strcmp(d.msgs[0], "t/many-errors.json:1:12: unknown event \"nope0\" for arm64") &&
			       !strcmp(d.msgs[DIAG_MAX - 1], msg),
		       "more than DIAG_MAX errors: %u kept, the rest counted",
		       DIAG_MAX))
		dump_diag(&d);
	diag_free(&d);
	free(text);

	/* Diagnostics accumulate: a second file's errors follow the first's. */
	t = tenant_parse("t/a.json", "{\"x\": 1}", 8, ARM64, &d);
	tenant_free(t);
	t = tenant_parse("t/b.json", "[]", 2, ARM64, &d);
	tap_check(!t && d.n == 2 &&
			  !strcmp(d.msgs[0], "t/a.json:1:2: unknown key \"x\" in the tenant") &&
			  !strcmp(d.msgs[1], "t/b.json:1:1: a tenant file must be a JSON object, not an array"),
		  "diagnostics of two files accumulate in order");
	diag_free(&d);
	/* A good parse after a bad one in the same diag still succeeds. */
	t = tenant_parse("t/a.json", "{\"x\": 1}", 8, ARM64, &d);
	tenant_free(t);
	t = tenant_parse("t/c.json", "{}", 2, ARM64, &d);
	tap_check(t && d.n == 1, "a good file after a bad one, same diag");
	tenant_free(t);
	diag_free(&d);
}

/* Write @text to @name in tmpdir; returns the path (static buffer). */
static const char *put(const char *name, const char *text)
{
	static char path[512];
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd))
		tap_bail("%s: %s", path, strerror(errno));
	return path;
}

struct bad_config {
	const char *text;
	/* ":line:col: message" after the path, or ": message" */
	const char *msgs[MAX_MSGS];
};

static const struct bad_config bad_configs[] = {
	{ "{\"audit\": \"all\",}",
	  { ":1:17: expected a string key after ',', found '}'" } },
	{ "[]", { ":1:1: the configuration must be a JSON object, not an array" } },
	{ "{\n  \"default_acton\": \"allow\",\n  \"verbose\": true,\n  \"audit\": \"all\"\n}",
	  { ":2:3: unknown key \"default_acton\" in the configuration (did you mean \"default_action\"?)",
	    ":3:3: unknown key \"verbose\" in the configuration" } },
	{ "{\n"
	  "  \"comment\": 1,\n"
	  "  \"default_action\": 1,\n"
	  "  \"default_tenant\": 5,\n"
	  "  \"audit\": true,\n"
	  "  \"denials_per_sec\": \"x\",\n"
	  "  \"log_denials_per_sec\": -1,\n"
	  "  \"target\": 3,\n"
	  "  \"tenants_dir\": 1,\n"
	  "  \"pin_dir\": null,\n"
	  "  \"state_dir\": [],\n"
	  "  \"cgroup_root\": {},\n"
	  "  \"machines_dir\": false\n"
	  "}",
	  { ":2:14: \"comment\" must be a string, not a number",
	    ":3:21: \"default_action\" must be a string, not a number",
	    ":4:21: \"default_tenant\" must be a string, not a number",
	    ":5:12: \"audit\" must be a string, not a boolean",
	    ":6:22: \"denials_per_sec\": \"x\" is not a number (write 12 or \"0x0c\")",
	    ":7:26: \"log_denials_per_sec\": -1 is not an unsigned integer",
	    ":8:13: \"target\" must be a string, not a number",
	    ":9:18: \"tenants_dir\" must be a string, not a number",
	    ":10:14: \"pin_dir\" must be a string, not null",
	    ":11:16: \"state_dir\" must be a string, not an array",
	    ":12:18: \"cgroup_root\" must be a string, not an object",
	    ":13:19: \"machines_dir\" must be a string, not a boolean" } },
	{ "{\n"
	  "  \"default_action\": \"permit\",\n"
	  "  \"default_tenant\": \".x\",\n"
	  "  \"audit\": \"host\",\n"
	  "  \"denials_per_sec\": 1000001,\n"
	  "  \"log_denials_per_sec\": \"0xfffff0\",\n"
	  "  \"target\": \"sparc\",\n"
	  "  \"tenants_dir\": \"relative/tenants.d\",\n"
	  "  \"machines_dir\": \"\"\n"
	  "}",
	  { ":2:21: \"default_action\" must be \"deny\" or \"allow\", not \"permit\"",
	    ":3:21: \"default_tenant\": \".x\" is not a valid tenant name",
	    ":4:12: \"audit\" must be \"none\", \"denials\" or \"all\", not \"host\"",
	    ":5:22: \"denials_per_sec\": 1000001 is out of range (at most 1000000)",
	    ":6:26: \"log_denials_per_sec\": 0xfffff0 is out of range (at most 0xf4240)",
	    ":7:13: \"target\" must be \"auto\", \"arm64\", \"x86-intel\" or \"x86-amd\", not \"sparc\"",
	    ":8:18: \"tenants_dir\" must be an absolute path",
	    ":9:19: \"machines_dir\" must be an absolute path" } },
	/* Good keys do not make a file with one bad key half-applied. */
	{ "{\"default_action\": \"allow\", \"audit\": \"none\", \"state_dir\": \"/s\", \"pin_dir\": \"/p\", \"denials_per_sec\": 1.0}",
	  { ":1:101: \"denials_per_sec\": 1.0 is not an unsigned integer" } },
	{ "\"/etc\"", { ":1:1: the configuration must be a JSON object, not a string" } },
};

static bool config_eq(const struct policyd_config *a,
		      const struct policyd_config *b)
{
	return a->default_action == b->default_action &&
	       !strcmp(a->default_tenant, b->default_tenant) &&
	       a->audit == b->audit &&
	       a->denials_per_sec == b->denials_per_sec &&
	       a->log_denials_per_sec == b->log_denials_per_sec &&
	       a->target == b->target &&
	       !strcmp(a->tenants_dir, b->tenants_dir) &&
	       !strcmp(a->pin_dir, b->pin_dir) &&
	       !strcmp(a->state_dir, b->state_dir) &&
	       !strcmp(a->cgroup_root, b->cgroup_root) &&
	       !strcmp(a->machines_dir, b->machines_dir);
}

/* 12 checks, and two per bad config */

static void test_config(void)
{
	struct policyd_config c, before, want;
	char name[64], msg[5000], *big;
	const char *path;
	struct diag d;
	size_t i, j, n;
	bool ok;
	int host = vpmu_target_host();

	diag_init(&d);
	config_defaults(&c);
	tap_check(c.default_action == VPMU_DENY && !c.default_tenant[0] &&
			  c.audit == VPMU_AUDIT_DENIALS &&
			  c.denials_per_sec == 10 &&
			  c.log_denials_per_sec == 20 && c.target == host &&
			  !strcmp(c.tenants_dir, "/etc/vpmu-policyd/tenants.d") &&
			  !strcmp(c.pin_dir, "/sys/fs/bpf/vpmu") &&
			  !strcmp(c.state_dir, "/var/lib/vpmu-policyd") &&
			  !strcmp(c.cgroup_root, "/sys/fs/cgroup") &&
			  !strcmp(c.machines_dir, "/run/systemd/machines"),
		  "config_defaults");
	want = c;

	/* Missing: fine when optional, an error otherwise. */
	snprintf(name, sizeof(name), "%s/none.json", tmpdir);
	tap_check(config_check(name, true, &c, &d) && !diag_count(&d) &&
			  config_eq(&c, &want),
		  "config_check: an optional missing file means the defaults");
	ok = !config_check(name, false, &c, &d);
	snprintf(msg, sizeof(msg), "%s: cannot open: %s", name,
		 strerror(ENOENT));
	if (!tap_check(ok && d.n == 1 && !strcmp(d.msgs[0], msg) &&
			       config_eq(&c, &want),
		       "config_check: a required missing file"))
		dump_diag(&d);
	diag_free(&d);
	/* A directory is an error even when optional. */
	ok = !config_check(tmpdir, true, &c, &d);
	snprintf(msg, sizeof(msg), "%s: not a regular file", tmpdir);
	if (!tap_check(ok && d.n == 1 && !strcmp(d.msgs[0], msg) &&
			       config_eq(&c, &want),
		       "config_check: a directory"))
		dump_diag(&d);
	diag_free(&d);

	/* Every key. */
	path = put("all.json",
		   "{\n"
		   "  \"comment\": \"every key\",\n"
		   "  \"default_action\": \"allow\",\n"
		   "  \"default_tenant\": \"fallback\",\n"
		   "  \"audit\": \"all\",\n"
		   "  \"denials_per_sec\": 5,\n"
		   "  \"log_denials_per_sec\": \"0x10\",\n"
		   "  \"target\": \"x86-amd\",\n"
		   "  \"tenants_dir\": \"/a/tenants.d\",\n"
		   "  \"pin_dir\": \"/sys/fs/bpf/other\",\n"
		   "  \"state_dir\": \"/b\",\n"
		   "  \"cgroup_root\": \"/c\",\n"
		   "  \"machines_dir\": \"/d\"\n"
		   "}\n");
	ok = config_check(path, false, &c, &d);
	if (!tap_check(ok && !diag_count(&d), "config_check: every key"))
		dump_diag(&d);
	tap_check(c.default_action == VPMU_ALLOW &&
			  !strcmp(c.default_tenant, "fallback") &&
			  c.audit == VPMU_AUDIT_ALL && c.denials_per_sec == 5 &&
			  c.log_denials_per_sec == 16 &&
			  c.target == VPMU_TARGET_X86_AMD &&
			  !strcmp(c.tenants_dir, "/a/tenants.d") &&
			  !strcmp(c.pin_dir, "/sys/fs/bpf/other") &&
			  !strcmp(c.state_dir, "/b") &&
			  !strcmp(c.cgroup_root, "/c") &&
			  !strcmp(c.machines_dir, "/d"),
		  "config_check: every key overrides its default");

	/* Over a loaded config: only the keys given change. */
	want = c;
	path = put("some.json",
		   "{\"default_tenant\": null, \"audit\": \"none\", \"denials_per_sec\": 0, \"target\": \"ARM64\"}");
	ok = config_check(path, true, &c, &d);
	want.default_tenant[0] = 0;
	want.audit = VPMU_AUDIT_NONE;
	want.denials_per_sec = 0;
	want.target = VPMU_TARGET_ARM64;
	if (!tap_check(ok && !diag_count(&d) && config_eq(&c, &want),
		       "config_check: null clears default_tenant; other keys keep their values"))
		dump_diag(&d);
	path = put("auto.json", "{\"target\": \"auto\"}");
	ok = config_check(path, true, &c, &d);
	if (host >= 0) {
		want.target = host;
		tap_check(ok && !diag_count(&d) && config_eq(&c, &want),
			  "config_check: target auto is the host's");
	} else {
		snprintf(msg, sizeof(msg),
			 "%s:1:12: \"target\": \"auto\", but this host's CPU is not one of \"arm64\", \"x86-intel\" or \"x86-amd\"",
			 path);
		tap_check(!ok && d.n == 1 && !strcmp(d.msgs[0], msg),
			  "config_check: target auto on an unknown host");
	}
	diag_free(&d);
	path = put("empty.json", "{}");
	tap_check(config_check(path, false, &c, &d) && config_eq(&c, &want),
		  "config_check: {} changes nothing");

	/* Bad files: exact messages, and the config untouched. */
	for (i = 0; i < ARRAY_SIZE(bad_configs); i++) {
		const struct bad_config *b = &bad_configs[i];

		snprintf(name, sizeof(name), "bad-%02zu.json", i);
		path = put(name, b->text);
		before = c;
		ok = !config_check(path, false, &c, &d);
		tap_check(ok && config_eq(&c, &before) &&
				  !memcmp(&c, &before, sizeof(c)),
			  "bad config %zu: refused, config unchanged", i);
		for (n = 0; n < MAX_MSGS && b->msgs[n]; n++)
			;
		ok = diag_count(&d) == n;
		for (j = 0; ok && j < n; j++) {
			snprintf(msg, sizeof(msg), "%s%s", path, b->msgs[j]);
			ok = !strcmp(d.msgs[j], msg);
		}
		if (!tap_check(ok, "bad config %zu: the %zu expected messages",
			       i, n)) {
			dump_diag(&d);
			for (j = 0; j < n; j++)
				tap_diag("  want: %s%s", path, b->msgs[j]);
		}
		diag_free(&d);
	}

	/* A path longer than PATH_MAX. */
	n = PATH_MAX + 10;
	big = malloc(n + 64);
	if (!big)
		tap_bail("out of memory");
	i = snprintf(big, n + 64, "{\"pin_dir\": \"");
	memset(big + i, 'a', n);
	big[i] = '/';
	snprintf(big + i + n, 64, "\"}");
	path = put("long.json", big);
	before = c;
	ok = !config_check(path, false, &c, &d);
	snprintf(msg, sizeof(msg),
		 "%s:1:13: \"pin_dir\" is too long (at most %d bytes)", path,
		 PATH_MAX - 1);
	if (!tap_check(ok && d.n == 1 && !strcmp(d.msgs[0], msg) &&
			       config_eq(&c, &before),
		       "config_check: a path too long"))
		dump_diag(&d);
	diag_free(&d);
	free(big);

	/* Errors accumulate after a previous file's. */
	diag_file(&d, "earlier", "something");
	path = put("bad-again.json", "{\"audit\": 1}");
	ok = !config_check(path, false, &c, &d);
	snprintf(msg, sizeof(msg),
		 "%s:1:11: \"audit\" must be a string, not a number", path);
	tap_check(ok && d.n == 2 && !strcmp(d.msgs[1], msg) &&
			  config_eq(&c, &before),
		  "config_check: fails on its own errors, not earlier ones");
	diag_free(&d);
	diag_file(&d, "earlier", "something");
	tap_check(config_check(put("ok.json", "{\"audit\": \"all\"}"), false, &c,
			      &d) &&
			  c.audit == VPMU_AUDIT_ALL,
		  "config_check: succeeds despite earlier errors in @d");
	diag_free(&d);
}

static void cleanup(void)
{
	char cmd[600];

	if (!tmpdir)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		tap_diag("could not remove %s", tmpdir);
}

int main(void)
{
	static char dir[] = "/tmp/test_policy.XXXXXX";
	size_t i;

	tap_plan(18 + 17 + 12 + 9 + 16 + 2 * ARRAY_SIZE(bad) + 6 + 11 + 12 +
		 2 * ARRAY_SIZE(bad_configs));
	tmpdir = mkdtemp(dir);
	if (!tmpdir)
		tap_bail("mkdtemp: %s", strerror(errno));
	test_arm64();
	test_defaults();
	test_mode();
	test_x86();
	test_limits();
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		check_bad(&bad[i], "bad");
	test_bad_generated();
	test_files();
	test_config();
	cleanup();
	return tap_finish();
}
