/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a preset (presets.h) has to do with the events a tenant's VMs
 * programmed, for vpmuctl suggest (suggest.c states the rule that uses
 * these).  A preset's "event" is one row of its list as vpmuctl presets
 * prints it: an encoding, or on x86 a select with any unit mask (a row
 * seen in full only if all 256 unit masks were).
 */
#ifndef VPMUD_SUGGEST_PRESET_H
#define VPMUD_SUGGEST_PRESET_H

#include <stdbool.h>

#include "suggest.h"

struct suggest_seen {
	enum vpmu_target target;
	const struct suggest_event *ev;
	size_t n;
};

/* Whether preset @p of @s's target allows the encoding @e. */
bool suggest_preset_covers(const struct suggest_seen *s, int p,
			   const struct suggest_event *e);
/* How many events of preset @p were not seen in full. */
size_t suggest_preset_unseen(const struct suggest_seen *s, int p);
/* The largest preset whose every event was seen, or VPMU_PRESET_NONE. */
int suggest_preset_all_seen(const struct suggest_seen *s);
/* The smallest preset that covers every event seen, or VPMU_PRESET_NONE. */
int suggest_preset_covering(const struct suggest_seen *s);

/*
 * The deny entries that keep preset @p from allowing what the tenant's
 * file @t takes away from it (a deny entry, or an allow entry with
 * "exclude", that may apply) and the VMs did not program, as tenant
 * file text in exact forms (never a name, which may stand for more
 * encodings), each passed to @add.  False if @add fails.
 */
bool suggest_preset_denies(const struct suggest_seen *s, int p,
			   const struct tenant *t,
			   bool (*add)(void *arg, const char *text), void *arg);

#endif /* VPMUD_SUGGEST_PRESET_H */
