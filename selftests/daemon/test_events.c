// SPDX-License-Identifier: GPL-2.0
/*
 * test_events: the daemon's event-name tables (daemon/events.c), on the
 * host.  Spot checks of the encodings that matter most (the ones a guest
 * kernel's perf programs for the generic names) against the kernel
 * sources, plus invariants over every table entry: names unique once case
 * and '-'/'_' are folded, encodings well-formed for their target, and
 * every encoding's display name leading back to it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "../../daemon/events.h"
#include "../lib/tap.h"

#define PLAN 46

#define ENC(s, e, u, k)           \
	((struct vpmu_event_enc){ \
		.space = (s), .event = (e), .umask = (u), .kinds = (k) })
#define GP(sel, um) ENC(VPMU_SPACE_X86_GP, sel, um, VPMU_KIND_GP)
#define FX(idx)	    ENC(VPMU_SPACE_X86_FIXED, idx, -1, VPMU_KIND_FIXED)
#define A64(num)    ENC(VPMU_SPACE_ARM64, num, -1, VPMU_KIND_GP)
#define A64_CYC \
	ENC(VPMU_SPACE_ARM64, 0x11, -1, VPMU_KIND_GP | VPMU_KIND_CYCLE)

/* Look @name up and compare with the encodings given, in order. */
#define EXPECT(t, name, ...)                                            \
	expect(t, name, (const struct vpmu_event_enc[]){ __VA_ARGS__ }, \
	       sizeof((const struct vpmu_event_enc[]){ __VA_ARGS__ }) / \
		       sizeof(struct vpmu_event_enc))

static const enum vpmu_target targets[] = {
	VPMU_TARGET_ARM64,
	VPMU_TARGET_X86_INTEL,
	VPMU_TARGET_X86_AMD,
};

/* Out-of-range targets, as a caller's stray value would arrive. */
static const enum vpmu_target bad_pos = (enum vpmu_target)3;
static const enum vpmu_target bad_neg = (enum vpmu_target)-1;

static bool enc_eq(const struct vpmu_event_enc *a,
		   const struct vpmu_event_enc *b)
{
	return a->space == b->space && a->event == b->event &&
	       a->umask == b->umask && a->kinds == b->kinds;
}

static void diag_enc(const char *what, const struct vpmu_event_enc *e)
{
	tap_diag("  %s: space %u event 0x%x umask %d kinds 0x%x", what,
		 e->space, e->event, e->umask, e->kinds);
}

static bool expect(enum vpmu_target t, const char *name,
		   const struct vpmu_event_enc *want, int nr)
{
	struct vpmu_event_enc got[VPMU_EVENT_MAX_ENCS];
	int n, i;

	memset(got, 0xa5, sizeof(got));
	n = vpmu_event_lookup(t, name, got);
	if (n != nr) {
		tap_diag("  %s/%s: %d encodings, expected %d",
			 vpmu_target_name(t), name, n, nr);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (enc_eq(&got[i], &want[i]))
			continue;
		tap_diag("  %s/%s: encoding %d differs", vpmu_target_name(t),
			 name, i);
		diag_enc("got", &got[i]);
		diag_enc("expected", &want[i]);
		return false;
	}
	return true;
}

static bool unknown(enum vpmu_target t, const char *name)
{
	struct vpmu_event_enc got[VPMU_EVENT_MAX_ENCS];
	int n = vpmu_event_lookup(t, name, got);

	if (n)
		tap_diag("  %s/\"%s\": %d encodings, expected unknown",
			 vpmu_target_name(t), name ? name : "(null)", n);
	return !n;
}

static bool str_is(const char *got, const char *want)
{
	bool ok = got && want ? !strcmp(got, want) : got == want;

	if (!ok)
		tap_diag("  got \"%s\", expected \"%s\"", got ? got : "(null)",
			 want ? want : "(null)");
	return ok;
}

static bool named(enum vpmu_target t, uint8_t space, uint32_t event, int umask,
		  const char *want)
{
	const char *got = vpmu_event_name(t, space, event, umask);
	bool ok = str_is(got, want);

	if (!ok)
		tap_diag("  (%s space %u event 0x%x umask %d)",
			 vpmu_target_name(t), space, event, umask);
	return ok;
}

static bool suggests(enum vpmu_target t, const char *name, const char *want)
{
	bool ok = str_is(vpmu_event_suggest(t, name), want);

	if (!ok)
		tap_diag("  (suggestion for \"%s\" on %s)",
			 name ? name : "(null)", vpmu_target_name(t));
	return ok;
}

static void test_targets(void)
{
	struct utsname u;
	bool ok = true;
	unsigned int i;
	int host;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		ok &= vpmu_target_parse(vpmu_target_name(targets[i])) ==
		      (int)targets[i];
	ok &= str_is(vpmu_target_name(VPMU_TARGET_ARM64), "arm64") &&
	      str_is(vpmu_target_name(VPMU_TARGET_X86_INTEL), "x86-intel") &&
	      str_is(vpmu_target_name(VPMU_TARGET_X86_AMD), "x86-amd");
	tap_check(ok, "target names round-trip");

	tap_check(vpmu_target_parse("X86_INTEL") == VPMU_TARGET_X86_INTEL &&
			  vpmu_target_parse("x86_amd") == VPMU_TARGET_X86_AMD &&
			  vpmu_target_parse("ARM64") == VPMU_TARGET_ARM64,
		  "target names parse case- and dash-insensitively");

	tap_check(vpmu_target_parse("x86") == -1 &&
			  vpmu_target_parse("") == -1 &&
			  vpmu_target_parse("arm64 ") == -1 &&
			  vpmu_target_parse("aarch64") == -1 &&
			  vpmu_target_parse(NULL) == -1 &&
			  !vpmu_target_name(bad_pos) &&
			  !vpmu_target_name(bad_neg),
		  "unknown targets are rejected");

	tap_check(vpmu_target_classify("aarch64", NULL) == VPMU_TARGET_ARM64 &&
			  vpmu_target_classify("x86_64", "GenuineIntel") ==
				  VPMU_TARGET_X86_INTEL &&
			  vpmu_target_classify("x86_64", "AuthenticAMD") ==
				  VPMU_TARGET_X86_AMD &&
			  vpmu_target_classify("x86_64", "HygonGenuine") ==
				  VPMU_TARGET_X86_AMD &&
			  vpmu_target_classify("x86_64", "CentaurHauls") ==
				  -1 &&
			  vpmu_target_classify("x86_64", NULL) == -1 &&
			  vpmu_target_classify("riscv64", NULL) == -1 &&
			  vpmu_target_classify(NULL, NULL) == -1,
		  "host classification by machine and vendor_id");

	/* Only the machine is portable to check: the vendor is the host's. */
	host = vpmu_target_host();
	tap_diag("host target: %s",
		 host < 0 ? "unknown" : vpmu_target_name(host));
	if (uname(&u))
		tap_check(false, "uname");
	else if (!strcmp(u.machine, "aarch64"))
		tap_check(host == VPMU_TARGET_ARM64, "host target is arm64");
	else if (!strcmp(u.machine, "x86_64"))
		tap_check(host == VPMU_TARGET_X86_INTEL ||
				  host == VPMU_TARGET_X86_AMD,
			  "host target is an x86 vendor");
	else
		tap_check(host == -1, "host target is unknown on %s",
			  u.machine);
}

static void test_intel(void)
{
	enum vpmu_target t = VPMU_TARGET_X86_INTEL;
	bool ok = true;

	tap_check(EXPECT(t, "instructions", GP(0xc0, 0x00), FX(0)),
		  "intel: instructions = 0xc0/0x00 and fixed 0");
	tap_check(EXPECT(t, "cycles", GP(0x3c, 0x00), FX(1)) &&
			  EXPECT(t, "CPU-Cycles", GP(0x3c, 0x00), FX(1)),
		  "intel: cycles (cpu-cycles) = 0x3c/0x00 and fixed 1");
	tap_check(EXPECT(t, "ref-cycles", GP(0x3c, 0x01), FX(2)),
		  "intel: ref-cycles = 0x3c/0x01 and fixed 2");
	tap_check(EXPECT(t, "topdown-slots", GP(0xa4, 0x01), FX(3)),
		  "intel: topdown-slots = 0xa4/0x01 and fixed 3");

	ok &= EXPECT(t, "cache-references", GP(0x2e, 0x4f));
	ok &= EXPECT(t, "CACHE_MISSES", GP(0x2e, 0x41));
	ok &= EXPECT(t, "branch-instructions", GP(0xc4, 0x00));
	ok &= EXPECT(t, "branches", GP(0xc4, 0x00));
	ok &= EXPECT(t, "Branch_Misses", GP(0xc5, 0x00));
	ok &= EXPECT(t, "bus-cycles", GP(0x3c, 0x01));
	tap_check(ok,
		  "intel: the other perf names, as intel_perfmon_event_map");

	ok = EXPECT(t, "inst_retired.any", GP(0xc0, 0x00), FX(0));
	ok &= EXPECT(t, "INST_RETIRED.ANY_P", GP(0xc0, 0x00));
	ok &= EXPECT(t, "CPU_CLK_UNHALTED.THREAD", GP(0x3c, 0x00), FX(1));
	ok &= EXPECT(t, "CPU_CLK_UNHALTED.REF_TSC", GP(0x3c, 0x01), FX(2));
	ok &= EXPECT(t, "longest-lat-cache.reference", GP(0x2e, 0x4f));
	ok &= EXPECT(t, "LONGEST_LAT_CACHE.MISS", GP(0x2e, 0x41));
	ok &= EXPECT(t, "BR_INST_RETIRED.ALL_BRANCHES", GP(0xc4, 0x00));
	ok &= EXPECT(t, "BR_MISP_RETIRED.ALL_BRANCHES", GP(0xc5, 0x00));
	ok &= EXPECT(t, "TOPDOWN.SLOTS", GP(0xa4, 0x01), FX(3));
	ok &= EXPECT(t, "TOPDOWN.BACKEND_BOUND_SLOTS", GP(0xa4, 0x02));
	tap_check(ok, "intel: architectural event mnemonics");

	tap_check(unknown(t, "stalled-cycles-frontend") &&
			  unknown(t, "stalled-cycles-backend") &&
			  unknown(t, "L1D_CACHE") &&
			  unknown(t, "EX_RET_INSTR") &&
			  unknown(t, "instruction") &&
			  unknown(t, "instructions ") && unknown(t, "") &&
			  unknown(t, NULL),
		  "intel: unknown and other targets' names");
}

static void test_amd(void)
{
	enum vpmu_target t = VPMU_TARGET_X86_AMD;
	bool ok = true;

	ok &= EXPECT(t, "cycles", GP(0x76, 0x00));
	ok &= EXPECT(t, "cpu_cycles", GP(0x76, 0x00));
	ok &= EXPECT(t, "instructions", GP(0xc0, 0x00));
	ok &= EXPECT(t, "cache-references", GP(0x60, 0xff));
	ok &= EXPECT(t, "cache-misses", GP(0x64, 0x09));
	ok &= EXPECT(t, "BRANCHES", GP(0xc2, 0x00));
	ok &= EXPECT(t, "branch-misses", GP(0xc3, 0x00));
	tap_check(ok, "amd: perf names, as the Zen perfmon maps");

	tap_check(
		EXPECT(t, "ref-cycles", GP(0x120, 0x01)),
		"amd: ref-cycles = select 0x120 (bit 32 as bit 8) umask 0x01");
	tap_check(EXPECT(t, "stalled-cycles-frontend", GP(0xa9, 0x00),
			 GP(0x87, 0x02)) &&
			  EXPECT(t, "stalled-cycles-backend", GP(0x87, 0x01)),
		  "amd: stall names cover Zen 1 and Zen 2+ encodings");

	ok = EXPECT(t, "ls-not-halted-cyc", GP(0x76, 0x00));
	ok &= EXPECT(t, "EX_RET_INSTR", GP(0xc0, 0x00));
	ok &= EXPECT(t, "EX_RET_BRN_MISP", GP(0xc3, 0x00));
	ok &= EXPECT(t, "ls_not_halted_p0_cyc.p0_freq_cyc", GP(0x120, 0x01));
	tap_check(ok, "amd: PPR mnemonics");

	tap_check(unknown(t, "bus-cycles") && unknown(t, "topdown-slots") &&
			  unknown(t, "INST_RETIRED.ANY") &&
			  unknown(t, "SW_INCR"),
		  "amd: names it does not have");
}

static void test_arm64(void)
{
	enum vpmu_target t = VPMU_TARGET_ARM64;
	bool ok = true;
	uint32_t ev;

	tap_check(EXPECT(t, "cycles", A64_CYC) &&
			  EXPECT(t, "CPU_CYCLES", A64_CYC) &&
			  EXPECT(t, "cpu-cycles", A64_CYC),
		  "arm64: cycles = 0x11 on event and cycle counters");
	tap_check(
		EXPECT(t, "branch-instructions", A64(0x21), A64(0x0c)) &&
			EXPECT(t, "branches", A64(0x21), A64(0x0c)),
		"arm64: branch-instructions = BR_RETIRED or PC_WRITE_RETIRED");

	ok &= EXPECT(t, "instructions", A64(0x08));
	ok &= EXPECT(t, "cache-references", A64(0x04));
	ok &= EXPECT(t, "cache-misses", A64(0x03));
	ok &= EXPECT(t, "branch-misses", A64(0x10));
	ok &= EXPECT(t, "bus-cycles", A64(0x1d));
	ok &= EXPECT(t, "stalled-cycles-frontend", A64(0x23));
	ok &= EXPECT(t, "stalled-cycles-backend", A64(0x24));
	tap_check(ok, "arm64: the other perf names, as armv8_pmuv3_perf_map");

	ok = EXPECT(t, "SW_INCR", A64(0x00));
	ok &= EXPECT(t, "l1d-cache-refill", A64(0x03));
	ok &= EXPECT(t, "Inst_Spec", A64(0x1b));
	ok &= EXPECT(t, "STALL_SLOT", A64(0x3f));
	ok &= EXPECT(t, "SAMPLE_POP", A64(0x4000));
	ok &= EXPECT(t, "L3D_CACHE_LMISS_RD", A64(0x400b));
	ok &= EXPECT(t, "mem-access-checked-wr", A64(0x4026));
	tap_check(ok, "arm64: architectural mnemonics");

	ok = true;
	for (ev = 0; ev < 0x40; ev++) {
		if (vpmu_event_name(t, VPMU_SPACE_ARM64, ev, -1))
			continue;
		tap_diag("  no name for 0x%x", ev);
		ok = false;
	}
	tap_check(ok, "arm64: every common event 0x00-0x3f has a name");

	tap_check(unknown(t, "ref-cycles") && unknown(t, "topdown-slots") &&
			  unknown(t, "INST_RETIRED.ANY") &&
			  unknown(t, "L1D_CACHE_RD") &&
			  unknown(t, "LS_NOT_HALTED_CYC"),
		  "arm64: unknown, IMPDEF and x86 names");
}

static void test_misc_lookup(void)
{
	tap_check(vpmu_event_lookup(VPMU_TARGET_ARM64, "branches", NULL) == 2 &&
			  vpmu_event_lookup(VPMU_TARGET_X86_AMD, "nope",
					    NULL) == 0,
		  "lookup without an output array counts");
	tap_check(!vpmu_event_lookup(bad_pos, "cycles", NULL) &&
			  !vpmu_event_lookup(bad_neg, "cycles", NULL) &&
			  !vpmu_event_name_at(bad_pos, 0) &&
			  !vpmu_event_suggest(bad_pos, "cycles") &&
			  !vpmu_event_name(bad_pos, VPMU_SPACE_ARM64, 0x11, -1),
		  "an unknown target has no events");
}

static void test_suggest(void)
{
	tap_check(
		suggests(VPMU_TARGET_X86_INTEL, "instrutions",
			 "instructions") &&
			suggests(VPMU_TARGET_X86_INTEL, "cylces", "cycles") &&
			suggests(VPMU_TARGET_X86_INTEL, "Cycles", "cycles") &&
			suggests(VPMU_TARGET_X86_INTEL, "inst_retired.any_pp",
				 "INST_RETIRED.ANY_P") &&
			suggests(VPMU_TARGET_X86_AMD, "brnches", "branches") &&
			suggests(VPMU_TARGET_ARM64, "L1D_CAHCE", "L1D_CACHE") &&
			suggests(VPMU_TARGET_ARM64, "l1d-cahce-refil",
				 "L1D_CACHE_REFILL"),
		"suggestions for near misses");
	tap_check(suggests(VPMU_TARGET_X86_INTEL, "completely-unknown", NULL) &&
			  suggests(VPMU_TARGET_ARM64, "", NULL) &&
			  suggests(VPMU_TARGET_ARM64, NULL, NULL) &&
			  suggests(VPMU_TARGET_X86_AMD, "instructionsxxxx",
				   NULL) &&
			  suggests(VPMU_TARGET_ARM64,
				   "a-name-much-longer-than-any-event-name-in-"
				   "any-of-the-tables-at-all",
				   NULL),
		  "no suggestion beyond distance 3");
}

static void test_names(void)
{
	enum vpmu_target t = VPMU_TARGET_X86_INTEL;

	tap_check(
		named(t, VPMU_SPACE_X86_GP, 0xc0, 0x00, "instructions") &&
			named(t, VPMU_SPACE_X86_FIXED, 0, -1, "instructions") &&
			named(t, VPMU_SPACE_X86_FIXED, 1, -1, "cycles") &&
			named(t, VPMU_SPACE_X86_FIXED, 2, -1, "ref-cycles") &&
			named(t, VPMU_SPACE_X86_FIXED, 3, -1,
			      "topdown-slots") &&
			named(t, VPMU_SPACE_X86_GP, 0x3c, 0x01, "ref-cycles") &&
			named(t, VPMU_SPACE_X86_GP, 0xa4, 0x02,
			      "TOPDOWN.BACKEND_BOUND_SLOTS"),
		"intel: display names");
	tap_check(named(t, VPMU_SPACE_X86_GP, 0xc0, -1, NULL) &&
			  named(t, VPMU_SPACE_X86_GP, 0xc0, 0x01, NULL) &&
			  named(t, VPMU_SPACE_X86_GP, 0x1c0, 0x00, NULL) &&
			  named(t, VPMU_SPACE_X86_FIXED, 4, -1, NULL) &&
			  named(t, VPMU_SPACE_ARM64, 0x11, -1, NULL),
		  "intel: no name for other unit masks, selects or spaces");

	t = VPMU_TARGET_X86_AMD;
	tap_check(named(t, VPMU_SPACE_X86_GP, 0x120, 0x01, "ref-cycles") &&
			  named(t, VPMU_SPACE_X86_GP, 0x87, 0x02,
				"stalled-cycles-frontend") &&
			  named(t, VPMU_SPACE_X86_GP, 0xa9, 0x00,
				"stalled-cycles-frontend") &&
			  named(t, VPMU_SPACE_X86_GP, 0x20, 0x01, NULL) &&
			  named(t, VPMU_SPACE_X86_FIXED, 0, -1, NULL),
		  "amd: display names");

	t = VPMU_TARGET_ARM64;
	tap_check(named(t, VPMU_SPACE_ARM64, 0x11, -1, "CPU_CYCLES") &&
			  named(t, VPMU_SPACE_ARM64, 0x11, 5, "CPU_CYCLES") &&
			  named(t, VPMU_SPACE_ARM64, 0x0c, -1,
				"PC_WRITE_RETIRED") &&
			  named(t, VPMU_SPACE_ARM64, 0x21, -1, "BR_RETIRED") &&
			  named(t, VPMU_SPACE_ARM64, 0x4026, -1,
				"MEM_ACCESS_CHECKED_WR") &&
			  named(t, VPMU_SPACE_ARM64, 0x40, -1, NULL) &&
			  named(t, VPMU_SPACE_X86_GP, 0x11, -1, NULL),
		  "arm64: display names");
}

static int fold(int c)
{
	return c == '-' ? '_' : tolower(c);
}

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (fold((unsigned char)*a) != fold((unsigned char)*b))
			return false;
	return !*a && !*b;
}

/* The name with case swapped and '-'/'_' swapped, to look up again. */
static void mangle(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++) {
		unsigned char c = in[i];

		if (c == '-')
			c = '_';
		else if (c == '_')
			c = '-';
		else if (isupper(c))
			c = tolower(c);
		else if (islower(c))
			c = toupper(c);
		out[i] = c;
	}
	out[i] = '\0';
}

/* Is @e a sensible encoding for target @t? */
static bool enc_valid(enum vpmu_target t, const struct vpmu_event_enc *e)
{
	switch (e->space) {
	case VPMU_SPACE_X86_GP:
		if (t == VPMU_TARGET_ARM64 || e->kinds != VPMU_KIND_GP ||
		    e->umask < -1 || e->umask > 0xff)
			return false;
		/* Intel selects are 8 bits; AMD adds bits 35:32 as 11:8. */
		return e->event <=
		       (t == VPMU_TARGET_X86_INTEL ? 0xffu : 0xfffu);
	case VPMU_SPACE_X86_FIXED:
		return t == VPMU_TARGET_X86_INTEL && e->umask == -1 &&
		       e->kinds == VPMU_KIND_FIXED && e->event < 16;
	case VPMU_SPACE_ARM64:
		if (t != VPMU_TARGET_ARM64 || e->umask != -1 ||
		    e->event > 0xffff)
			return false;
		/* Only CPU_CYCLES also counts on the cycle counter. */
		return e->kinds == (e->event == 0x11
					    ? VPMU_KIND_GP | VPMU_KIND_CYCLE
					    : VPMU_KIND_GP);
	}
	return false;
}

static void test_table(enum vpmu_target t)
{
	struct vpmu_event_enc enc[VPMU_EVENT_MAX_ENCS],
		back[VPMU_EVENT_MAX_ENCS];
	bool unique = true, valid = true, round = true, folded = true;
	bool self = true;
	const char *name, *other, *disp;
	const char *tn = vpmu_target_name(t);
	unsigned int i, j, nr;
	char buf[128];
	int n, m, k, l;

	for (nr = 0; vpmu_event_name_at(t, nr); nr++)
		;
	tap_diag("%s: %u names", tn, nr);

	for (i = 0; i < nr; i++) {
		name = vpmu_event_name_at(t, i);
		for (j = i + 1; j < nr; j++) {
			other = vpmu_event_name_at(t, j);
			if (!same_name(name, other))
				continue;
			tap_diag("  %s: \"%s\" and \"%s\" are one name", tn,
				 name, other);
			unique = false;
		}

		n = vpmu_event_lookup(t, name, enc);
		if (n < 1 || n > VPMU_EVENT_MAX_ENCS || strlen(name) >= 64) {
			tap_diag("  %s/%s: %d encodings", tn, name, n);
			valid = false;
			continue;
		}
		for (k = 0; k < n; k++) {
			if (!enc_valid(t, &enc[k])) {
				tap_diag("  %s/%s: bad encoding %d", tn, name,
					 k);
				diag_enc("bad", &enc[k]);
				valid = false;
			}
			for (l = 0; l < k; l++) {
				if (enc_eq(&enc[k], &enc[l])) {
					tap_diag("  %s/%s: encoding %d twice",
						 tn, name, k);
					valid = false;
				}
			}

			/* Its display name must stand for it too. */
			disp = vpmu_event_name(t, enc[k].space, enc[k].event,
					       enc[k].umask);
			m = disp ? vpmu_event_lookup(t, disp, back) : 0;
			for (l = 0; l < m && !enc_eq(&back[l], &enc[k]); l++)
				;
			if (l == m) {
				tap_diag("  %s/%s: encoding %d does not come "
					 "back from \"%s\"",
					 tn, name, k, disp ? disp : "(null)");
				round = false;
			}
		}

		mangle(name, buf, sizeof(buf));
		m = vpmu_event_lookup(t, buf, back);
		if (m != n || memcmp(back, enc, n * sizeof(*enc)) ||
		    !same_name(buf, name)) {
			tap_diag("  %s/%s: \"%s\" differs", tn, name, buf);
			folded = false;
		}

		if (vpmu_event_suggest(t, buf) != name) {
			tap_diag("  %s/%s: suggested \"%s\"", tn, name,
				 vpmu_event_suggest(t, buf));
			self = false;
		}
	}
	tap_check(nr > 0 && unique,
		  "%s: %u names, none twice (case and '-'/'_' folded)", tn, nr);
	tap_check(nr > 0 && valid, "%s: every name has well-formed encodings",
		  tn);
	tap_check(nr > 0 && round,
		  "%s: every encoding's display name leads back to it", tn);
	tap_check(nr > 0 && folded,
		  "%s: every name looks up alike with case and '-'/'_' swapped",
		  tn);
	tap_check(nr > 0 && self, "%s: every name is its own suggestion", tn);
}

int main(void)
{
	unsigned int i;

	tap_plan(PLAN);
	test_targets();
	test_intel();
	test_amd();
	test_arm64();
	test_misc_lookup();
	test_suggest();
	test_names();
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		test_table(targets[i]);
	return tap_finish();
}
