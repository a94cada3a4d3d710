/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event names a policy may use, per target, and the rule encodings each
 * stands for.
 *
 * A name can stand for more than one encoding because one event can be
 * counted on more than one kind of counter (Intel's fixed counters, the
 * arm64 cycle counter) or because the kernel's perf map picks different
 * encodings on different CPUs of one target; a policy that names the event
 * must cover whichever one the guest programs.
 */
#ifndef VPMUD_EVENTS_H
#define VPMUD_EVENTS_H

#include <stdint.h>
#include <stdbool.h>

#include <linux/types.h>
#include "../include/vpmu/rule.h"

enum vpmu_target {
	VPMU_TARGET_ARM64,
	VPMU_TARGET_X86_INTEL,
	VPMU_TARGET_X86_AMD,
};

/* One encoding a name stands for. */
struct vpmu_event_enc {
	uint8_t space;		/* enum vpmu_rule_space */
	uint32_t event;		/* select / fixed index / PMUv3 number */
	/* x86 GP: exact unit mask, or -1 for any unit mask; otherwise -1 */
	int16_t umask;
	uint8_t kinds;		/* VPMU_KIND_* this encoding is counted on */
};

#define VPMU_EVENT_MAX_ENCS 4

/*
 * Fill up to VPMU_EVENT_MAX_ENCS encodings for @name on @t; return how
 * many, 0 if unknown.  Names are case-insensitive; '-' and '_' are
 * interchangeable.  @out may be NULL to only ask whether @name is known.
 */
int vpmu_event_lookup(enum vpmu_target t, const char *name,
		      struct vpmu_event_enc *out);

/*
 * The known name closest to @name (edit distance <= 3), for "did you mean",
 * or NULL.  Ties go to the name listed first.
 */
const char *vpmu_event_suggest(enum vpmu_target t, const char *name);

/*
 * The canonical name for an encoding (for display): the first name listed
 * that stands for it, or NULL.  x86 GP: match select and umask (umask -1
 * matches the entry without umask); other spaces ignore @umask.
 */
const char *vpmu_event_name(enum vpmu_target t, uint8_t space, uint32_t event,
			    int umask);

/*
 * "arm64", "x86-intel", "x86-amd" and back (parsed like event names);
 * vpmu_target_name returns NULL and vpmu_target_parse -1 if unknown.
 */
const char *vpmu_target_name(enum vpmu_target t);
int vpmu_target_parse(const char *s);

/*
 * The host's target: uname machine (aarch64 -> arm64; x86_64 -> vendor from
 * /proc/cpuinfo "vendor_id": GenuineIntel -> intel, AuthenticAMD/HygonGenuine
 * -> amd).  Returns -1 if unknown.
 */
int vpmu_target_host(void);

/*
 * The mapping vpmu_target_host() applies, without reading the host: @machine
 * as uname reports it, @vendor_id as /proc/cpuinfo does (may be NULL).
 * Returns -1 if unknown.
 */
int vpmu_target_classify(const char *machine, const char *vendor_id);

/*
 * Iterate all names of a target, aliases included (for docs and tests):
 * returns the name at @i or NULL past the end.
 */
const char *vpmu_event_name_at(enum vpmu_target t, unsigned int i);

#endif /* VPMUD_EVENTS_H */
