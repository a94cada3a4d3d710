// SPDX-License-Identifier: GPL-2.0
/*
 * The presets' event lists, per target (see presets.h for the rule that
 * sorts events into levels).
 *
 * A preset names encodings, not events of one CPU model: the engine does
 * not know the model, so where a vendor moved an event to another select
 * between core generations, both generations' encodings are listed (and
 * say so).  "any unit mask" rows allow every unit mask of a select whose
 * unit masks all count the same kind of thing (the branch kinds of
 * BR_INST_RETIRED, the page sizes of a TLB walk); where one select mixes
 * levels (MEM_LOAD_RETIRED: L1, L2 and L3 hits), each unit mask is listed
 * at its own level.
 */
#include <string.h>

#include "presets.h"
#include "schema.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define A VPMU_PRESET_ARCHITECTURAL
#define S VPMU_PRESET_STANDARD
#define E VPMU_PRESET_ENHANCED

#define GP(lvl, sel, um, n, w)                                            \
	{ .name = (n), .what = (w), .level = (lvl),                       \
	  .space = VPMU_SPACE_X86_GP, .event = (sel), .umask = (um) }
#define FIXED(lvl, idx, n, w)                                             \
	{ .name = (n), .what = (w), .level = (lvl),                       \
	  .space = VPMU_SPACE_X86_FIXED, .event = (idx), .umask = -1 }
#define PMU(lvl, num, n, w)                                               \
	{ .name = (n), .what = (w), .level = (lvl),                       \
	  .space = VPMU_SPACE_ARM64, .event = (num), .umask = -1 }
#define ANY (-1)

static const char *const preset_names[VPMU_PRESET_NR] = {
	[VPMU_PRESET_ARCHITECTURAL] = "architectural",
	[VPMU_PRESET_STANDARD] = "standard",
	[VPMU_PRESET_ENHANCED] = "enhanced",
};

/*
 * Intel.  Architectural: the SDM's pre-defined architectural performance
 * events (Intel 64 and IA-32 Architectures SDM Vol. 3B, "Pre-defined
 * Architectural Performance Events", enumerated by CPUID.0AH:EBX) and the
 * fixed-function counters IA32_FIXED_CTR0..3 (same chapter: fixed counter
 * 0 INST_RETIRED.ANY, 1 CPU_CLK_UNHALTED.THREAD, 2 CPU_CLK_UNHALTED.REF_TSC,
 * 3 TOPDOWN.SLOTS).  The SDM's architectural LLC events (0x2e) are
 * last-level cache events, so they are in "enhanced", and its topdown
 * level-1 events (backend bound, bad speculation, frontend bound,
 * retiring) in "standard".
 *
 * The rest is model-specific: Intel's event lists for the Skylake, Ice
 * Lake and Golden Cove (Alder Lake P-core, Sapphire Rapids) cores
 * (perfmon-events.intel.com).  Golden Cove moved the TLB and offcore
 * request events to new selects; both are listed.
 */
static const struct vpmu_preset_event intel_preset[] = {
	GP(A, 0x3c, 0x00, "CPU_CLK_UNHALTED.THREAD_P", "core cycles while not halted"),
	FIXED(A, 1, "CPU_CLK_UNHALTED.THREAD", "core cycles while not halted (fixed counter 1)"),
	GP(A, 0xc0, 0x00, "INST_RETIRED.ANY_P", "instructions retired"),
	FIXED(A, 0, "INST_RETIRED.ANY", "instructions retired (fixed counter 0)"),
	GP(A, 0x3c, 0x01, "CPU_CLK_UNHALTED.REF_TSC_P", "reference cycles while not halted"),
	FIXED(A, 2, "CPU_CLK_UNHALTED.REF_TSC", "reference cycles at the TSC rate (fixed counter 2)"),
	GP(A, 0xc4, 0x00, "BR_INST_RETIRED.ALL_BRANCHES", "branch instructions retired"),
	GP(A, 0xc5, 0x00, "BR_MISP_RETIRED.ALL_BRANCHES", "mispredicted branches retired"),
	GP(A, 0xa4, 0x01, "TOPDOWN.SLOTS_P", "topdown issue slots"),
	FIXED(A, 3, "TOPDOWN.SLOTS", "topdown issue slots (fixed counter 3)"),

	/*
	 * Topdown level 1: the SDM's architectural events 8 to 11, by the
	 * SDM's names (the cores' mnemonics for them differ).
	 */
	GP(S, 0xa4, 0x02, "TOPDOWN.BACKEND_BOUND_SLOTS", "topdown level 1: slots lost to the backend"),
	GP(S, 0x73, 0x00, "Topdown Bad Speculation", "topdown level 1: slots wasted by bad speculation"),
	GP(S, 0x9c, 0x01, "Topdown Frontend Bound", "topdown level 1: slots the frontend left empty"),
	GP(S, 0xc2, 0x02, "Topdown Retiring", "topdown level 1: retiring slots"),
	/* Topdown level 2 (Golden Cove on; on Skylake 0xc2/0x01 is UOPS_RETIRED.ALL). */
	GP(S, 0xa4, 0x08, "TOPDOWN.BR_MISPREDICT_SLOTS", "topdown level 2: slots lost to branch mispredictions"),
	GP(S, 0xa4, 0x10, "TOPDOWN.MEMORY_BOUND_SLOTS", "topdown level 2: backend slots bound by memory"),
	GP(S, 0xc2, 0x01, "UOPS_RETIRED.HEAVY", "topdown level 2: retired heavy (multi-uop) operations"),
	GP(S, 0x0d, 0x01, "INT_MISC.RECOVERY_CYCLES", "topdown level 2: cycles recovering from a misprediction or clear"),
	GP(S, 0xc3, 0x01, "MACHINE_CLEARS.COUNT", "machine clears"),
	/* Core. */
	GP(S, 0xc4, ANY, "BR_INST_RETIRED.*", "branches retired, by kind (any unit mask)"),
	GP(S, 0xc5, ANY, "BR_MISP_RETIRED.*", "mispredicted branches retired, by kind (any unit mask)"),
	GP(S, 0xe4, 0x01, "LBR_INSERTS.ANY", "LBR records inserted (architectural event 12)"),
	GP(S, 0xa3, 0x04, "CYCLE_ACTIVITY.STALLS_TOTAL", "cycles with no uop executed"),
	GP(S, 0xd0, 0x81, "MEM_INST_RETIRED.ALL_LOADS", "load instructions retired"),
	GP(S, 0xd0, 0x82, "MEM_INST_RETIRED.ALL_STORES", "store instructions retired"),
	/* L1 and L2. */
	GP(S, 0x51, 0x01, "L1D.REPLACEMENT", "L1 data cache lines replaced"),
	GP(S, 0xd1, 0x01, "MEM_LOAD_RETIRED.L1_HIT", "retired loads that hit L1"),
	GP(S, 0xd1, 0x08, "MEM_LOAD_RETIRED.L1_MISS", "retired loads that missed L1"),
	GP(S, 0xd1, 0x40, "MEM_LOAD_RETIRED.FB_HIT", "retired loads that hit a fill buffer"),
	GP(S, 0xd1, 0x02, "MEM_LOAD_RETIRED.L2_HIT", "retired loads that hit L2"),
	GP(S, 0xd1, 0x10, "MEM_LOAD_RETIRED.L2_MISS", "retired loads that missed L2"),
	GP(S, 0x24, ANY, "L2_RQSTS.*", "L2 requests, hits and misses (any unit mask)"),
	/* TLBs: Skylake to Ice Lake (and the E-cores), then Golden Cove. */
	GP(S, 0x08, ANY, "DTLB_LOAD_MISSES.*", "load DTLB misses and walks (Skylake to Ice Lake)"),
	GP(S, 0x49, ANY, "DTLB_STORE_MISSES.*", "store DTLB misses and walks (Skylake to Ice Lake)"),
	GP(S, 0x85, ANY, "ITLB_MISSES.*", "ITLB misses and walks (Skylake to Ice Lake)"),
	GP(S, 0x12, ANY, "DTLB_LOAD_MISSES.*", "load DTLB misses and walks (Golden Cove on)"),
	GP(S, 0x13, ANY, "DTLB_STORE_MISSES.*", "store DTLB misses and walks (Golden Cove on)"),
	GP(S, 0x11, ANY, "ITLB_MISSES.*", "ITLB misses and walks (Golden Cove on)"),
	/* Floating point. */
	GP(S, 0xc7, ANY, "FP_ARITH_INST_RETIRED.*", "floating-point instructions retired, by width"),
	GP(S, 0xcf, ANY, "FP_ARITH_INST_RETIRED2.*", "FP16 instructions retired (Sapphire Rapids)"),

	/* LLC: the SDM's architectural events 3 and 4, and L3 hits. */
	GP(E, 0x2e, 0x4f, "LONGEST_LAT_CACHE.REFERENCE", "last-level cache references"),
	GP(E, 0x2e, 0x41, "LONGEST_LAT_CACHE.MISS", "last-level cache misses"),
	GP(E, 0xd1, 0x04, "MEM_LOAD_RETIRED.L3_HIT", "retired loads that hit L3"),
	GP(E, 0xd1, 0x20, "MEM_LOAD_RETIRED.L3_MISS", "retired loads that missed L3"),
	GP(E, 0xd2, ANY, "MEM_LOAD_L3_HIT_RETIRED.*", "retired L3 hits, by snoop result"),
	/* Memory. */
	GP(E, 0xd3, ANY, "MEM_LOAD_L3_MISS_RETIRED.*", "retired L3 misses, by source (local/remote DRAM)"),
	GP(E, 0xa3, 0x06, "CYCLE_ACTIVITY.STALLS_L3_MISS", "stall cycles with an L3 miss outstanding"),
	/* Offcore: Skylake to Ice Lake, then Golden Cove. */
	GP(E, 0xb0, ANY, "OFFCORE_REQUESTS.*", "requests leaving the core (Skylake to Ice Lake)"),
	GP(E, 0x60, ANY, "OFFCORE_REQUESTS_OUTSTANDING.*", "offcore requests outstanding (Skylake to Ice Lake)"),
	GP(E, 0xb7, 0x01, "OFFCORE_RESPONSE_0", "offcore response, MSR_OFFCORE_RSP_0 (Skylake to Ice Lake)"),
	GP(E, 0xbb, 0x01, "OFFCORE_RESPONSE_1", "offcore response, MSR_OFFCORE_RSP_1 (Skylake to Ice Lake)"),
	GP(E, 0x21, ANY, "OFFCORE_REQUESTS.*", "requests leaving the core (Golden Cove on)"),
	GP(E, 0x20, ANY, "OFFCORE_REQUESTS_OUTSTANDING.*", "offcore requests outstanding (Golden Cove on)"),
	GP(E, 0x2a, 0x01, "OCR.*", "offcore response, MSR_OFFCORE_RSP_0 (Golden Cove on)"),
	GP(E, 0x2b, 0x01, "OCR.*", "offcore response, MSR_OFFCORE_RSP_1 (Golden Cove on)"),
};

/*
 * AMD, family 17h and later (Zen 1 to 5): the Processor Programming
 * Reference (PPR) core performance monitor counters (PMCx...) of
 * families 17h, 19h and 1Ah.  Selects above 0xff are AMD's bits 35:32 as
 * bits 11:8, as everywhere in a policy.  AMD has no topdown slots event:
 * the Zen 4 PPR's pipeline utilization metrics count slots as the
 * dispatch width times cycles.  L3 and memory controllers have their own
 * PMUs, which KVM does not give guests; the core events that see them
 * (where a fill came from, prefetches that missed L2) are "enhanced".
 */
static const struct vpmu_preset_event amd_preset[] = {
	GP(A, 0x076, 0x00, "LS_NOT_HALTED_CYC", "core cycles while not halted"),
	GP(A, 0x0c0, 0x00, "EX_RET_INSTR", "instructions retired"),
	GP(A, 0x120, 0x01, "LS_NOT_HALTED_P0_CYC.P0_FREQ_CYC", "reference cycles at the P0 frequency (Zen 4 on)"),
	GP(A, 0x0c2, 0x00, "EX_RET_BRN", "branch instructions retired"),
	GP(A, 0x0c3, 0x00, "EX_RET_BRN_MISP", "mispredicted branches retired"),

	/* Core. */
	GP(S, 0x0c1, 0x00, "EX_RET_OPS", "macro-ops retired"),
	GP(S, 0x0c4, 0x00, "EX_RET_BRN_TKN", "taken branches retired"),
	GP(S, 0x0c5, 0x00, "EX_RET_BRN_TKN_MISP", "mispredicted taken branches retired"),
	GP(S, 0x0c8, 0x00, "EX_RET_NEAR_RET", "near returns retired"),
	GP(S, 0x0c9, 0x00, "EX_RET_NEAR_RET_MISPRED", "mispredicted near returns retired"),
	GP(S, 0x0ca, 0x00, "EX_RET_BRN_IND_MISP", "mispredicted indirect branches retired"),
	GP(S, 0x0d1, 0x00, "EX_RET_COND", "conditional branches retired"),
	GP(S, 0x029, ANY, "LS_DISPATCH.*", "loads and stores dispatched"),
	/* Topdown levels 1 and 2: the Zen 4 PPR's pipeline utilization events. */
	GP(S, 0x1a0, ANY, "DE_NO_DISPATCH_PER_SLOT.*", "dispatch slots left empty, by cause (frontend, backend, SMT)"),
	GP(S, 0x0aa, ANY, "DE_SRC_OP_DISP.*", "ops dispatched, by source"),
	GP(S, 0x0a9, 0x00, "DE_OP_QUEUE_EMPTY", "cycles the op queue is empty"),
	GP(S, 0x0ae, ANY, "DE_DIS_DISPATCH_TOKEN_STALLS1.*", "dispatch stall cycles, by resource"),
	GP(S, 0x0af, ANY, "DE_DIS_DISPATCH_TOKEN_STALLS2.*", "dispatch stall cycles, by resource"),
	GP(S, 0x1c1, 0x00, "EX_RET_UCODE_OPS", "microcoded ops retired"),
	GP(S, 0x0d6, ANY, "EX_NO_RETIRE.*", "cycles with nothing retired, by cause"),
	/* L1 and L2. */
	GP(S, 0x040, 0x00, "LS_DC_ACCESSES", "L1 data cache accesses (Zen 1 to 3)"),
	GP(S, 0x041, ANY, "LS_MAB_ALLOC.*", "L1 data cache misses (miss address buffer allocations)"),
	GP(S, 0x080, 0x00, "IC_FW32", "32-byte instruction fetches (Zen 1 to 3)"),
	GP(S, 0x081, 0x00, "IC_FW32_MISS", "32-byte fetches that missed the instruction cache (Zen 1 to 3)"),
	GP(S, 0x18e, ANY, "IC_TAG_HIT_MISS.*", "instruction cache hits and misses (Zen 2 on)"),
	GP(S, 0x060, ANY, "L2_REQUEST_G1.*", "L2 requests"),
	GP(S, 0x064, ANY, "L2_CACHE_REQ_STAT.*", "L2 requests from the L1 caches, hit or miss"),
	GP(S, 0x070, ANY, "L2_PF_HIT_L2.*", "L2 prefetches that hit L2"),
	/* TLBs. */
	GP(S, 0x045, ANY, "LS_L1_D_TLB_MISS.*", "L1 DTLB misses, by L2 TLB hit or miss and page size"),
	GP(S, 0x084, 0x00, "BP_L1_TLB_MISS_L2_TLB_HIT", "L1 ITLB misses that hit the L2 ITLB"),
	GP(S, 0x085, ANY, "BP_L1_TLB_MISS_L2_TLB_MISS.*", "ITLB misses in both levels, by page size"),
	/* Floating point. */
	GP(S, 0x003, ANY, "FP_RET_SSE_AVX_OPS.*", "SSE/AVX FLOPs retired"),
	GP(S, 0x00a, ANY, "FP_OPS_RETIRED_BY_WIDTH.*", "FP ops retired, by width (Zen 4 on)"),
	GP(S, 0x00b, ANY, "FP_OPS_RETIRED_BY_TYPE.*", "FP ops retired, by type (Zen 4 on)"),

	/* L3, memory and offcore, as the core sees them. */
	GP(E, 0x043, ANY, "LS_DMND_FILLS_FROM_SYS.*", "demand L1D fills, by source (L2, L3, other CCX, DRAM, I/O)"),
	GP(E, 0x044, ANY, "LS_ANY_FILLS_FROM_SYS.*", "all L1D fills, by source"),
	GP(E, 0x059, ANY, "LS_SW_PF_DC_FILLS.*", "software prefetch fills, by source"),
	GP(E, 0x05a, ANY, "LS_HW_PF_DC_FILLS.*", "hardware prefetch fills, by source"),
	GP(E, 0x05f, 0x00, "LS_ALLOC_MAB_COUNT", "L1D misses outstanding (memory latency)"),
	GP(E, 0x071, ANY, "L2_PF_MISS_L2_HIT_L3.*", "L2 prefetches that hit L3"),
	GP(E, 0x072, ANY, "L2_PF_MISS_L2_L3.*", "L2 prefetches that missed L3 (memory)"),
};

/*
 * arm64: the Arm Architecture Reference Manual for A-profile (DDI 0487,
 * "Common event numbers": the common architectural and microarchitectural
 * PMUv3 events), by mnemonic.  Architectural has no topdown slots event:
 * Arm's topdown methodology takes the slot count from PMMIR_EL1.SLOTS
 * times CPU_CYCLES.  CNT_CYCLES (constant frequency cycles) is the
 * reference cycle count; branches are BR_RETIRED or, where that is not
 * implemented, PC_WRITE_RETIRED (as Linux's branch-instructions).  The
 * "recommended IMPLEMENTATION DEFINED" numbers 0x40 to 0xbf are left out,
 * as in events.c; the floating-point events are the 0x8000 common ones.
 */
static const struct vpmu_preset_event arm64_preset[] = {
	PMU(A, 0x0011, "CPU_CYCLES", "cycles (event counters and the cycle counter)"),
	PMU(A, 0x0008, "INST_RETIRED", "instructions architecturally executed"),
	PMU(A, 0x4004, "CNT_CYCLES", "constant frequency cycles (reference cycles)"),
	PMU(A, 0x0021, "BR_RETIRED", "branches architecturally executed"),
	PMU(A, 0x000c, "PC_WRITE_RETIRED", "software changes of the PC (branches where BR_RETIRED is missing)"),
	PMU(A, 0x0010, "BR_MIS_PRED", "mispredicted or not predicted branches, speculative"),
	PMU(A, 0x0022, "BR_MIS_PRED_RETIRED", "mispredicted branches architecturally executed"),

	/* Core. */
	PMU(S, 0x0000, "SW_INCR", "software increments (writes to PMSWINC_EL0)"),
	PMU(S, 0x001e, "CHAIN", "the overflow of the preceding counter (chained 64-bit counters)"),
	PMU(S, 0x001b, "INST_SPEC", "instructions speculatively executed"),
	PMU(S, 0x0006, "LD_RETIRED", "loads architecturally executed"),
	PMU(S, 0x0007, "ST_RETIRED", "stores architecturally executed"),
	PMU(S, 0x0009, "EXC_TAKEN", "exceptions taken"),
	PMU(S, 0x000a, "EXC_RETURN", "exception returns architecturally executed"),
	PMU(S, 0x000b, "CID_WRITE_RETIRED", "writes to CONTEXTIDR architecturally executed"),
	PMU(S, 0x000d, "BR_IMMED_RETIRED", "immediate branches architecturally executed"),
	PMU(S, 0x000e, "BR_RETURN_RETIRED", "procedure returns architecturally executed"),
	PMU(S, 0x000f, "UNALIGNED_LDST_RETIRED", "unaligned loads and stores architecturally executed"),
	PMU(S, 0x0012, "BR_PRED", "predictable branches speculatively executed"),
	PMU(S, 0x0013, "MEM_ACCESS", "data memory accesses (loads and stores the core makes)"),
	PMU(S, 0x001c, "TTBR_WRITE_RETIRED", "writes to TTBR architecturally executed"),
	/* Topdown levels 1 and 2. */
	PMU(S, 0x003a, "OP_RETIRED", "operations architecturally executed"),
	PMU(S, 0x003b, "OP_SPEC", "operations speculatively executed"),
	PMU(S, 0x003f, "STALL_SLOT", "slots with no operation sent for execution"),
	PMU(S, 0x003d, "STALL_SLOT_BACKEND", "empty slots, backend"),
	PMU(S, 0x003e, "STALL_SLOT_FRONTEND", "empty slots, frontend"),
	PMU(S, 0x003c, "STALL", "cycles with no operation sent for execution"),
	PMU(S, 0x0023, "STALL_FRONTEND", "cycles stalled on the frontend"),
	PMU(S, 0x0024, "STALL_BACKEND", "cycles stalled on the backend"),
	/* L1. */
	PMU(S, 0x0004, "L1D_CACHE", "L1 data cache accesses"),
	PMU(S, 0x0003, "L1D_CACHE_REFILL", "L1 data cache refills"),
	PMU(S, 0x0015, "L1D_CACHE_WB", "L1 data cache write-backs"),
	PMU(S, 0x001f, "L1D_CACHE_ALLOCATE", "L1 data cache allocations without a refill"),
	PMU(S, 0x0039, "L1D_CACHE_LMISS_RD", "L1 data cache long-latency read misses"),
	PMU(S, 0x0014, "L1I_CACHE", "L1 instruction cache accesses"),
	PMU(S, 0x0001, "L1I_CACHE_REFILL", "L1 instruction cache refills"),
	PMU(S, 0x4006, "L1I_CACHE_LMISS", "L1 instruction cache long-latency misses"),
	/* L2. */
	PMU(S, 0x0016, "L2D_CACHE", "L2 data cache accesses"),
	PMU(S, 0x0017, "L2D_CACHE_REFILL", "L2 data cache refills"),
	PMU(S, 0x0018, "L2D_CACHE_WB", "L2 data cache write-backs"),
	PMU(S, 0x0020, "L2D_CACHE_ALLOCATE", "L2 data cache allocations without a refill"),
	PMU(S, 0x4009, "L2D_CACHE_LMISS_RD", "L2 data cache long-latency read misses"),
	PMU(S, 0x0027, "L2I_CACHE", "L2 instruction cache accesses"),
	PMU(S, 0x0028, "L2I_CACHE_REFILL", "L2 instruction cache refills"),
	PMU(S, 0x400a, "L2I_CACHE_LMISS", "L2 instruction cache long-latency misses"),
	/* TLBs. */
	PMU(S, 0x0025, "L1D_TLB", "L1 data TLB accesses"),
	PMU(S, 0x0005, "L1D_TLB_REFILL", "L1 data TLB refills"),
	PMU(S, 0x0026, "L1I_TLB", "L1 instruction TLB accesses"),
	PMU(S, 0x0002, "L1I_TLB_REFILL", "L1 instruction TLB refills"),
	PMU(S, 0x002f, "L2D_TLB", "L2 data TLB accesses"),
	PMU(S, 0x002d, "L2D_TLB_REFILL", "L2 data TLB refills"),
	PMU(S, 0x0030, "L2I_TLB", "L2 instruction TLB accesses"),
	PMU(S, 0x002e, "L2I_TLB_REFILL", "L2 instruction TLB refills"),
	PMU(S, 0x0034, "DTLB_WALK", "data TLB walks"),
	PMU(S, 0x0035, "ITLB_WALK", "instruction TLB walks"),
	/* Floating point and SIMD. */
	PMU(S, 0x8005, "ASE_INST_SPEC", "Advanced SIMD instructions speculatively executed"),
	PMU(S, 0x8006, "SVE_INST_SPEC", "SVE instructions speculatively executed"),
	PMU(S, 0x8014, "FP_HP_SPEC", "half-precision FP operations speculatively executed"),
	PMU(S, 0x8018, "FP_SP_SPEC", "single-precision FP operations speculatively executed"),
	PMU(S, 0x801c, "FP_DP_SPEC", "double-precision FP operations speculatively executed"),
	PMU(S, 0x80c0, "FP_SCALE_OPS_SPEC", "scalable FP element operations speculatively executed"),
	PMU(S, 0x80c1, "FP_FIXED_OPS_SPEC", "non-scalable FP element operations speculatively executed"),

	/* L3 and last level. */
	PMU(E, 0x002b, "L3D_CACHE", "L3 data cache accesses"),
	PMU(E, 0x002a, "L3D_CACHE_REFILL", "L3 data cache refills"),
	PMU(E, 0x002c, "L3D_CACHE_WB", "L3 data cache write-backs"),
	PMU(E, 0x0029, "L3D_CACHE_ALLOCATE", "L3 data cache allocations without a refill"),
	PMU(E, 0x400b, "L3D_CACHE_LMISS_RD", "L3 data cache long-latency read misses"),
	PMU(E, 0x0032, "LL_CACHE", "last level cache accesses"),
	PMU(E, 0x0033, "LL_CACHE_MISS", "last level cache misses"),
	PMU(E, 0x0036, "LL_CACHE_RD", "last level cache reads"),
	PMU(E, 0x0037, "LL_CACHE_MISS_RD", "last level cache read misses"),
	/* Memory and the bus (offcore). */
	PMU(E, 0x0019, "BUS_ACCESS", "bus accesses"),
	PMU(E, 0x001d, "BUS_CYCLES", "bus cycles"),
	PMU(E, 0x0031, "REMOTE_ACCESS", "accesses to another socket's memory"),
	PMU(E, 0x0038, "REMOTE_ACCESS_RD", "reads of another socket's memory"),
	PMU(E, 0x4005, "STALL_BACKEND_MEM", "backend stall cycles waiting for memory"),
};

static const struct {
	const struct vpmu_preset_event *events;
	size_t n;
	const char *source;
} tables[] = {
	[VPMU_TARGET_ARM64] = { arm64_preset, ARRAY_SIZE(arm64_preset),
		"Arm ARM (DDI 0487) PMUv3 common events" },
	[VPMU_TARGET_X86_INTEL] = { intel_preset, ARRAY_SIZE(intel_preset),
		"Intel SDM Vol. 3B architectural events and fixed counters; Skylake, Ice Lake, Golden Cove event lists" },
	[VPMU_TARGET_X86_AMD] = { amd_preset, ARRAY_SIZE(amd_preset),
		"AMD PPR core PMC events, families 17h, 19h, 1Ah" },
};

const char *vpmu_preset_name(int p)
{
	if (p <= VPMU_PRESET_NONE || p >= VPMU_PRESET_NR)
		return NULL;
	return preset_names[p];
}

int vpmu_preset_parse(const char *s)
{
	int p;

	for (p = VPMU_PRESET_ARCHITECTURAL; s && p < VPMU_PRESET_NR; p++)
		if (!strcmp(s, preset_names[p]))
			return p;
	return -1;
}

const char *vpmu_preset_suggest(const char *s)
{
	const char *best = NULL;
	unsigned int d, best_d = 4;
	int p;

	for (p = VPMU_PRESET_ARCHITECTURAL; p < VPMU_PRESET_NR; p++) {
		d = schema_distance(s, preset_names[p]);
		if (d < best_d) {
			best_d = d;
			best = preset_names[p];
		}
	}
	return best;
}

const struct vpmu_preset_event *vpmu_preset_events(enum vpmu_target t,
						   size_t *n)
{
	if ((unsigned int)t >= ARRAY_SIZE(tables)) {
		*n = 0;
		return NULL;
	}
	*n = tables[t].n;
	return tables[t].events;
}

const char *vpmu_preset_source(enum vpmu_target t)
{
	if ((unsigned int)t >= ARRAY_SIZE(tables))
		return NULL;
	return tables[t].source;
}
