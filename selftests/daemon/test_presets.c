// SPDX-License-Identifier: GPL-2.0
/*
 * test_presets: "preset" in tenant files (daemon/presets.c, its
 * compilation in daemon/policy.c, and the verdict's reason in
 * daemon/explain.c), on the host.
 *
 * For every target and every preset: the compiled rules are exactly the
 * preset's encodings, marked as the preset's; the levels nest and keep
 * the classes where the rule in vpmu-policy.json(5) puts them.  Then the
 * precedence between a preset and the file's allow and deny entries,
 * decided the way the engine decides (explain_decide(), which
 * selftests/unit/test_decide checks against the BPF decision), and the
 * errors with their exact file:line:column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "explain.h"
#include "policy.h"
#include "presets.h"
#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NR_TARGETS 3
#define ARCH VPMU_PRESET_ARCHITECTURAL
#define STD VPMU_PRESET_STANDARD
#define ENH VPMU_PRESET_ENHANCED

static struct tenant *compile(const char *file, enum vpmu_target target,
			      const char *text, struct diag *d)
{
	diag_init(d);
	return tenant_parse(file, text, strlen(text), target, d);
}

static void dump_diag(const struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		tap_diag("  got: %s", d->msgs[i]);
}

/* Does @t have the preset rule for @e, as the compiler must make it? */
static bool has_rule(const struct tenant *t, const struct vpmu_preset_event *e)
{
	__u8 kinds = e->space == VPMU_SPACE_X86_FIXED ? VPMU_KIND_FIXED :
		     e->space == VPMU_SPACE_ARM64 && e->event == 0x11 ?
		     VPMU_KIND_GP | VPMU_KIND_CYCLE : VPMU_KIND_GP;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		const struct vpmu_rule *r = &t->rules[i];

		if (r->space != e->space || r->event != e->event ||
		    r->action != VPMU_ALLOW || r->flags != VPMU_RULE_PRESET ||
		    r->kinds != (kinds | VPMU_KIND_PROBE) || r->sel_mask ||
		    r->sel_match)
			continue;
		if (e->space == VPMU_SPACE_X86_GP &&
		    (e->umask < 0 ? r->umask_mask != 0 :
		     r->umask_mask != 0xff || r->umask_match != e->umask))
			continue;
		return true;
	}
	return false;
}

/* 4 checks per target and preset */
static void test_compiled(enum vpmu_target target, int preset)
{
	const char *tn = vpmu_target_name(target), *pn = vpmu_preset_name(preset);
	const struct vpmu_preset_event *ev;
	size_t i, n, want = 0;
	bool all = true;
	char text[128];
	struct tenant *t;
	struct diag d;

	snprintf(text, sizeof(text), "{ \"preset\": \"%s\" }\n", pn);
	t = compile("t/p.json", target, text, &d);
	if (!tap_check(t && !diag_count(&d), "%s %s: compiles", tn, pn)) {
		dump_diag(&d);
		tap_check(false, "%s %s: rules", tn, pn);
		tap_check(false, "%s %s: header", tn, pn);
		tap_check(false, "%s %s: rule positions", tn, pn);
		diag_free(&d);
		return;
	}
	ev = vpmu_preset_events(target, &n);
	for (i = 0; i < n; i++) {
		if (ev[i].level > preset)
			continue;
		want++;
		if (!has_rule(t, &ev[i])) {
			tap_diag("  no rule for %s (event 0x%x umask %d)",
				 ev[i].name, ev[i].event, ev[i].umask);
			all = false;
		}
	}
	/* One rule per encoding, nothing else: no duplicates either. */
	if (!tap_check(all && t->nr == want,
		       "%s %s: the %zu rules are the preset's encodings", tn,
		       pn, want))
		tap_diag("  got %zu rules", t->nr);
	TAP_CHECK_EQ(tenant_header(t).flags, VPMU_POLICY_PRESET(preset),
		     "%s %s: header flags name the preset", tn, pn);
	for (i = 0; i < t->nr; i++)
		if (t->where[i].line != 1 || t->where[i].col != 13)
			break;
	tap_check(i == t->nr, "%s %s: every rule comes from t/p.json:1:13",
		  tn, pn);
	tenant_free(t);
	diag_free(&d);
}

static const struct vpmu_preset_event *
find(enum vpmu_target t, __u8 space, __u32 event, int umask)
{
	const struct vpmu_preset_event *ev;
	size_t i, n;

	ev = vpmu_preset_events(t, &n);
	for (i = 0; i < n; i++)
		if (ev[i].space == space && ev[i].event == event &&
		    ev[i].umask == umask)
			return &ev[i];
	return NULL;
}

/* Is @space/@event/@umask in preset level @level exactly? */
static bool at_level(enum vpmu_target t, __u8 space, __u32 event, int umask,
		     int level)
{
	const struct vpmu_preset_event *e = find(t, space, event, umask);

	if (!e)
		tap_diag("  %s: 0x%x/%d is in no preset", vpmu_target_name(t),
			 event, umask);
	else if (e->level != level)
		tap_diag("  %s: %s is %s, not %s", vpmu_target_name(t), e->name,
			 vpmu_preset_name(e->level), vpmu_preset_name(level));
	return e && e->level == level;
}

#define GP VPMU_SPACE_X86_GP
#define FX VPMU_SPACE_X86_FIXED
#define PM VPMU_SPACE_ARM64

/* 4 checks per target: the rule of vpmu-policy.json(5), PRESETS. */
static void test_classes(void)
{
	size_t i, n, k;
	bool ok;
	int t;

	/* Architectural: cycles, instructions, ref cycles, branches, misses, slots. */
	ok = at_level(VPMU_TARGET_X86_INTEL, GP, 0x3c, 0x00, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, FX, 1, -1, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xc0, 0x00, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, FX, 0, -1, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0x3c, 0x01, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, FX, 2, -1, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xc4, 0x00, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xc5, 0x00, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xa4, 0x01, ARCH) &&
	     at_level(VPMU_TARGET_X86_INTEL, FX, 3, -1, ARCH);
	tap_check(ok, "x86-intel architectural: the SDM's cycles, instructions, reference cycles, branches, misses, slots and fixed counters 0-3");
	ok = at_level(VPMU_TARGET_X86_AMD, GP, 0x076, 0x00, ARCH) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x0c0, 0x00, ARCH) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x120, 0x01, ARCH) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x0c2, 0x00, ARCH) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x0c3, 0x00, ARCH);
	tap_check(ok, "x86-amd architectural: cycles, instructions, reference cycles, branches, misses");
	ok = at_level(VPMU_TARGET_ARM64, PM, 0x11, -1, ARCH) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x08, -1, ARCH) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x4004, -1, ARCH) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x21, -1, ARCH) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x22, -1, ARCH);
	tap_check(ok, "arm64 architectural: CPU_CYCLES, INST_RETIRED, CNT_CYCLES, BR_RETIRED, BR_MIS_PRED_RETIRED");

	/* Standard: L1/L2, TLB, FP, topdown; enhanced: LLC, memory, offcore. */
	ok = at_level(VPMU_TARGET_X86_INTEL, GP, 0x51, 0x01, STD) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xd1, 0x02, STD) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0x08, -1, STD) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xc7, -1, STD) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xa4, 0x02, STD) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0x2e, 0x4f, ENH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0x2e, 0x41, ENH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xd1, 0x04, ENH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xd3, -1, ENH) &&
	     at_level(VPMU_TARGET_X86_INTEL, GP, 0xb0, -1, ENH);
	tap_check(ok, "x86-intel: L1/L2, TLB, FP and topdown are standard; LLC, L3 hits, memory and offcore enhanced");
	ok = at_level(VPMU_TARGET_X86_AMD, GP, 0x041, -1, STD) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x064, -1, STD) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x045, -1, STD) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x003, -1, STD) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x1a0, -1, STD) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x043, -1, ENH) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x044, -1, ENH) &&
	     at_level(VPMU_TARGET_X86_AMD, GP, 0x071, -1, ENH);
	tap_check(ok, "x86-amd: L1/L2, TLB, FP and pipeline utilization are standard; fills by source and L3 prefetch hits enhanced");
	ok = at_level(VPMU_TARGET_ARM64, PM, 0x04, -1, STD) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x17, -1, STD) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x2f, -1, STD) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x80c1, -1, STD) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x3d, -1, STD) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x2b, -1, ENH) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x33, -1, ENH) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x19, -1, ENH) &&
	     at_level(VPMU_TARGET_ARM64, PM, 0x31, -1, ENH);
	tap_check(ok, "arm64: L1D_CACHE, L2D_CACHE_REFILL, L2D_TLB, FP_FIXED_OPS_SPEC, STALL_SLOT_BACKEND standard; L3D_CACHE, LL_CACHE_MISS, BUS_ACCESS, REMOTE_ACCESS enhanced");

	for (t = 0; t < NR_TARGETS; t++) {
		const struct vpmu_preset_event *ev = vpmu_preset_events(t, &n);
		int last = ARCH, seen = 0;

		/* Sorted by level, every level there, rows described. */
		ok = n > 0;
		for (i = 0; ok && i < n; i++) {
			ok = ev[i].level >= last && ev[i].level <= ENH &&
			     ev[i].name[0] && ev[i].what[0];
			last = ev[i].level;
			seen |= 1 << ev[i].level;
			for (k = 0; ok && k < i; k++)
				ok = ev[k].space != ev[i].space ||
				     ev[k].event != ev[i].event ||
				     ev[k].umask != ev[i].umask;
			if (!ok)
				tap_diag("  row %zu (%s) out of order, undescribed or repeated",
					 i, ev[i].name);
		}
		tap_check(ok && seen == (1 << ARCH | 1 << STD | 1 << ENH),
			  "%s: presets sorted by level, each level defined, no encoding twice",
			  vpmu_target_name(t));
	}
}

/* arm64 rows use the names events.c has for their numbers: 1 check. */
static void test_arm64_names(void)
{
	const struct vpmu_preset_event *ev;
	const char *name;
	size_t i, n;
	bool ok = true;

	ev = vpmu_preset_events(VPMU_TARGET_ARM64, &n);
	for (i = 0; i < n; i++) {
		name = vpmu_event_name(VPMU_TARGET_ARM64, ev[i].space,
				       ev[i].event, -1);
		/* The 0x8000 FP events have no name in events.c. */
		if (name ? strcmp(name, ev[i].name) : ev[i].event < 0x8000) {
			tap_diag("  0x%x: preset says %s, events.c %s",
				 ev[i].event, ev[i].name, name ? name : "nothing");
			ok = false;
		}
	}
	tap_check(ok, "arm64: preset mnemonics agree with the event names");
}

struct want {
	__u8 space;
	__u32 event;
	int umask;
	int kind;		/* enum kvm_pmu_counter_kind */
	int action;
	int by;
};

/* Each @w decided against @t: one check. */
static void decide_all(const struct tenant *t, const char *what,
		       const struct want *w, size_t n)
{
	struct explanation x;
	bool ok = true;
	size_t i;

	for (i = 0; i < n; i++) {
		struct vpmu_query q = {
			.space = w[i].space, .event = w[i].event,
			.kind = w[i].kind,
			.unit_mask = w[i].umask < 0 ? 0 : w[i].umask,
		};

		explain_decide(t->rules, t->nr, t->default_action, &q, &x);
		if (x.action == w[i].action && (int)x.by == w[i].by)
			continue;
		tap_diag("  0x%x umask %d kind %d: got %s by %s, want %s by %d",
			 w[i].event, w[i].umask, w[i].kind,
			 x.action == VPMU_ALLOW ? "allow" : "deny",
			 explain_by(&x),
			 w[i].action == VPMU_ALLOW ? "allow" : "deny", w[i].by);
		ok = false;
	}
	tap_check(ok, "%s: every verdict and where it came from", what);
}

#define K_GP 0
#define K_FIXED 1
#define K_CYCLE 2
#define K_PROBE 3
#define AL VPMU_ALLOW
#define DN VPMU_DENY

/* 2 checks per case */
static void test_precedence(void)
{
	/*
	 * arm64: the preset, an allow entry adding SW_INCR, an allow exclude
	 * carving BR_MIS_PRED out of the preset, a deny winning over the
	 * preset's CPU_CYCLES, a deny range over 0x20-0x22 with a deny
	 * exclude giving BR_RETIRED back to the preset, and an allow entry
	 * the preset already covers.
	 */
	static const char arm[] =
		"{\n"
		"  \"preset\": \"architectural\",\n"
		"  \"allow\": [ \"SW_INCR\", \"INST_RETIRED\",\n"
		"             { \"event\": \"BR_MIS_PRED\", \"exclude\": true } ],\n"
		"  \"deny\": [ \"CPU_CYCLES\", { \"range\": [ \"0x20\", \"0x22\" ] },\n"
		"            { \"event\": \"BR_RETIRED\", \"exclude\": true } ]\n"
		"}\n";
	static const struct want arm_w[] = {
		{ PM, 0x08, -1, K_GP, AL, BY_ALLOW },	/* both: the file's own */
		{ PM, 0x0c, -1, K_GP, AL, BY_PRESET },
		{ PM, 0x0c, -1, K_PROBE, AL, BY_PRESET },	/* advertised */
		{ PM, 0x00, -1, K_GP, AL, BY_ALLOW },
		{ PM, 0x04, -1, K_GP, DN, BY_DEFAULT },	/* L1D_CACHE */
		{ PM, 0x04, -1, K_PROBE, DN, BY_DEFAULT },	/* not advertised */
		{ PM, 0x11, -1, K_GP, DN, BY_DENY },
		{ PM, 0x11, -1, K_CYCLE, DN, BY_DENY },
		{ PM, 0x10, -1, K_GP, DN, BY_DEFAULT },	/* excluded */
		{ PM, 0x20, -1, K_GP, DN, BY_DENY },
		{ PM, 0x21, -1, K_GP, AL, BY_PRESET },	/* deny excluded */
		{ PM, 0x22, -1, K_GP, DN, BY_DENY },
		{ PM, 0x4004, -1, K_GP, AL, BY_PRESET },
	};
	/* Intel: standard; topdown slots' fixed counter denied. */
	static const char intel[] =
		"{ \"preset\": \"standard\", \"deny\": [ { \"fixed\": 3 } ] }\n";
	static const struct want intel_w[] = {
		{ FX, 0, -1, K_FIXED, AL, BY_PRESET },
		{ FX, 3, -1, K_FIXED, DN, BY_DENY },
		{ GP, 0xa4, 0x01, K_GP, AL, BY_PRESET },	/* its GP twin */
		{ GP, 0xd1, 0x01, K_GP, AL, BY_PRESET },	/* L1_HIT */
		{ GP, 0xd1, 0x04, K_GP, DN, BY_DEFAULT },	/* L3_HIT */
		{ GP, 0x2e, 0x41, K_GP, DN, BY_DEFAULT },	/* LLC misses */
		{ GP, 0xc4, 0x20, K_GP, AL, BY_PRESET },	/* any branch kind */
		{ GP, 0x3c, 0x02, K_GP, DN, BY_DEFAULT },	/* other umask */
	};
	/* AMD: enhanced has fills by source with any unit mask. */
	static const char amd[] =
		"{ \"preset\": { \"x86-amd\": \"enhanced\", \"arm64\": \"architectural\" } }\n";
	static const struct want amd_w[] = {
		{ GP, 0x043, 0x48, K_GP, AL, BY_PRESET },
		{ GP, 0x076, 0x00, K_GP, AL, BY_PRESET },
		{ GP, 0x076, 0x01, K_GP, DN, BY_DEFAULT },
		{ GP, 0x0c0, 0x00, K_PROBE, AL, BY_PRESET },
		{ GP, 0x2e, 0x41, K_GP, DN, BY_DEFAULT },
	};
	/* The same file for arm64: its own entry of the object. */
	static const struct want amd_arm_w[] = {
		{ PM, 0x08, -1, K_GP, AL, BY_PRESET },
		{ PM, 0x04, -1, K_GP, DN, BY_DEFAULT },
	};
	static const struct {
		const char *what, *text;
		enum vpmu_target target;
		const struct want *w;
		size_t n;
	} cases[] = {
		{ "arm64 architectural + allow/deny/excludes", arm,
		  VPMU_TARGET_ARM64, arm_w, ARRAY_SIZE(arm_w) },
		{ "x86-intel standard + deny fixed 3", intel,
		  VPMU_TARGET_X86_INTEL, intel_w, ARRAY_SIZE(intel_w) },
		{ "x86-amd enhanced (object form)", amd, VPMU_TARGET_X86_AMD,
		  amd_w, ARRAY_SIZE(amd_w) },
		{ "arm64 architectural (object form)", amd, VPMU_TARGET_ARM64,
		  amd_arm_w, ARRAY_SIZE(amd_arm_w) },
	};
	struct tenant *t;
	struct diag d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		t = compile("t/prec.json", cases[i].target, cases[i].text, &d);
		if (!tap_check(t && !diag_count(&d), "%s: compiles",
			       cases[i].what)) {
			dump_diag(&d);
			tap_check(false, "%s: verdicts", cases[i].what);
		} else {
			decide_all(t, cases[i].what, cases[i].w, cases[i].n);
		}
		tenant_free(t);
		diag_free(&d);
	}
}

/* 2 checks per case */
static void test_errors(void)
{
	static const struct {
		enum vpmu_target target;
		const char *text, *msg;
	} bad[] = {
		{ VPMU_TARGET_ARM64, "{ \"preset\": \"standart\" }",
		  "t/bad.json:1:13: unknown preset \"standart\" (did you mean \"standard\"?)" },
		{ VPMU_TARGET_ARM64, "{\n  \"preset\": \"turbo\"\n}",
		  "t/bad.json:2:13: unknown preset \"turbo\" (architectural, standard or enhanced)" },
		{ VPMU_TARGET_ARM64, "{ \"preset\": 2 }",
		  "t/bad.json:1:13: \"preset\" must be a preset name or an object of target: preset name, not a number" },
		{ VPMU_TARGET_X86_INTEL,
		  "{ \"preset\": { \"arm64\": \"enhanced\" } }",
		  "t/bad.json:1:13: \"preset\" defines no preset for x86-intel, the target this policy is compiled for" },
		{ VPMU_TARGET_ARM64,
		  "{ \"preset\": { \"arm64\": \"enhanced\", \"x86-amdd\": \"standard\" } }",
		  "t/bad.json:1:36: unknown target \"x86-amdd\" in \"preset\" (arm64, x86-intel or x86-amd)" },
		{ VPMU_TARGET_ARM64,
		  "{ \"preset\": { \"arm64\": \"enhanced\", \"x86-amd\": \"enhance\" } }",
		  "t/bad.json:1:47: unknown preset \"enhance\" (did you mean \"enhanced\"?)" },
		{ VPMU_TARGET_X86_AMD,
		  "{ \"default\": \"allow\", \"preset\": \"standard\" }",
		  "t/bad.json:1:33: a preset adds allowed events to \"default\": \"deny\"; with \"default\": \"allow\" it would change nothing" },
		{ VPMU_TARGET_ARM64, "{ \"presets\": \"standard\" }",
		  "t/bad.json:1:3: unknown key \"presets\" in the tenant (did you mean \"preset\"?)" },
	};
	struct tenant *t;
	struct diag d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		t = compile("t/bad.json", bad[i].target, bad[i].text, &d);
		tap_check(!t, "bad %zu: refused", i);
		if (!tap_check(d.n == 1 && !strcmp(d.msgs[0], bad[i].msg),
			       "bad %zu: %s", i, bad[i].msg))
			dump_diag(&d);
		tenant_free(t);
		diag_free(&d);
	}
}

/*
 * examples/tenants.d/shared.json, from the source tree's top directory
 * (where make check runs): 1 check per target.
 */
static void test_example(void)
{
	static const char path[] = "examples/tenants.d/shared.json";
	/* The standard preset, cache-references, 2 nested denies per name. */
	static const size_t want[NR_TARGETS] = {
		[VPMU_TARGET_ARM64] = 62 + 1 + 2,	/* cycles: one encoding */
		[VPMU_TARGET_X86_INTEL] = 40 + 1 + 4,	/* + fixed counters */
		[VPMU_TARGET_X86_AMD] = 34 + 1 + 2,
	};
	struct tenant *t;
	struct diag d;
	int i;

	for (i = 0; i < NR_TARGETS; i++) {
		if (access(path, R_OK)) {
			tap_skip("not run from the source tree's top directory",
				 "%s for %s", path, vpmu_target_name(i));
			continue;
		}
		diag_init(&d);
		t = tenant_load(path, i, &d);
		if (!tap_check(t && t->preset == STD && t->nr == want[i],
			       "%s compiles for %s: the standard preset and %zu rules",
			       path, vpmu_target_name(i), want[i])) {
			dump_diag(&d);
			if (t)
				tap_diag("  preset %d, %zu rules", t->preset, t->nr);
		}
		tenant_free(t);
		diag_free(&d);
	}
}

/* 3 checks */
static void test_names(void)
{
	int p, ok = 1;

	for (p = ARCH; p <= ENH; p++)
		ok &= vpmu_preset_parse(vpmu_preset_name(p)) == p;
	tap_check(ok, "preset names parse back");
	tap_check(vpmu_preset_parse("Standard") < 0 &&
		  vpmu_preset_parse("none") < 0 && !vpmu_preset_name(0),
		  "names are exact; \"none\" is no preset");
	tap_check(!vpmu_preset_events(7, &(size_t){ 1 }),
		  "an unknown target has no presets");
}

int main(void)
{
	int t, p;

	tap_plan(NR_TARGETS * 3 * 4 + 6 + NR_TARGETS + 1 + 4 * 2 + 8 * 2 + NR_TARGETS + 3);
	for (t = 0; t < NR_TARGETS; t++)
		for (p = ARCH; p <= ENH; p++)
			test_compiled(t, p);
	test_classes();
	test_arm64_names();
	test_precedence();
	test_errors();
	test_example();
	test_names();
	return tap_finish();
}
