// SPDX-License-Identifier: GPL-2.0
/*
 * test_pfm: "pfm:" event names through libpfm4 (daemon/pfm.c), on the host.
 *
 * libpfm4 resolves names for the PMU of the host it runs on, so what can be
 * checked depends on the host:
 *
 *  - target checks that need no libpfm4 run everywhere;
 *  - the host section runs against the host's own PMU if libpfm4 knows
 *    it, and skips with the reason pfm.c gives if not (libpfm4 missing, or
 *    older than the CPU);
 *  - the forced section runs the same checks with LIBPFM_FORCE_PMU set to
 *    a PMU of the host's vendor, when libpfm4 is installed but does not
 *    know the host's PMU (so that the conversion code runs on such hosts
 *    too), and skips otherwise.  LIBPFM_FORCE_PMU set by the caller (a
 *    PMU of the host's vendor) makes that PMU the host's.
 *
 * pfm.c initialises libpfm4 once per process, so this process must not
 * touch it before the forced section sets LIBPFM_FORCE_PMU: everything
 * that asks libpfm4 before then runs in a child process.  The checks
 * compare pfm.c's encodings with a conversion of libpfm4's own encoding
 * written out here, and its messages with the exact text.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <perfmon/pfmlib.h>

#include "pfm.h"
#include "policy.h"
#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Checks outside the sections, and in each section. */
#define COMMON_CHECKS	4
#define SECTION_CHECKS	15
#define PLAN		(COMMON_CHECKS + 2 * SECTION_CHECKS)

/* Event select register bits, written out here rather than taken from pfm.c. */
#define X86_USR		0x00010000ULL
#define X86_OS		0x00020000ULL
#define X86_INT		0x00100000ULL
#define X86_EN		0x00400000ULL
#define ARM_U		0x40000000ULL

#define FILE_NAME	"t/pfm.json"

/* libpfm4, for the cross-checks: the same library pfm.c loads. */
static struct {
	pfm_err_t (*initialize)(void);
	const char *(*strerror)(int);
	pfm_err_t (*get_pmu_info)(pfm_pmu_t, pfm_pmu_info_t *);
	int (*get_event_next)(int);
	pfm_err_t (*get_event_info)(int, pfm_os_t, pfm_event_info_t *);
	pfm_err_t (*get_os_event_encoding)(const char *, int, pfm_os_t,
					   void *);
} lib;

static void lib_load(void)
{
	void *h = dlopen("libpfm.so.4", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		tap_bail("dlopen libpfm.so.4: %s", dlerror());
#define SYM(f)                                                         \
	do {                                                           \
		lib.f = (__typeof__(lib.f))dlsym(h, "pfm_" #f);         \
		if (!lib.f)                                            \
			tap_bail("libpfm.so.4 has no pfm_" #f);        \
	} while (0)
	SYM(initialize);
	SYM(strerror);
	SYM(get_pmu_info);
	SYM(get_event_next);
	SYM(get_event_info);
	SYM(get_os_event_encoding);
#undef SYM
	if (lib.initialize() != PFM_SUCCESS)
		tap_bail("pfm_initialize failed");
}

static bool lib_pmu(const char *name, pfm_pmu_info_t *out)
{
	int id;

	for (id = 0; id < PFM_PMU_MAX + 256; id++) {
		memset(out, 0, sizeof(*out));
		out->size = sizeof(*out);
		if (lib.get_pmu_info(id, out) == PFM_SUCCESS &&
		    out->is_present && !strcmp(out->name, name))
			return true;
	}
	return false;
}

/* libpfm4's encoding of @name with default privilege levels: count or -err. */
static int lib_encode(enum vpmu_target t, const char *name, uint64_t *code)
{
	uint64_t codes[4];
	pfm_pmu_encode_arg_t arg;
	int plm = PFM_PLM0 | PFM_PLM3, ret;

	if (t == VPMU_TARGET_ARM64)
		plm |= PFM_PLMH;
	memset(&arg, 0, sizeof(arg));
	arg.codes = codes;
	arg.count = ARRAY_SIZE(codes);
	arg.size = sizeof(arg);
	ret = lib.get_os_event_encoding(name, plm, PFM_OS_NONE, &arg);
	if (ret != PFM_SUCCESS)
		return ret;
	*code = codes[0];
	return arg.count;
}

/*
 * What a rule can match of libpfm4's single-register encoding @code: true
 * and the encoding if it is an event select and unit mask (x86) or event
 * number (arm64) counted at every level and nothing else.
 */
static bool convert(enum vpmu_target t, uint64_t code,
		    struct vpmu_event_enc *enc)
{
	uint64_t plain = 0xffff | X86_USR | X86_OS | X86_INT | X86_EN;

	memset(enc, 0, sizeof(*enc));
	if (t == VPMU_TARGET_ARM64) {
		if (code & ~0xffffULL)
			return false;
		enc->space = VPMU_SPACE_ARM64;
		enc->event = code;
		enc->umask = -1;
		enc->kinds = VPMU_KIND_GP |
			     (code == 0x11 ? VPMU_KIND_CYCLE : 0);
		return true;
	}
	if (t == VPMU_TARGET_X86_AMD)
		plain |= 0xfULL << 32;
	if ((code & ~plain) || !(code & X86_USR) || !(code & X86_OS))
		return false;
	enc->space = VPMU_SPACE_X86_GP;
	enc->event = (code & 0xff) | ((code >> 32) & 0xf) << 8;
	enc->umask = (code >> 8) & 0xff;
	enc->kinds = VPMU_KIND_GP;
	/* Intel select 0: a fixed counter's pseudo-encoding */
	return t == VPMU_TARGET_X86_AMD || enc->event;
}

static bool enc_eq(const struct vpmu_event_enc *a,
		   const struct vpmu_event_enc *b)
{
	return a->space == b->space && a->event == b->event &&
	       a->umask == b->umask && a->kinds == b->kinds;
}

static void dump_enc(const char *what, const struct vpmu_event_enc *e)
{
	tap_diag("  %s: space %u event 0x%x umask %d kinds 0x%x", what,
		 e->space, e->event, e->umask, e->kinds);
}

static void dump_diag(const struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		tap_diag("  got: %s", d->msgs[i]);
	if (d->dropped)
		tap_diag("  got: (%zu more)", d->dropped);
}

/* A policy that must be refused with exactly @want: one check. */
static void refused(enum vpmu_target t, const char *text, const char *want,
		    const char *what)
{
	struct tenant *tn;
	struct diag d;

	diag_init(&d);
	tn = tenant_parse(FILE_NAME, text, strlen(text), t, &d);
	if (!tap_check(!tn && d.n == 1 && !d.dropped &&
			       !strcmp(d.msgs[0], want),
		       "%s", what)) {
		dump_diag(&d);
		tap_diag("  want: %s", want);
	}
	tenant_free(tn);
	diag_free(&d);
}

/* '{"allow": ["pfm:@name"]}' for target @t must fail with @why: one check. */
static void __attribute__((format(printf, 4, 5)))
refused_name(enum vpmu_target t, const char *name, const char *why,
	     const char *fmt, ...)
{
	char text[256], want[768], what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(text, sizeof(text), "{\"allow\": [\"pfm:%s\"]}", name);
	snprintf(want, sizeof(want), FILE_NAME ":1:12: pfm:%s: %s", name,
		 why);
	refused(t, text, want, what);
}

static bool rule_eq(const struct vpmu_rule *a, const struct vpmu_rule *b)
{
	return a->event == b->event && a->space == b->space &&
	       a->action == b->action && a->flags == b->flags &&
	       a->kinds == b->kinds && a->umask_mask == b->umask_mask &&
	       a->umask_match == b->umask_match &&
	       a->sel_mask == b->sel_mask && a->sel_match == b->sel_match;
}

static void dump_rule(const char *what, const struct vpmu_rule *r)
{
	tap_diag("  %s: space %u event 0x%x action %u flags 0x%x kinds 0x%x umask 0x%02x/0x%02x sel 0x%llx/0x%llx",
		 what, r->space, r->event, r->action, r->flags, r->kinds,
		 r->umask_mask, r->umask_match,
		 (unsigned long long)r->sel_mask,
		 (unsigned long long)r->sel_match);
}

static int cmp_rule(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct vpmu_rule));
}

/*
 * A policy allowing "pfm:@name" and denying it with "usr": false compiles
 * to the two rules @enc means: four checks.
 */
static void check_policy(enum vpmu_target t, const char *name,
			 const struct vpmu_event_enc *enc, const char *how)
{
	struct vpmu_rule want[2] = { 0 };
	struct vpmu_policy_header h;
	char text[512];
	struct tenant *tn;
	struct diag d;
	size_t i;
	bool ok;

	snprintf(text, sizeof(text),
		 "{\"default\": \"deny\",\n"
		 " \"allow\": [\"pfm:%s\"],\n"
		 " \"deny\": [{\"event\": \"pfm:%s\", \"usr\": false}]}\n",
		 name, name);
	for (i = 0; i < 2; i++) {
		want[i].space = enc->space;
		want[i].event = enc->event;
		want[i].kinds = enc->kinds | VPMU_KIND_PROBE;
		if (enc->umask >= 0) {
			want[i].umask_mask = 0xff;
			want[i].umask_match = enc->umask;
		}
	}
	want[0].action = VPMU_ALLOW;
	want[1].action = VPMU_DENY;
	if (t == VPMU_TARGET_ARM64) {
		want[1].sel_mask = ARM_U;
		want[1].sel_match = ARM_U;
	} else {
		want[1].sel_mask = X86_USR;
	}
	/* Same key: the compiler orders them by their bytes. */
	qsort(want, 2, sizeof(want[0]), cmp_rule);

	diag_init(&d);
	tn = tenant_parse(FILE_NAME, text, strlen(text), t, &d);
	if (!tap_check(tn && !diag_count(&d),
		       "%s: a policy with pfm:%s compiles", how, name))
		dump_diag(&d);
	diag_free(&d);
	if (!tn) {
		tap_check(false, "%s: policy: header", how);
		tap_check(false, "%s: policy: 2 rules", how);
		tap_check(false, "%s: policy: the rules", how);
		return;
	}
	h = tenant_header(tn);
	tap_check(h.space == VPMU_SPACE_HEADER && h.nr_rules == tn->nr &&
			  h.default_action == VPMU_DENY && h.flags == 0,
		  "%s: policy: header", how);
	TAP_CHECK_EQ(tn->nr, 2, "%s: policy: 2 rules", how);
	ok = tn->nr == 2;
	for (i = 0; ok && i < 2; i++)
		ok = rule_eq(&tn->rules[i], &want[i]);
	if (!tap_check(ok, "%s: policy: the rules are what pfm:%s means", how,
		       name)) {
		for (i = 0; i < tn->nr; i++)
			dump_rule("got", &tn->rules[i]);
		for (i = 0; i < 2; i++)
			dump_rule("want", &want[i]);
	}
	tenant_free(tn);
}

/* A name libpfm4 knows for each target's PMUs, and what it stands for. */
static const struct {
	enum vpmu_target t;
	const char *name;
	struct vpmu_event_enc enc;
} well_known[] = {
	{ VPMU_TARGET_X86_INTEL, "INST_RETIRED.ANY_P",
	  { VPMU_SPACE_X86_GP, 0xc0, 0x00, VPMU_KIND_GP } },
	{ VPMU_TARGET_X86_AMD, "RETIRED_INSTRUCTIONS",
	  { VPMU_SPACE_X86_GP, 0xc0, 0x00, VPMU_KIND_GP } },
	{ VPMU_TARGET_ARM64, "INST_RETIRED",
	  { VPMU_SPACE_ARM64, 0x08, -1, VPMU_KIND_GP } },
};

/*
 * Every event of @pmu: pfm.c resolves it exactly when libpfm4's own
 * encoding converts, to the same encoding.  Two checks; the first event
 * that resolves and the first that libpfm4 cannot encode without a unit
 * mask are returned in @ok_name / @umask_name (empty if none).
 */
static void check_all_events(enum vpmu_target t, const pfm_pmu_info_t *pmu,
			     char *ok_name, size_t ok_len, char *umask_name,
			     size_t umask_len, const char *how)
{
	unsigned int n = 0, resolved = 0, wide = 0, bad = 0;
	struct vpmu_event_enc got, want;
	pfm_event_info_t ev;
	char name[256], why[512];
	uint64_t code = 0;
	int idx, cnt, ret;
	bool conv;

	*ok_name = *umask_name = 0;
	for (idx = pmu->first_event; idx != -1; idx = lib.get_event_next(idx)) {
		memset(&ev, 0, sizeof(ev));
		ev.size = sizeof(ev);
		if (lib.get_event_info(idx, PFM_OS_NONE, &ev) != PFM_SUCCESS)
			continue;
		n++;
		snprintf(name, sizeof(name), "%s::%s", pmu->name, ev.name);
		ret = lib_encode(t, name, &code);
		conv = ret == 1 && convert(t, code, &want);
		memset(&got, 0, sizeof(got));
		cnt = vpmu_pfm_lookup(t, name, &got, why, sizeof(why));
		if (ret == PFM_ERR_UMASK && !*umask_name)
			snprintf(umask_name, umask_len, "%s", name);
		if (conv && cnt == 1 && enc_eq(&got, &want)) {
			resolved++;
			wide += want.event > 0xff;
			if (!*ok_name)
				snprintf(ok_name, ok_len, "%s", name);
			continue;
		}
		if (!conv && !cnt)
			continue;
		if (bad++ < 5) {
			tap_diag("  %s: libpfm4 %d code 0x%llx, pfm.c %d (%s)",
				 name, ret, (unsigned long long)code, cnt,
				 cnt ? "" : why);
			if (conv)
				dump_enc("want", &want);
			if (cnt)
				dump_enc("got", &got);
		}
	}
	tap_diag("%s: %u events, %u resolve (%u numbered above 0xff)",
		 pmu->name, n, resolved, wide);
	tap_check(!bad, "%s: all %u events of %s: pfm.c agrees with libpfm4's encoding",
		  how, n, pmu->name);
	tap_check(resolved > 0, "%s: some events of %s resolve", how,
		  pmu->name);
}

/*
 * Modifiers and what pfm.c says about them, in two groups: 0, ones a
 * rule condition can say; 1, on x86 ones none can.  The first of a group
 * the PMU accepts is checked (libpfm4's PMUs differ in the modifiers they
 * have).
 */
#define CANSAY " write them as the rule's conditions"
static const struct {
	enum vpmu_target t;
	int group;
	const char *suffix, *why;
} modifiers[] = {
	{ VPMU_TARGET_X86_INTEL, 0, ":c=1", "(libpfm4 encodes \"cmask\": 1):" CANSAY },
	{ VPMU_TARGET_X86_INTEL, 0, ":u", "(libpfm4 encodes \"os\": false):" CANSAY },
	{ VPMU_TARGET_X86_AMD, 0, ":c=1", "(libpfm4 encodes \"cmask\": 1):" CANSAY },
	{ VPMU_TARGET_X86_AMD, 0, ":u", "(libpfm4 encodes \"os\": false):" CANSAY },
	/* arm64: the levels not given are excluded, the hypervisor's too */
	{ VPMU_TARGET_ARM64, 0, ":k=1:u=1", "(libpfm4 encodes \"el2\": true):" CANSAY },
	/* Intel wants a cmask with edge or inv */
	{ VPMU_TARGET_X86_INTEL, 1, ":e:c=2:t",
	  "(libpfm4 encodes \"edge\": true, \"cmask\": 2, any-thread (bit 21)): no rule condition tests any-thread (bit 21)" },
	{ VPMU_TARGET_X86_INTEL, 1, ":intx",
	  "(libpfm4 encodes in_tx (bit 32)): no rule condition tests in_tx (bit 32)" },
	{ VPMU_TARGET_X86_AMD, 1, ":e:i:h",
	  "(libpfm4 encodes \"usr\": false, \"os\": false, \"edge\": true, \"inv\": true, host-only (bit 41)): no rule condition tests host-only (bit 41)" },
	{ VPMU_TARGET_X86_AMD, 1, ":g",
	  "(libpfm4 encodes guest-only (bit 40)): no rule condition tests guest-only (bit 40)" },
	{ VPMU_TARGET_ARM64, 1, ":k=0",
	  "(libpfm4 encodes \"usr\": false, \"os\": false, \"el2\": true):" CANSAY },
};

/* One check: the first modifier of @group that @name takes is refused. */
static void check_modifier(enum vpmu_target t, const char *name, int group,
			   const char *how)
{
	char buf[512], why[512];
	uint64_t code;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modifiers); i++) {
		if (modifiers[i].t != t || modifiers[i].group != group)
			continue;
		snprintf(buf, sizeof(buf), "%s%s", name, modifiers[i].suffix);
		if (lib_encode(t, buf, &code) != 1)
			continue;
		snprintf(why, sizeof(why), "modifiers are not supported %s",
			 modifiers[i].why);
		refused_name(t, buf, why, "%s: %s is refused", how,
			     modifiers[i].suffix);
		return;
	}
	tap_skip("the PMU takes none of the modifiers tried",
		 "%s: a modifier %s is refused", how,
		 group ? "no condition can say" : "a condition can say");
}

/* SECTION_CHECKS checks against the core PMU libpfm4 reports as @want. */
static void run_checks(enum vpmu_target t, const char *want, const char *how)
{
	char why[512], buf[512], ok_name[256], umask_name[256];
	struct vpmu_event_enc got, enc, conv;
	const char *pmu_name, *name = NULL;
	pfm_pmu_info_t pmu, perf;
	enum vpmu_target other;
	uint64_t code = 0;
	size_t i;
	int cnt;

	pmu_name = vpmu_pfm_host_pmu(why, sizeof(why));
	if (!tap_check(pmu_name && !strcmp(pmu_name, want),
		       "%s: the host's core PMU is %s", how, want))
		tap_diag("  got %s (%s)", pmu_name ? pmu_name : "none",
			 pmu_name ? "" : why);
	lib_load();
	if (!lib_pmu(want, &pmu))
		tap_bail("libpfm4 has no present PMU %s", want);

	/* A well-known name, or the first event that resolves. */
	check_all_events(t, &pmu, ok_name, sizeof(ok_name), umask_name,
			 sizeof(umask_name), how);
	for (i = 0; i < ARRAY_SIZE(well_known); i++) {
		snprintf(buf, sizeof(buf), "%s::%s", pmu.name,
			 well_known[i].name);
		if (well_known[i].t == t && lib_encode(t, buf, &code) == 1) {
			name = well_known[i].name;
			enc = well_known[i].enc;
			break;
		}
	}
	if (name) {
		if (!tap_check(convert(t, code, &conv) && enc_eq(&conv, &enc),
			       "%s: libpfm4 encodes %s as expected", how,
			       name)) {
			tap_diag("  libpfm4: 0x%llx",
				 (unsigned long long)code);
			dump_enc("want", &enc);
		}
	} else if (*ok_name) {
		name = ok_name;
		lib_encode(t, name, &code);
		convert(t, code, &enc);
		tap_skip("no well-known name on this PMU",
			 "%s: libpfm4 encodes the well-known name as expected",
			 how);
	} else {
		tap_bail("no event of %s resolves", pmu.name);
	}
	memset(&got, 0, sizeof(got));
	cnt = vpmu_pfm_lookup(t, name, &got, why, sizeof(why));
	if (!tap_check(cnt == 1 && enc_eq(&got, &enc), "%s: %s resolves",
		       how, name)) {
		tap_diag("  %d: %s", cnt, cnt ? "" : why);
		dump_enc("got", &got);
		dump_enc("want", &enc);
	}
	check_policy(t, name, &enc, how);

	snprintf(buf, sizeof(buf),
		 "libpfm4 does not know this event for the host's PMU \"%s\" (%s)",
		 pmu.name, pmu.desc);
	refused_name(t, "VPMU_NO_SUCH_EVENT", buf,
		     "%s: an unknown name is refused", how);

	/* Modifiers a condition can say, and ones none can. */
	check_modifier(t, name, 0, how);
	check_modifier(t, name, 1, how);

	/* The other target of the same architecture, if there is one. */
	if (t == VPMU_TARGET_ARM64) {
		tap_skip("arm64 is one target",
			 "%s: the other vendor is refused", how);
	} else {
		other = t == VPMU_TARGET_X86_AMD ? VPMU_TARGET_X86_INTEL :
						   VPMU_TARGET_X86_AMD;
		snprintf(buf, sizeof(buf),
			 "the policy is for %s and libpfm4 only knows this host's PMU, an %s one: check the policy on an %s host",
			 vpmu_target_name(other), vpmu_target_name(t),
			 vpmu_target_name(other));
		refused_name(other, name, buf,
			     "%s: %s for the other x86 vendor is refused", how,
			     name);
	}

	/* Not a core PMU's event. */
	if (lib_pmu("perf", &perf)) {
		snprintf(buf, sizeof(buf),
			 "an event of libpfm4's \"perf\" PMU (%s), not of the host's core PMU \"%s\"",
			 perf.desc, pmu.name);
		refused_name(t, "perf::PERF_COUNT_HW_CPU_CYCLES", buf,
			     "%s: a perf generic PMU event is refused", how);
	} else {
		tap_skip("libpfm4 has no perf PMU here",
			 "%s: a perf generic PMU event is refused", how);
	}

	/* An event that needs a unit mask, without one. */
	if (*umask_name) {
		refused_name(t, umask_name,
			     "libpfm4 cannot encode it: invalid or missing unit mask",
			     "%s: %s without its required unit mask is refused",
			     how, umask_name);
	} else {
		tap_skip("every event of this PMU has a default unit mask",
			 "%s: an event without its required unit mask is refused",
			 how);
	}
}

/* What run_checks() checks, in order, for skipping it. */
static const char *const section_checks[SECTION_CHECKS] = {
	"the host's core PMU",
	"every event of the PMU: pfm.c agrees with libpfm4's encoding",
	"some events of the PMU resolve",
	"libpfm4 encodes the well-known name as expected",
	"the well-known name resolves",
	"a policy with the name compiles",
	"policy: header",
	"policy: 2 rules",
	"policy: the rules",
	"an unknown name is refused",
	"a modifier a condition can say is refused",
	"a modifier no condition can say is refused",
	"the other vendor is refused",
	"a perf generic PMU event is refused",
	"an event without its required unit mask is refused",
};

static void skip_section(const char *reason, const char *how)
{
	int i;

	for (i = 0; i < SECTION_CHECKS; i++)
		tap_skip(reason, "%s: %s", how, section_checks[i]);
}

/* A PMU libpfm4 can be forced to on a host of target @t, or NULL. */
static const char *force_pmu(enum vpmu_target t)
{
	switch (t) {
	case VPMU_TARGET_X86_INTEL:
		return "skl";
	case VPMU_TARGET_X86_AMD:
		return "amd64_fam19h_zen4";
	default:
		return NULL;
	}
}

/*
 * In a child process, with LIBPFM_FORCE_PMU=@force if not NULL: the host
 * PMU pfm.c finds (into @out, return 'K'), or its reason (into @out,
 * 'U' if libpfm4 loads, 'M' if it does not); with @name, then the reason
 * vpmu_pfm_lookup() gives for it on @t (or "resolves") after a '\n'.
 */
static char probe(const char *force, enum vpmu_target t, const char *name,
		  char *out, size_t len)
{
	char buf[1024], why[512];
	const char *pmu;
	int fd[2], st;
	ssize_t n;
	pid_t pid;

	if (pipe(fd))
		tap_bail("pipe");
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (!pid) {
		close(fd[0]);
		if (force)
			setenv("LIBPFM_FORCE_PMU", force, 1);
		pmu = vpmu_pfm_host_pmu(why, sizeof(why));
		if (pmu)
			n = snprintf(buf, sizeof(buf), "K%s", pmu);
		else
			n = snprintf(buf, sizeof(buf), "%c%s",
				     dlopen("libpfm.so.4", RTLD_NOW) ? 'U' :
								       'M',
				     why);
		if (pmu && name) {
			if (vpmu_pfm_lookup(t, name, NULL, why, sizeof(why)))
				snprintf(why, sizeof(why), "resolves");
			n += snprintf(buf + n, sizeof(buf) - n, "\n%s", why);
		}
		if (write(fd[1], buf, strlen(buf)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	n = read(fd[0], buf, sizeof(buf) - 1);
	close(fd[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) || n < 1)
		tap_bail("probe child failed");
	buf[n] = 0;
	snprintf(out, len, "%s", buf + 1);
	return buf[0];
}

int main(void)
{
	char host_why[1024], buf[1024], want[768];
	const char *forced, *nl;
	enum vpmu_target other;
	int host;
	char st;

	tap_plan(PLAN);
	host = vpmu_target_host();
	if (host < 0)
		tap_bail("vpmu_target_host: unknown host");
	tap_diag("host target %s", vpmu_target_name(host));

	/* Refused before libpfm4 is loaded: no child needed. */
	other = host == VPMU_TARGET_ARM64 ? VPMU_TARGET_X86_INTEL :
					    VPMU_TARGET_ARM64;
	snprintf(buf, sizeof(buf),
		 "the policy is for %s and libpfm4 only knows this host's PMU, an %s one: check the policy on an %s host",
		 vpmu_target_name(other), vpmu_target_name(host),
		 vpmu_target_name(other));
	refused_name(other, "INST_RETIRED", buf,
		     "a pfm: name for the other architecture");
	refused_name(host, "", "no libpfm4 event name after \"pfm:\"",
		     "an empty pfm: name");
	refused_name(host, "INST_RETIRED,CYCLES",
		     "one libpfm4 event per name (libpfm4 would ignore what follows ',')",
		     "two events in one pfm: name");

	st = probe(NULL, host, NULL, host_why, sizeof(host_why));
	tap_diag("libpfm4 on this host: %s", host_why);

	/* The PMU libpfm4 encodes for is another vendor's (forced). */
	other = host == VPMU_TARGET_X86_AMD ? VPMU_TARGET_X86_INTEL :
					      VPMU_TARGET_X86_AMD;
	forced = host == VPMU_TARGET_ARM64 ? NULL : force_pmu(other);
	if (st == 'M' || !forced) {
		tap_skip(st == 'M' ? host_why : "no other vendor on arm64",
			 "an encoding for the other x86 vendor's PMU");
	} else {
		char got[1024];
		const char *wk = other == VPMU_TARGET_X86_INTEL ?
					 "INST_RETIRED.ANY_P" :
					 "RETIRED_INSTRUCTIONS";

		if (probe(forced, host, wk, got, sizeof(got)) != 'K') {
			tap_skip("libpfm4 cannot be forced to the other vendor's PMU",
				 "an encoding for the other x86 vendor's PMU");
		} else {
			nl = strchr(got, '\n');
			snprintf(want, sizeof(want),
				 "the policy is for %s and libpfm4 encodes it for this host's PMU \"%s\", an %s one: check the policy on an %s host",
				 vpmu_target_name(host), forced,
				 vpmu_target_name(other),
				 vpmu_target_name(host));
			if (!tap_check(nl && !strcmp(nl + 1, want),
				       "an encoding for the other x86 vendor's PMU (LIBPFM_FORCE_PMU=%s) is refused",
				       forced)) {
				tap_diag("  got:  %s", nl ? nl + 1 : got);
				tap_diag("  want: %s", want);
			}
		}
	}

	/* The host's own PMU. */
	if (st == 'K')
		run_checks(host, host_why, "host");
	else
		skip_section(host_why, "host");

	/* libpfm4 forced to a PMU of the host's vendor. */
	forced = force_pmu(host);
	if (st == 'K') {
		skip_section("libpfm4 knows the host's PMU (checked above)",
			     "forced");
	} else if (st == 'M') {
		skip_section(host_why, "forced");
	} else if (!forced) {
		skip_section("no PMU to force on this target", "forced");
	} else if (getenv("LIBPFM_FORCE_PMU")) {
		skip_section("LIBPFM_FORCE_PMU is set already", "forced");
	} else {
		setenv("LIBPFM_FORCE_PMU", forced, 1);
		snprintf(buf, sizeof(buf), "forced to %s", forced);
		run_checks(host, forced, buf);
	}
	return tap_finish();
}
