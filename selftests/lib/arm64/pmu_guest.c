// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code: runs inside KVM guests with the MMU off.  No libc.
 */
#include "../guest.h"
#include "pmu_guest.h"

#define TEST_CTR_MASK \
	((1u << PMU_CTR_INST) | (1u << PMU_CTR_CYCLES) | (1u << PMU_CYCLE_IDX))

void pmu_guest_setup(uint32_t filter)
{
	/* Counters off while they are programmed. */
	write_sysreg(0xffffffffu, pmcntenclr_el0);
	write_sysreg(PMCR_LC, pmcr_el0);
	isb();
	pmu_write_evtyper(PMU_CTR_INST, filter | PMU_EV_INST_RETIRED);
	pmu_write_evtyper(PMU_CTR_CYCLES, filter | PMU_EV_CPU_CYCLES);
	pmu_write_evtyper(PMU_CTR_SWINC, filter | PMU_EV_SW_INCR);
	write_sysreg(filter, pmccfiltr_el0);
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
}

void pmu_guest_reset(void)
{
	write_sysreg(PMCR_LC | PMCR_E | PMCR_P | PMCR_C, pmcr_el0);
	isb();
}

void pmu_guest_count_loop(uint64_t n)
{
	pmu_guest_count_loop_on(TEST_CTR_MASK, n);
}

void pmu_guest_count_loop_on(uint64_t mask, uint64_t n)
{
	/*
	 * Keep this sequence in sync with PMU_LOOP_OVERHEAD: the loop is
	 * two instructions per iteration, and the ISB plus the disabling
	 * MSR are counted once each.
	 */
	asm volatile("	msr	pmcntenset_el0, %[mask]\n"
		     "	isb\n"
		     "1:	subs	%[n], %[n], #1\n"
		     "	b.ne	1b\n"
		     "	msr	pmcntenclr_el0, %[mask]\n"
		     "	isb\n"
		     : [n] "+r"(n)
		     : [mask] "r"(mask)
		     : "cc", "memory");
}

void pmu_guest_swinc(uint64_t n)
{
	write_sysreg(1u << PMU_CTR_SWINC, pmcntenset_el0);
	isb();
	while (n--)
		write_sysreg(1u << PMU_CTR_SWINC, pmswinc_el0);
	isb();
	write_sysreg(1u << PMU_CTR_SWINC, pmcntenclr_el0);
	isb();
}

void pmu_guest_read(struct pmu_sample *s)
{
	s->inst = pmu_read_evcntr(PMU_CTR_INST);
	s->cycles = pmu_read_evcntr(PMU_CTR_CYCLES);
	s->swinc = pmu_read_evcntr(PMU_CTR_SWINC);
	s->ccnt = read_sysreg(pmccntr_el0);
	s->pmceid0 = read_sysreg(pmceid0_el0);
	s->pmceid1 = read_sysreg(pmceid1_el0);
	s->nr_counters = PMCR_N(read_sysreg(pmcr_el0));
}

void pmu_guest_count_slices(uint64_t n, int slices)
{
	int i;

	pmu_guest_setup(0);
	pmu_guest_reset();
	for (i = 0; i < slices; i++) {
		pmu_guest_count_loop(n);
		guest_ucall(UCALL_SYNC, i, pmu_read_evcntr(PMU_CTR_INST),
			    pmu_read_evcntr(PMU_CTR_CYCLES), 0, 0);
	}
}

void pmu_guest_measure(struct pmu_sample *s, uint32_t filter, uint64_t n,
		       uint64_t k)
{
	pmu_guest_setup(filter);
	pmu_guest_reset();
	pmu_guest_count_loop(n);
	pmu_guest_swinc(k);
	pmu_guest_read(s);
}
