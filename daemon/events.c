// SPDX-License-Identifier: GPL-2.0
/*
 * Event names per target.
 *
 * Every encoding below comes from the Linux 7.3 sources or the vendor
 * event lists they carry; each table says where.  A name is only listed
 * where its encoding is the same on every CPU of the target, or where the
 * kernel's own perf map differs between CPUs of the target and the name
 * then stands for each encoding the map uses (a guest kernel programs
 * whichever one its CPU model selects, so a policy naming the event has to
 * cover all of them).
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "events.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Longest name the suggester compares; every table name is shorter. */
#define NAME_MAX_LEN 64

struct event_def {
	const char *name;
	/* Unused slots have space 0 (VPMU_SPACE_HEADER, never an event). */
	struct vpmu_event_enc enc[VPMU_EVENT_MAX_ENCS];
};

#define X86_GP(sel, um)                                                 \
	{ .space = VPMU_SPACE_X86_GP, .event = (sel), .umask = (um),    \
	  .kinds = VPMU_KIND_GP }
#define X86_FIXED(idx)                                                  \
	{ .space = VPMU_SPACE_X86_FIXED, .event = (idx), .umask = -1,   \
	  .kinds = VPMU_KIND_FIXED }
#define PMUV3(num)                                                      \
	{ .space = VPMU_SPACE_ARM64, .event = (num), .umask = -1,       \
	  .kinds = VPMU_KIND_GP }
/* 0x11 is the one event the dedicated cycle counter (PMCCNTR) counts. */
#define PMUV3_CYCLES                                                    \
	{ .space = VPMU_SPACE_ARM64, .event = 0x11, .umask = -1,        \
	  .kinds = VPMU_KIND_GP | VPMU_KIND_CYCLE }

#define EV(n, ...) { .name = (n), .enc = { __VA_ARGS__ } }
/* arm64 architectural events are named by their Arm ARM mnemonic. */
#define ARCH(num, mnemonic) EV(#mnemonic, PMUV3(num))

/*
 * Intel.  The order is the display preference of vpmu_event_name(): the
 * perf names first, as they are the same on every Intel core while the
 * vendor mnemonics for one encoding change between core generations.
 *
 * Generic names: intel_perfmon_event_map in arch/x86/events/intel/core.c
 * (cycles 0x003c, instructions 0x00c0, cache-references 0x4f2e,
 * cache-misses 0x412e, branches 0x00c4, branch-misses 0x00c5, bus-cycles
 * 0x013c, ref-cycles the fixed counter 2 pseudo-encoding 0x0300 or 0x013c
 * where that counter is missing, intel_pmu_ref_cycles_ext()).  Fixed
 * counters 0-3 count INST_RETIRED.ANY, CPU_CLK_UNHALTED.THREAD,
 * CPU_CLK_UNHALTED.REF_TSC and TOPDOWN.SLOTS
 * (arch/x86/include/asm/perf_event.h, MSR_ARCH_PERFMON_FIXED_CTR0..3), so
 * each of those names covers its general-purpose encoding and its fixed
 * counter.
 *
 * Intel mnemonics: the SDM's architectural events (Vol. 3B, "Pre-defined
 * Architectural Performance Events"; the same list as
 * tools/testing/selftests/kvm/include/x86/pmu.h INTEL_ARCH_*), named as
 * tools/perf/pmu-events/arch/x86/<core>/ name them.  Only mnemonics whose
 * encoding is the same in every core's list are here: the topdown
 * bad-speculation, frontend-bound and retiring events are not, as their
 * mnemonics name different selects on different cores.
 *
 * Not here: stalled-cycles-frontend/backend, which the kernel maps only on
 * Nehalem to Ivy Bridge and only with inv=1,cmask=1; a name cannot carry
 * those bits, and the bare selects (UOPS_ISSUED, UOPS_DISPATCHED) would
 * allow far more than stall cycles.
 */
static const struct event_def intel_events[] = {
	EV("cycles", X86_GP(0x3c, 0x00), X86_FIXED(1)),
	EV("cpu-cycles", X86_GP(0x3c, 0x00), X86_FIXED(1)),
	EV("instructions", X86_GP(0xc0, 0x00), X86_FIXED(0)),
	EV("ref-cycles", X86_GP(0x3c, 0x01), X86_FIXED(2)),
	EV("cache-references", X86_GP(0x2e, 0x4f)),
	EV("cache-misses", X86_GP(0x2e, 0x41)),
	EV("branch-instructions", X86_GP(0xc4, 0x00)),
	EV("branches", X86_GP(0xc4, 0x00)),
	EV("branch-misses", X86_GP(0xc5, 0x00)),
	EV("bus-cycles", X86_GP(0x3c, 0x01)),
	EV("topdown-slots", X86_GP(0xa4, 0x01), X86_FIXED(3)),

	EV("INST_RETIRED.ANY", X86_GP(0xc0, 0x00), X86_FIXED(0)),
	EV("INST_RETIRED.ANY_P", X86_GP(0xc0, 0x00)),
	EV("CPU_CLK_UNHALTED.THREAD", X86_GP(0x3c, 0x00), X86_FIXED(1)),
	EV("CPU_CLK_UNHALTED.THREAD_P", X86_GP(0x3c, 0x00)),
	/* The Atom cores' names for the two above. */
	EV("CPU_CLK_UNHALTED.CORE", X86_GP(0x3c, 0x00), X86_FIXED(1)),
	EV("CPU_CLK_UNHALTED.CORE_P", X86_GP(0x3c, 0x00)),
	EV("CPU_CLK_UNHALTED.REF_TSC", X86_GP(0x3c, 0x01), X86_FIXED(2)),
	EV("CPU_CLK_UNHALTED.REF_TSC_P", X86_GP(0x3c, 0x01)),
	/* Haswell to Tiger Lake's name for 0x3c/0x01. */
	EV("CPU_CLK_UNHALTED.REF_XCLK", X86_GP(0x3c, 0x01)),
	EV("LONGEST_LAT_CACHE.REFERENCE", X86_GP(0x2e, 0x4f)),
	EV("LONGEST_LAT_CACHE.MISS", X86_GP(0x2e, 0x41)),
	EV("BR_INST_RETIRED.ALL_BRANCHES", X86_GP(0xc4, 0x00)),
	EV("BR_MISP_RETIRED.ALL_BRANCHES", X86_GP(0xc5, 0x00)),
	EV("TOPDOWN.SLOTS", X86_GP(0xa4, 0x01), X86_FIXED(3)),
	EV("TOPDOWN.SLOTS_P", X86_GP(0xa4, 0x01)),
	EV("TOPDOWN.BACKEND_BOUND_SLOTS", X86_GP(0xa4, 0x02)),
	EV("LBR_INSERTS.ANY", X86_GP(0xe4, 0x01)),
};

/*
 * AMD, family 17h and later (Zen).  Order as for Intel.
 *
 * Generic names: amd_zen1_perfmon_event_map, amd_zen2_perfmon_event_map
 * (Zen 2, Zen 3) and amd_zen4_perfmon_event_map (Zen 4 and later) in
 * arch/x86/events/amd/core.c.  They agree except on the stall events
 * (Zen 1: frontend 0x0287, backend 0x0187; Zen 2 on: frontend 0x00a9, no
 * backend) and ref-cycles (Zen 4 on: 0x100000120, select bit 32 set, so
 * select 0x120 here); the stall names take both generations' encodings.
 * Pre-Zen families (amd_perfmon_event_map) are not a target.
 *
 * PPR mnemonics: tools/perf/pmu-events/arch/x86/amdzen1..amdzen6, which
 * transcribe the AMD PPRs; only where the encoding is the same in every
 * Zen generation that has the event (so no L2_REQUEST_G1.ALL, whose unit
 * mask changes in Zen 5).
 */
static const struct event_def amd_events[] = {
	EV("cycles", X86_GP(0x076, 0x00)),
	EV("cpu-cycles", X86_GP(0x076, 0x00)),
	EV("instructions", X86_GP(0x0c0, 0x00)),
	EV("ref-cycles", X86_GP(0x120, 0x01)),
	EV("cache-references", X86_GP(0x060, 0xff)),
	EV("cache-misses", X86_GP(0x064, 0x09)),
	EV("branch-instructions", X86_GP(0x0c2, 0x00)),
	EV("branches", X86_GP(0x0c2, 0x00)),
	EV("branch-misses", X86_GP(0x0c3, 0x00)),
	EV("stalled-cycles-frontend", X86_GP(0x0a9, 0x00), X86_GP(0x087, 0x02)),
	EV("stalled-cycles-backend", X86_GP(0x087, 0x01)),

	EV("LS_NOT_HALTED_CYC", X86_GP(0x076, 0x00)),
	EV("EX_RET_INSTR", X86_GP(0x0c0, 0x00)),
	/* Zen 4 on. */
	EV("LS_NOT_HALTED_P0_CYC.P0_FREQ_CYC", X86_GP(0x120, 0x01)),
	EV("L2_CACHE_REQ_STAT.IC_DC_MISS_IN_L2", X86_GP(0x064, 0x09)),
	EV("EX_RET_BRN", X86_GP(0x0c2, 0x00)),
	EV("EX_RET_BRN_MISP", X86_GP(0x0c3, 0x00)),
	/* Zen 2 on; Zen 2 and 3 call it DE_DIS_UOP_QUEUE_EMPTY_DI0. */
	EV("DE_OP_QUEUE_EMPTY", X86_GP(0x0a9, 0x00)),
	EV("DE_DIS_UOP_QUEUE_EMPTY_DI0", X86_GP(0x0a9, 0x00)),
	/* Zen 1 to 3. */
	EV("IC_FETCH_STALL.IC_STALL_DQ_EMPTY", X86_GP(0x087, 0x02)),
	EV("IC_FETCH_STALL.IC_STALL_BACK_PRESSURE", X86_GP(0x087, 0x01)),
};

/*
 * arm64 PMUv3.  Here the architectural mnemonics come first: they are the
 * architecture's own names for single events, while one perf name can
 * cover two (branch-instructions).
 *
 * Architectural and microarchitectural common events:
 * include/linux/perf/arm_pmuv3.h (ARMV8_PMUV3_PERFCTR_*, and the
 * 0x4000-range ARMV8_SPE_, ARMV8_AMU_ and ARMV8_MTE_PERFCTR_* events),
 * with the Arm ARM's mnemonics.  The "recommended IMPLEMENTATION DEFINED"
 * numbers from 0x40 (ARMV8_IMPDEF_PERFCTR_*) are left out: a CPU may give
 * them another meaning, and a name should not allow an event it does not
 * describe.
 *
 * Generic names: armv8_pmuv3_perf_map in drivers/perf/arm_pmuv3.c, and
 * armv8_pmuv3_map_event() for branch-instructions, which is BR_RETIRED
 * where implemented and PC_WRITE_RETIRED otherwise.  cpu-cycles and
 * bus-cycles need no entry of their own: with '-' and '_' alike they
 * already are CPU_CYCLES and BUS_CYCLES, the events the map gives them.
 * There is no ref-cycles on arm64.
 */
static const struct event_def arm64_events[] = {
	ARCH(0x00, SW_INCR),
	ARCH(0x01, L1I_CACHE_REFILL),
	ARCH(0x02, L1I_TLB_REFILL),
	ARCH(0x03, L1D_CACHE_REFILL),
	ARCH(0x04, L1D_CACHE),
	ARCH(0x05, L1D_TLB_REFILL),
	ARCH(0x06, LD_RETIRED),
	ARCH(0x07, ST_RETIRED),
	ARCH(0x08, INST_RETIRED),
	ARCH(0x09, EXC_TAKEN),
	ARCH(0x0a, EXC_RETURN),
	ARCH(0x0b, CID_WRITE_RETIRED),
	ARCH(0x0c, PC_WRITE_RETIRED),
	ARCH(0x0d, BR_IMMED_RETIRED),
	ARCH(0x0e, BR_RETURN_RETIRED),
	ARCH(0x0f, UNALIGNED_LDST_RETIRED),
	ARCH(0x10, BR_MIS_PRED),
	EV("CPU_CYCLES", PMUV3_CYCLES),
	ARCH(0x12, BR_PRED),
	ARCH(0x13, MEM_ACCESS),
	ARCH(0x14, L1I_CACHE),
	ARCH(0x15, L1D_CACHE_WB),
	ARCH(0x16, L2D_CACHE),
	ARCH(0x17, L2D_CACHE_REFILL),
	ARCH(0x18, L2D_CACHE_WB),
	ARCH(0x19, BUS_ACCESS),
	ARCH(0x1a, MEMORY_ERROR),
	ARCH(0x1b, INST_SPEC),
	ARCH(0x1c, TTBR_WRITE_RETIRED),
	ARCH(0x1d, BUS_CYCLES),
	ARCH(0x1e, CHAIN),
	ARCH(0x1f, L1D_CACHE_ALLOCATE),
	ARCH(0x20, L2D_CACHE_ALLOCATE),
	ARCH(0x21, BR_RETIRED),
	ARCH(0x22, BR_MIS_PRED_RETIRED),
	ARCH(0x23, STALL_FRONTEND),
	ARCH(0x24, STALL_BACKEND),
	ARCH(0x25, L1D_TLB),
	ARCH(0x26, L1I_TLB),
	ARCH(0x27, L2I_CACHE),
	ARCH(0x28, L2I_CACHE_REFILL),
	ARCH(0x29, L3D_CACHE_ALLOCATE),
	ARCH(0x2a, L3D_CACHE_REFILL),
	ARCH(0x2b, L3D_CACHE),
	ARCH(0x2c, L3D_CACHE_WB),
	ARCH(0x2d, L2D_TLB_REFILL),
	ARCH(0x2e, L2I_TLB_REFILL),
	ARCH(0x2f, L2D_TLB),
	ARCH(0x30, L2I_TLB),
	ARCH(0x31, REMOTE_ACCESS),
	ARCH(0x32, LL_CACHE),
	ARCH(0x33, LL_CACHE_MISS),
	ARCH(0x34, DTLB_WALK),
	ARCH(0x35, ITLB_WALK),
	ARCH(0x36, LL_CACHE_RD),
	ARCH(0x37, LL_CACHE_MISS_RD),
	ARCH(0x38, REMOTE_ACCESS_RD),
	ARCH(0x39, L1D_CACHE_LMISS_RD),
	ARCH(0x3a, OP_RETIRED),
	ARCH(0x3b, OP_SPEC),
	ARCH(0x3c, STALL),
	ARCH(0x3d, STALL_SLOT_BACKEND),
	ARCH(0x3e, STALL_SLOT_FRONTEND),
	ARCH(0x3f, STALL_SLOT),
	/* Statistical Profiling Extension */
	ARCH(0x4000, SAMPLE_POP),
	ARCH(0x4001, SAMPLE_FEED),
	ARCH(0x4002, SAMPLE_FILTRATE),
	ARCH(0x4003, SAMPLE_COLLISION),
	/* AMUv1 events, also PMU common events */
	ARCH(0x4004, CNT_CYCLES),
	ARCH(0x4005, STALL_BACKEND_MEM),
	/* Long-latency read misses */
	ARCH(0x4006, L1I_CACHE_LMISS),
	ARCH(0x4009, L2D_CACHE_LMISS_RD),
	ARCH(0x400a, L2I_CACHE_LMISS),
	ARCH(0x400b, L3D_CACHE_LMISS_RD),
	/* Trace buffer */
	ARCH(0x400c, TRB_WRAP),
	ARCH(0x400e, TRB_TRIG),
	/* Trace unit */
	ARCH(0x4010, TRCEXTOUT0),
	ARCH(0x4011, TRCEXTOUT1),
	ARCH(0x4012, TRCEXTOUT2),
	ARCH(0x4013, TRCEXTOUT3),
	ARCH(0x4018, CTI_TRIGOUT4),
	ARCH(0x4019, CTI_TRIGOUT5),
	ARCH(0x401a, CTI_TRIGOUT6),
	ARCH(0x401b, CTI_TRIGOUT7),
	/* Alignment latency */
	ARCH(0x4020, LDST_ALIGN_LAT),
	ARCH(0x4021, LD_ALIGN_LAT),
	ARCH(0x4022, ST_ALIGN_LAT),
	/* Memory Tagging Extension */
	ARCH(0x4024, MEM_ACCESS_CHECKED),
	ARCH(0x4025, MEM_ACCESS_CHECKED_RD),
	ARCH(0x4026, MEM_ACCESS_CHECKED_WR),

	EV("cycles", PMUV3_CYCLES),
	EV("instructions", PMUV3(0x08)),
	EV("cache-references", PMUV3(0x04)),
	EV("cache-misses", PMUV3(0x03)),
	EV("branch-instructions", PMUV3(0x21), PMUV3(0x0c)),
	EV("branches", PMUV3(0x21), PMUV3(0x0c)),
	EV("branch-misses", PMUV3(0x10)),
	EV("stalled-cycles-frontend", PMUV3(0x23)),
	EV("stalled-cycles-backend", PMUV3(0x24)),
};

struct event_table {
	const struct event_def *defs;
	unsigned int nr;
	const char *target_name;
};

static const struct event_table tables[] = {
	[VPMU_TARGET_ARM64] = { arm64_events, ARRAY_SIZE(arm64_events),
				"arm64" },
	[VPMU_TARGET_X86_INTEL] = { intel_events, ARRAY_SIZE(intel_events),
				    "x86-intel" },
	[VPMU_TARGET_X86_AMD] = { amd_events, ARRAY_SIZE(amd_events),
				  "x86-amd" },
};

static const struct event_table *table_of(enum vpmu_target t)
{
	/* Unsigned, so that a stray negative target is out of range too. */
	if ((unsigned int)t >= ARRAY_SIZE(tables))
		return NULL;
	return &tables[t];
}

/* Names compare case-insensitively with '-' and '_' alike. */
static int fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c == '-' ? '_' : c;
}

static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (fold(*a) != fold(*b))
			return false;
	return !*a && !*b;
}

static int nr_encs(const struct event_def *d)
{
	int n = 0;

	while (n < VPMU_EVENT_MAX_ENCS && d->enc[n].space)
		n++;
	return n;
}

int vpmu_event_lookup(enum vpmu_target t, const char *name,
		      struct vpmu_event_enc *out)
{
	const struct event_table *tab = table_of(t);
	unsigned int i;
	int n;

	if (!tab || !name)
		return 0;
	for (i = 0; i < tab->nr; i++) {
		if (!name_eq(tab->defs[i].name, name))
			continue;
		n = nr_encs(&tab->defs[i]);
		if (out)
			memcpy(out, tab->defs[i].enc, n * sizeof(*out));
		return n;
	}
	return 0;
}

/*
 * Levenshtein distance of the folded strings, or @limit + 1 once it is
 * certain to exceed @limit (the caller only cares about near misses).
 */
static unsigned int distance(const char *a, const char *b, unsigned int limit)
{
	unsigned int la = strlen(a), lb = strlen(b), i, j;
	unsigned int row[NAME_MAX_LEN + 1], diag, up, best;

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN ||
	    (la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	/* row[j]: distance of the first i chars of @a to the first j of @b. */
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (fold(a[i - 1]) != fold(b[j - 1]));
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
			if (row[j] < best)
				best = row[j];
		}
		/* Row minima never decrease, so the result will exceed too. */
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

const char *vpmu_event_suggest(enum vpmu_target t, const char *name)
{
	const struct event_table *tab = table_of(t);
	const char *best = NULL;
	unsigned int i, d, best_d = 4;

	if (!tab || !name)
		return NULL;
	/* Ties go to the earlier entry, the preferred spelling. */
	for (i = 0; i < tab->nr; i++) {
		d = distance(name, tab->defs[i].name, 3);
		if (d < best_d) {
			best_d = d;
			best = tab->defs[i].name;
		}
	}
	return best;
}

const char *vpmu_event_name(enum vpmu_target t, uint8_t space, uint32_t event,
			    int umask)
{
	const struct event_table *tab = table_of(t);
	const struct vpmu_event_enc *e;
	unsigned int i;
	int j, n;

	if (!tab)
		return NULL;
	/* The first entry that covers the encoding is the canonical one. */
	for (i = 0; i < tab->nr; i++) {
		n = nr_encs(&tab->defs[i]);
		for (j = 0; j < n; j++) {
			e = &tab->defs[i].enc[j];
			if (e->space != space || e->event != event)
				continue;
			if (space == VPMU_SPACE_X86_GP && e->umask != umask)
				continue;
			return tab->defs[i].name;
		}
	}
	return NULL;
}

const char *vpmu_target_name(enum vpmu_target t)
{
	const struct event_table *tab = table_of(t);

	return tab ? tab->target_name : NULL;
}

int vpmu_target_parse(const char *s)
{
	unsigned int i;

	if (!s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (name_eq(tables[i].target_name, s))
			return i;
	return -1;
}

int vpmu_target_classify(const char *machine, const char *vendor_id)
{
	if (!machine)
		return -1;
	if (!strcmp(machine, "aarch64") || !strcmp(machine, "arm64"))
		return VPMU_TARGET_ARM64;
	if (strcmp(machine, "x86_64") || !vendor_id)
		return -1;
	if (!strcmp(vendor_id, "GenuineIntel"))
		return VPMU_TARGET_X86_INTEL;
	/* Hygon's Dhyana is a Zen core and runs the kernel's AMD PMU code. */
	if (!strcmp(vendor_id, "AuthenticAMD") ||
	    !strcmp(vendor_id, "HygonGenuine"))
		return VPMU_TARGET_X86_AMD;
	return -1;
}

/* The first "vendor_id" of /proc/cpuinfo into @buf; false if there is none. */
static bool cpuinfo_vendor(char *buf, size_t len)
{
	char line[256], *p, *end;
	bool at_start = true, found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		/*
		 * A "flags" line is longer than the buffer; its later pieces
		 * are not line starts and must not be taken for a key.
		 */
		bool start = at_start;

		at_start = strchr(line, '\n') != NULL;
		if (!start || strncmp(line, "vendor_id", 9))
			continue;
		p = strchr(line + 9, ':');
		if (!p)
			continue;
		p += strspn(p + 1, " \t") + 1;
		end = p + strcspn(p, " \t\n");
		if (end == p || (size_t)(end - p) >= len)
			continue;
		memcpy(buf, p, end - p);
		buf[end - p] = '\0';
		found = true;
	}
	fclose(f);
	return found;
}

int vpmu_target_host(void)
{
	struct utsname u;
	char vendor[64];

	if (uname(&u))
		return -1;
	if (strcmp(u.machine, "x86_64"))
		return vpmu_target_classify(u.machine, NULL);
	if (!cpuinfo_vendor(vendor, sizeof(vendor)))
		return -1;
	return vpmu_target_classify(u.machine, vendor);
}

const char *vpmu_event_name_at(enum vpmu_target t, unsigned int i)
{
	const struct event_table *tab = table_of(t);

	if (!tab || i >= tab->nr)
		return NULL;
	return tab->defs[i].name;
}
