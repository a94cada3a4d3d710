/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side PMUv3 routines shared by the arm64 PMU tests: program event
 * counters, run a loop whose instruction count is known in closed form,
 * bump SW_INCR, and read everything back.
 */
#ifndef VPMU_ARM64_PMU_GUEST_H
#define VPMU_ARM64_PMU_GUEST_H

#include <stdint.h>

/*
 * Instructions that INST_RETIRED counts in pmu_guest_count_loop(n) besides
 * the 2 * n of the loop itself: the ISB after the enable and the MSR
 * that disables the counters (the enabling MSR itself is not counted).
 */
#define PMU_LOOP_OVERHEAD 2

/* The closed form for INST_RETIRED over pmu_guest_count_loop(n). */
#define PMU_LOOP_INSTS(n) (2 * (uint64_t)(n) + PMU_LOOP_OVERHEAD)

/* Counters the tests program (event counter index). */
enum pmu_test_counter {
	PMU_CTR_INST,	/* INST_RETIRED */
	PMU_CTR_CYCLES, /* CPU_CYCLES on an event counter */
	PMU_CTR_SWINC,	/* SW_INCR */
	PMU_NR_TEST_CTRS,
};

struct pmu_sample {
	uint64_t inst;	 /* INST_RETIRED over the loop */
	uint64_t cycles; /* CPU_CYCLES (event counter) over the loop */
	uint64_t ccnt;	 /* PMCCNTR_EL0 over the loop */
	uint64_t swinc;	 /* SW_INCR after pmu_guest_swinc() */
	uint64_t pmceid0;
	uint64_t pmceid1;
	uint64_t nr_counters; /* PMCR_EL0.N */
};

/*
 * Reset and program the test counters with their events, each ORed with
 * @filter (PMEVTYPER exception-level filtering bits; PMCCFILTR gets the
 * same bits), and enable the PMU without enabling any counter.
 */
void pmu_guest_setup(uint32_t filter);

/* Zero all test counters and the cycle counter. */
void pmu_guest_reset(void);

/* Enable the test counters, run the 2-instruction loop @n times, disable. */
void pmu_guest_count_loop(uint64_t n);

/* The same for the counters in @mask (PMCNTENSET bits). */
void pmu_guest_count_loop_on(uint64_t mask, uint64_t n);

/* Enable SW_INCR's counter and write PMSWINC_EL0 for it @n times. */
void pmu_guest_swinc(uint64_t n);

/* Read back every counter and ID register into @s. */
void pmu_guest_read(struct pmu_sample *s);

/*
 * Program the counters once, then run @slices loops of @n iterations,
 * pausing after each with UCALL_SYNC(i, INST_RETIRED, CPU_CYCLES): the
 * cumulative counts, read outside the counted region.
 */
void pmu_guest_count_slices(uint64_t n, int slices);

/* setup + reset + loop(n) + swinc(k) + read, the common measurement. */
void pmu_guest_measure(struct pmu_sample *s, uint32_t filter, uint64_t n,
		       uint64_t k);

#endif /* VPMU_ARM64_PMU_GUEST_H */
