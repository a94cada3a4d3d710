/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Presets: named event sets a tenant file can start from ("preset":
 * "architectural" | "standard" | "enhanced"), per target, as the clouds'
 * guest PMU tiers offer them.  Each level contains the one below:
 *
 *   architectural  cycles, instructions, reference cycles, branches,
 *                  branch misses, topdown slots
 *   standard       + core events, L1/L2 caches, TLBs, floating point,
 *                  topdown levels 1 and 2
 *   enhanced       + last-level cache / L3, memory and offcore events
 *
 * The lists are written from the vendors' documentation (presets.c says
 * which document for each).  policy.c compiles a preset into allow rules
 * marked VPMU_RULE_PRESET; vpmu-policy.json(5) states the precedence.
 */
#ifndef VPMUD_PRESETS_H
#define VPMUD_PRESETS_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

enum vpmu_preset {
	VPMU_PRESET_NONE,
	VPMU_PRESET_ARCHITECTURAL,
	VPMU_PRESET_STANDARD,
	VPMU_PRESET_ENHANCED,
	VPMU_PRESET_NR,
};

/* One event encoding of a preset. */
struct vpmu_preset_event {
	const char *name;	/* the vendor's mnemonic */
	const char *what;	/* what it counts, for vpmuctl presets */
	uint8_t level;		/* the first preset that has it */
	uint8_t space;		/* enum vpmu_rule_space */
	uint32_t event;		/* select / fixed counter / PMUv3 number */
	int16_t umask;		/* x86 select: exact unit mask, -1 any */
};

/* "architectural", ... and back (-1 if unknown; NONE is not a name). */
const char *vpmu_preset_name(int p);
int vpmu_preset_parse(const char *s);
/* The closest preset name (for "did you mean"), or NULL. */
const char *vpmu_preset_suggest(const char *s);
/*
 * Every event of every preset of target @t, the lower levels first;
 * preset @p has those with level <= @p.  NULL and 0 for an unknown target.
 */
const struct vpmu_preset_event *vpmu_preset_events(enum vpmu_target t,
						   size_t *n);
/* Where the list for @t was written from (for vpmuctl presets). */
const char *vpmu_preset_source(enum vpmu_target t);

#endif /* VPMUD_PRESETS_H */
