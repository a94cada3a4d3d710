/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 system register access and PMUv3 definitions for guest code.
 */
#ifndef VPMU_ARM64_GUEST_SYSREG_H
#define VPMU_ARM64_GUEST_SYSREG_H

#include <stdint.h>

/* Expand @r first, so a register may be named by a macro (S3_5_C12_C0_0). */
#define __sysreg_str(r) #r
#define sysreg_str(r)	__sysreg_str(r)

#define read_sysreg(r)                                              \
	({                                                          \
		uint64_t __v;                                       \
		asm volatile("mrs %0, " sysreg_str(r) : "=r"(__v)); \
		__v;                                                \
	})
#define write_sysreg(v, r)                       \
	asm volatile("msr " sysreg_str(r) ", %0" \
		     :                           \
		     : "r"((uint64_t)(v))        \
		     : "memory")
#define isb() asm volatile("isb" : : : "memory")

/* CurrentEL.EL: 1 or 2 (virtual EL2 for a nested-virt vCPU). */
static inline unsigned int current_el(void)
{
	return (read_sysreg(CurrentEL) >> 2) & 3;
}

/* PMCR_EL0 */
#define PMCR_E	     (1u << 0) /* enable all counters */
#define PMCR_P	     (1u << 1) /* reset event counters */
#define PMCR_C	     (1u << 2) /* reset cycle counter */
#define PMCR_LC	     (1u << 6) /* 64-bit cycle counter overflow */
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)

/* PMEVTYPER<n>_EL0 / PMCCFILTR_EL0 filtering bits */
#define PMEVTYPER_P	(1u << 31) /* do not count at EL1 */
#define PMEVTYPER_U	(1u << 30) /* do not count at EL0 */
#define PMEVTYPER_NSK	(1u << 29)
#define PMEVTYPER_NSU	(1u << 28)
#define PMEVTYPER_NSH	(1u << 27) /* count at EL2 */
#define PMEVTYPER_EVENT 0xffffu

/* Common architectural events (Arm ARM, D17.11). */
#define PMU_EV_SW_INCR	    0x00
#define PMU_EV_INST_RETIRED 0x08
#define PMU_EV_CPU_CYCLES   0x11

#define PMU_CYCLE_IDX 31 /* bit of the cycle counter in PMCNTEN* */

/* Event counters are selected by number; the MRS/MSR encodings need a
 * constant, so go through PMSELR_EL0 + PMXEV*_EL0. */
static inline void pmu_write_evtyper(unsigned int n, uint64_t val)
{
	write_sysreg(n, pmselr_el0);
	isb();
	write_sysreg(val, pmxevtyper_el0);
	isb();
}

static inline void pmu_write_evcntr(unsigned int n, uint64_t val)
{
	write_sysreg(n, pmselr_el0);
	isb();
	write_sysreg(val, pmxevcntr_el0);
	isb();
}

static inline uint64_t pmu_read_evcntr(unsigned int n)
{
	write_sysreg(n, pmselr_el0);
	isb();
	return read_sysreg(pmxevcntr_el0);
}

/* PMCEID0/1: bit e says common event e (0..63) is implemented. */
static inline int pmu_event_implemented(unsigned int ev)
{
	uint64_t id =
		ev < 32 ? read_sysreg(pmceid0_el0) : read_sysreg(pmceid1_el0);

	return (id >> (ev % 32)) & 1;
}

#endif /* VPMU_ARM64_GUEST_SYSREG_H */
