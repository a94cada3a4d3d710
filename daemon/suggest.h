/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpmuctl suggest's output: from the events a tenant's VMs programmed
 * (the engine's audit counts), the smallest tenant file that allows
 * them, keeping the tenant's name, match clauses and priority.  Plain C
 * over what the caller read, so that a host test can feed it events and
 * compile what it prints.
 */
#ifndef VPMUD_SUGGEST_H
#define VPMUD_SUGGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "events.h"
#include "policy.h"

/*
 * arm64: the event number of KVM's reset value of PMEVTYPER<n>_EL0
 * (0x1de7ec7edbadc0de).  KVM asks the policies for every counter a
 * PMCR write resets, also for counters the guest never programmed: such
 * a decision is not an event the guest chose.
 */
#define SUGGEST_ARM64_RESET_EVENT 0xc0de

/* One event the VMs programmed: an audit key, across VMs. */
struct suggest_event {
	uint8_t space;		/* enum vpmu_rule_space */
	uint32_t event;
	uint8_t umask;		/* VPMU_SPACE_X86_GP only */
};

struct suggest_in {
	const char *name;	/* the tenant's name */
	/* Its file (match clauses, priority); NULL: match @cgroup. */
	const struct tenant *t;
	const char *cgroup;	/* with no @t: the one VM's cgroup */
	enum vpmu_target target;
	const struct suggest_event *ev;
	size_t n;
	unsigned int vms;	/* how many VMs @ev came from */
};

/*
 * Print the tenant file to @f: "default": "deny", "mode": "enforce" and
 * an "allow" list of @in's events, by name where the event table names
 * the encoding seen (one name per event, sorted), else by number.
 *
 * Presets, so that the file allows nothing the VMs did not program
 * without saying so in its comment:
 *  - the tenant's file names a preset: the suggestion keeps it (the
 *    operator chose that tier), lists in "allow" only the events seen
 *    that it does not cover, and in "deny" the preset's events that the
 *    file takes away and the VMs did not program; the comment says how
 *    many of the preset's events were not seen, and a smaller preset
 *    that would cover the events seen;
 *  - otherwise a preset is folded in only if the VMs programmed every one
 *    of its events (the largest such preset), so that it adds nothing;
 *    the comment names the smallest preset that would cover all the
 *    events seen and how many more it would allow, as an option.
 * Returns the number of allow and deny entries, or -1 if out of memory.
 */
int suggest_print(FILE *f, const struct suggest_in *in);

#endif /* VPMUD_SUGGEST_H */
