// SPDX-License-Identifier: GPL-2.0
/*
 * "pfm:" event names, resolved through libpfm4.
 *
 * libpfm4 is loaded with dlopen() at the first "pfm:" name rather than
 * linked, so that it stays optional at run time; if it is missing, the
 * next "pfm:" name tries again (a daemon started before it was installed
 * picks it up at its next reload).  Its public API (perfmon/pfmlib.h) is
 * called through pointers from dlsym().  Not thread-safe: the daemon and
 * vpmuctl compile policies from one thread.
 *
 * An event is encoded with PFM_OS_NONE, which gives the PMU's own register
 * layout: on x86 the event select register (IA32_PERFEVTSELx /
 * PerfEvtSeln: select 7:0, unit mask 15:8, USR 16, OS 17, edge 18, INT 20,
 * any thread 21, EN 22, inv 23, cmask 31:24; Intel in_tx 32, in_tx_cp 33;
 * AMD select 11:8 in 35:32, guest only 40, host only 41), on arm64
 * PMEVTYPER<n>_EL0 (event 15:0, NSH 27, U 30, P 31).  A rule matches an
 * event select and a unit mask; what libpfm4 sets beyond those (its
 * modifiers) is refused, not dropped, since a rule that silently ignored
 * them would cover more than the name says.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <perfmon/pfmlib.h>

#include "pfm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PFM_SONAME	"libpfm.so.4"

/* PMU ids a newer libpfm4 may have past this header's PFM_PMU_MAX. */
#define PMU_ID_SLACK	256

/* x86 event select register bits (see above). */
#define X86_USR		(1ULL << 16)
#define X86_OS		(1ULL << 17)
#define X86_EDGE	(1ULL << 18)
#define X86_INT		(1ULL << 20)
#define X86_ANY		(1ULL << 21)
#define X86_EN		(1ULL << 22)
#define X86_INV		(1ULL << 23)
#define X86_CMASK	(0xffULL << 24)
#define INTEL_INTX	(1ULL << 32)
#define INTEL_INTXCP	(1ULL << 33)
#define AMD_SEL_HI	(0xfULL << 32)
#define AMD_GUEST	(1ULL << 40)
#define AMD_HOST	(1ULL << 41)

/* arm64 PMEVTYPER<n>_EL0 bits. */
#define ARM64_EVENT	0xffffULL
#define ARM64_NSH	(1ULL << 27)
#define ARM64_U		(1ULL << 30)
#define ARM64_P		(1ULL << 31)

static struct {
	bool loaded;		/* dlopen() and pfm_initialize() done */
	bool failed;		/* ... and one failed (why says how) */
	char why[256];
	pfm_err_t (*initialize)(void);
	const char *(*strerror)(int code);
	pfm_err_t (*get_pmu_info)(pfm_pmu_t pmu, pfm_pmu_info_t *info);
	pfm_err_t (*get_event_info)(int idx, pfm_os_t os,
				    pfm_event_info_t *info);
	pfm_err_t (*get_os_event_encoding)(const char *str, int dfl_plm,
					   pfm_os_t os, void *arg);
	const char *core;	/* the host's core PMU */
	const char *core_desc;
} pfm;

static void *pfm_sym(void *h, const char *name)
{
	void *fn = dlsym(h, name);

	if (!fn)
		snprintf(pfm.why, sizeof(pfm.why), "%s has no %s (%s)",
			 PFM_SONAME, name, dlerror());
	return fn;
}

/* Set pfm.@field to libpfm4's @field, false if it has none. */
#define PFM_SYM(h, field) \
	((pfm.field = (__typeof__(pfm.field))pfm_sym(h, "pfm_" #field)))

/*
 * The host's core PMU: the first present core PMU libpfm4 has a model for,
 * else its architectural default (Intel's "ix86arch").
 */
static bool pfm_find_core(void)
{
	pfm_pmu_info_t info, dfl = { 0 };
	int id;

	for (id = 0; id < PFM_PMU_MAX + PMU_ID_SLACK; id++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm.get_pmu_info(id, &info) != PFM_SUCCESS ||
		    !info.is_present || info.type != PFM_PMU_TYPE_CORE)
			continue;
		if (info.is_dfl) {
			if (!dfl.name)
				dfl = info;
			continue;
		}
		pfm.core = info.name;
		pfm.core_desc = info.desc;
		return true;
	}
	pfm.core = dfl.name;
	pfm.core_desc = dfl.desc;
	return pfm.core;
}

static bool pfm_load(void)
{
	void *h;
	int ret;

	if (pfm.loaded)
		return !pfm.failed;
	h = dlopen(PFM_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(pfm.why, sizeof(pfm.why),
			 "libpfm4 is not installed or cannot be loaded: %s",
			 dlerror());
		return false;
	}
	pfm.loaded = true;
	pfm.failed = true;
	if (!PFM_SYM(h, initialize) || !PFM_SYM(h, strerror) ||
	    !PFM_SYM(h, get_pmu_info) || !PFM_SYM(h, get_event_info) ||
	    !PFM_SYM(h, get_os_event_encoding))
		return false;
	ret = pfm.initialize();
	if (ret != PFM_SUCCESS) {
		snprintf(pfm.why, sizeof(pfm.why),
			 "libpfm4 failed to initialise: %s",
			 pfm.strerror(ret));
		return false;
	}
	if (!pfm_find_core()) {
		snprintf(pfm.why, sizeof(pfm.why),
			 "libpfm4 does not know this host's PMU (it detected no core PMU)");
		return false;
	}
	pfm.failed = false;
	return true;
}

const char *vpmu_pfm_host_pmu(char *why, size_t len)
{
	if (pfm_load())
		return pfm.core;
	snprintf(why, len, "%s", pfm.why);
	return NULL;
}

/* The target this build's host is, as far as the build can tell. */
static int build_target(void)
{
	static int host = -2;

	if (host == -2)
		host = vpmu_target_host();
	if (host >= 0)
		return host;
#if defined(__aarch64__)
	return VPMU_TARGET_ARM64;
#else
	return -1;
#endif
}

/* The target of an encoding by the core PMU @pmu of this host. */
static enum vpmu_target pmu_target(const char *pmu)
{
#if defined(__aarch64__)
	(void)pmu;
	return VPMU_TARGET_ARM64;
#else
	/* libpfm4's AMD PMUs are "amd64", "amd64_fam17h_zen2" ... */
	if (!strncmp(pmu, "amd64", 5))
		return VPMU_TARGET_X86_AMD;
	return VPMU_TARGET_X86_INTEL;
#endif
}

/* What an encoding sets beyond event and unit mask, for the message. */
struct mods {
	char all[160];		/* every modifier, comma-separated */
	char none[160];		/* those no rule condition tests */
};

static void __attribute__((format(printf, 3, 4)))
mod_add(struct mods *m, bool testable, const char *fmt, ...)
{
	char item[64];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	n = strlen(m->all);
	snprintf(m->all + n, sizeof(m->all) - n, "%s%s", n ? ", " : "", item);
	if (testable)
		return;
	n = strlen(m->none);
	snprintf(m->none + n, sizeof(m->none) - n, "%s%s", n ? ", " : "",
		 item);
}

/* 0 with the reason if @m has any modifier, else 1. */
static int mods_check(const struct mods *m, char *why, size_t len)
{
	if (!m->all[0])
		return 1;
	if (m->none[0])
		snprintf(why, len,
			 "modifiers are not supported (libpfm4 encodes %s): no rule condition tests %s",
			 m->all, m->none);
	else
		snprintf(why, len,
			 "modifiers are not supported (libpfm4 encodes %s): write them as the rule's conditions",
			 m->all);
	return 0;
}

static int x86_enc(enum vpmu_target t, uint64_t code,
		   struct vpmu_event_enc *out, char *why, size_t len)
{
	uint64_t known = 0xffff | X86_USR | X86_OS | X86_EDGE | X86_INT |
			 X86_ANY | X86_EN | X86_INV | X86_CMASK;
	bool amd = t == VPMU_TARGET_X86_AMD;
	struct mods m = { "", "" };
	uint32_t sel = code & 0xff;
	uint8_t umask = (code >> 8) & 0xff;

	if (amd) {
		sel |= ((code >> 32) & 0xf) << 8;
		known |= AMD_SEL_HI | AMD_GUEST | AMD_HOST;
	} else {
		known |= INTEL_INTX | INTEL_INTXCP;
	}
	if (!(code & X86_USR))
		mod_add(&m, true, "\"usr\": false");
	if (!(code & X86_OS))
		mod_add(&m, true, "\"os\": false");
	if (code & X86_EDGE)
		mod_add(&m, true, "\"edge\": true");
	if (code & X86_INV)
		mod_add(&m, true, "\"inv\": true");
	if (code & X86_CMASK)
		mod_add(&m, true, "\"cmask\": %u",
			(unsigned int)((code & X86_CMASK) >> 24));
	if (code & X86_ANY)
		mod_add(&m, false, "any-thread (bit 21)");
	if (amd && (code & AMD_GUEST))
		mod_add(&m, false, "guest-only (bit 40)");
	if (amd && (code & AMD_HOST))
		mod_add(&m, false, "host-only (bit 41)");
	if (!amd && (code & INTEL_INTX))
		mod_add(&m, false, "in_tx (bit 32)");
	if (!amd && (code & INTEL_INTXCP))
		mod_add(&m, false, "in_tx_cp (bit 33)");
	if (code & ~known)
		mod_add(&m, false, "bits 0x%llx",
			(unsigned long long)(code & ~known));
	if (!mods_check(&m, why, len))
		return 0;
	if (!amd && !sel) {
		/* perf's pseudo-encodings of fixed counters, as 0x0300 */
		snprintf(why, len,
			 "libpfm4 encodes it as select 0x00 unit mask 0x%02x, a fixed counter's pseudo-encoding: use a \"fixed\" entry",
			 umask);
		return 0;
	}
	if (out) {
		out->space = VPMU_SPACE_X86_GP;
		out->event = sel;
		out->umask = umask;
		out->kinds = VPMU_KIND_GP;
	}
	return 1;
}

static int arm64_enc(uint64_t code, struct vpmu_event_enc *out, char *why,
		     size_t len)
{
	uint64_t known = ARM64_EVENT | ARM64_NSH | ARM64_U | ARM64_P;
	struct mods m = { "", "" };
	uint32_t ev = code & ARM64_EVENT;

	if (code & ARM64_U)
		mod_add(&m, true, "\"usr\": false");
	if (code & ARM64_P)
		mod_add(&m, true, "\"os\": false");
	if (code & ARM64_NSH)
		mod_add(&m, true, "\"el2\": true");
	if (code & ~known)
		mod_add(&m, false, "bits 0x%llx",
			(unsigned long long)(code & ~known));
	if (!mods_check(&m, why, len))
		return 0;
	if (out) {
		out->space = VPMU_SPACE_ARM64;
		out->event = ev;
		out->umask = -1;
		out->kinds = VPMU_KIND_GP | (ev == 0x11 ? VPMU_KIND_CYCLE : 0);
	}
	return 1;
}

int vpmu_pfm_lookup(enum vpmu_target t, const char *name,
		    struct vpmu_event_enc *out, char *why, size_t len)
{
	pfm_pmu_encode_arg_t arg;
	pfm_event_info_t ev;
	pfm_pmu_info_t pmu;
	uint64_t codes[4];
	int host, ret, plm;
	enum vpmu_target et;

	if (!vpmu_target_name(t)) {
		snprintf(why, len, "unknown target %d", (int)t);
		return 0;
	}
	if (!*name) {
		snprintf(why, len, "no libpfm4 event name after \"pfm:\"");
		return 0;
	}
	if (strchr(name, ',')) {
		snprintf(why, len,
			 "one libpfm4 event per name (libpfm4 would ignore what follows ',')");
		return 0;
	}
	host = build_target();
	if (host >= 0 && host != (int)t) {
		snprintf(why, len,
			 "the policy is for %s and libpfm4 only knows this host's PMU, an %s one: check the policy on an %s host",
			 vpmu_target_name(t), vpmu_target_name(host),
			 vpmu_target_name(t));
		return 0;
	}
	if (host < 0 && t == VPMU_TARGET_ARM64) {
		snprintf(why, len,
			 "the policy is for arm64 and libpfm4 only knows this host's PMU, not an arm64 one: check the policy on an arm64 host");
		return 0;
	}
	if (!pfm_load()) {
		snprintf(why, len, "%s", pfm.why);
		return 0;
	}

	memset(&arg, 0, sizeof(arg));
	arg.codes = codes;
	arg.count = ARRAY_SIZE(codes);
	arg.size = sizeof(arg);
	/* Count at every level: a narrower level would be a modifier. */
	plm = PFM_PLM0 | PFM_PLM3;
	if (t == VPMU_TARGET_ARM64)
		plm |= PFM_PLMH;
	ret = pfm.get_os_event_encoding(name, plm, PFM_OS_NONE, &arg);
	if (ret == PFM_ERR_NOTFOUND) {
		snprintf(why, len,
			 "libpfm4 does not know this event for the host's PMU \"%s\" (%s)",
			 pfm.core, pfm.core_desc);
		return 0;
	}
	if (ret == PFM_ERR_TOOSMALL) {
		snprintf(why, len,
			 "libpfm4 encodes it in more than %zu registers; a rule matches an event select and unit mask only",
			 ARRAY_SIZE(codes));
		return 0;
	}
	if (ret != PFM_SUCCESS) {
		snprintf(why, len, "libpfm4 cannot encode it: %s",
			 pfm.strerror(ret));
		return 0;
	}

	memset(&ev, 0, sizeof(ev));
	ev.size = sizeof(ev);
	memset(&pmu, 0, sizeof(pmu));
	pmu.size = sizeof(pmu);
	ret = pfm.get_event_info(arg.idx, PFM_OS_NONE, &ev);
	if (ret == PFM_SUCCESS)
		ret = pfm.get_pmu_info(ev.pmu, &pmu);
	if (ret != PFM_SUCCESS) {
		snprintf(why, len, "libpfm4 has no PMU for its encoding: %s",
			 pfm.strerror(ret));
		return 0;
	}
	if (pmu.type != PFM_PMU_TYPE_CORE) {
		snprintf(why, len,
			 "an event of libpfm4's \"%s\" PMU (%s), not of the host's core PMU \"%s\"",
			 pmu.name, pmu.desc, pfm.core);
		return 0;
	}
	et = pmu_target(pmu.name);
	if (et != t) {
		snprintf(why, len,
			 "the policy is for %s and libpfm4 encodes it for this host's PMU \"%s\", an %s one: check the policy on an %s host",
			 vpmu_target_name(t), pmu.name, vpmu_target_name(et),
			 vpmu_target_name(t));
		return 0;
	}
	if (arg.count != 1) {
		snprintf(why, len,
			 "libpfm4 encodes it in %d registers (an extra register such as an offcore response or a latency threshold); a rule matches an event select and unit mask only",
			 arg.count);
		return 0;
	}
	if (t == VPMU_TARGET_ARM64)
		return arm64_enc(codes[0], out, why, len);
	return x86_enc(t, codes[0], out, why, len);
}
