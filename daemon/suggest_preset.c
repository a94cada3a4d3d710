// SPDX-License-Identifier: GPL-2.0
/* Presets against the events seen, for vpmuctl suggest (suggest_preset.h). */
#include <stdio.h>

#include "presets.h"
#include "suggest_preset.h"

#define NR_UMASKS 256

static bool seen(const struct suggest_seen *s, uint8_t space, uint32_t event,
		 uint8_t umask)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].space == space && s->ev[i].event == event &&
		    (space != VPMU_SPACE_X86_GP || s->ev[i].umask == umask))
			return true;
	return false;
}

static bool row_seen(const struct suggest_seen *s,
		     const struct vpmu_preset_event *r)
{
	unsigned int u;

	if (r->space != VPMU_SPACE_X86_GP)
		return seen(s, r->space, r->event, 0);
	if (r->umask >= 0)
		return seen(s, r->space, r->event, r->umask);
	for (u = 0; u < NR_UMASKS; u++)
		if (!seen(s, r->space, r->event, u))
			return false;
	return true;
}

bool suggest_preset_covers(const struct suggest_seen *s, int p,
			   const struct suggest_event *e)
{
	const struct vpmu_preset_event *r;
	size_t i, n;

	r = vpmu_preset_events(s->target, &n);
	for (i = 0; i < n && r[i].level <= p; i++)
		if (r[i].space == e->space && r[i].event == e->event &&
		    (e->space != VPMU_SPACE_X86_GP || r[i].umask < 0 ||
		     r[i].umask == e->umask))
			return true;
	return false;
}

size_t suggest_preset_unseen(const struct suggest_seen *s, int p)
{
	const struct vpmu_preset_event *r;
	size_t i, n, unseen = 0;

	r = vpmu_preset_events(s->target, &n);
	for (i = 0; i < n && r[i].level <= p; i++)
		unseen += !row_seen(s, &r[i]);
	return unseen;
}

int suggest_preset_all_seen(const struct suggest_seen *s)
{
	int p;

	for (p = VPMU_PRESET_NR - 1; p > VPMU_PRESET_NONE; p--)
		if (!suggest_preset_unseen(s, p))
			return p;
	return VPMU_PRESET_NONE;
}

int suggest_preset_covering(const struct suggest_seen *s)
{
	size_t i;
	int p;

	for (p = VPMU_PRESET_ARCHITECTURAL; s->n && p < VPMU_PRESET_NR; p++) {
		for (i = 0; i < s->n; i++)
			if (!suggest_preset_covers(s, p, &s->ev[i]))
				break;
		if (i == s->n)
			return p;
	}
	return VPMU_PRESET_NONE;
}

/*
 * Whether a rule of the file's own (not the preset's) may take the
 * encoding away from the preset: a deny entry, or an allow entry with
 * "exclude", with its key and unit mask.  Their other conditions (counter
 * kinds, usr/os bits, nesting) are not looked at: a rule that denies the
 * event only sometimes counts, so the suggestion denies it always.
 */
static bool taken_away(const struct tenant *t, uint8_t space, uint32_t event,
		       uint8_t umask)
{
	const struct vpmu_rule *r;
	bool excl;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		r = &t->rules[i];
		if ((r->flags & VPMU_RULE_PRESET) || r->space != space ||
		    r->event != event)
			continue;
		if (space == VPMU_SPACE_X86_GP &&
		    (umask & r->umask_mask) != r->umask_match)
			continue;
		excl = r->flags & VPMU_RULE_EXCLUDE;
		if (r->action == VPMU_DENY ? !excl : excl)
			return true;
	}
	return false;
}

/* An entry for select @sel with each unit mask in @which, @tail added. */
static bool add_umasks(uint32_t sel, const bool *which, const char *tail,
		       bool (*add)(void *arg, const char *text), void *arg)
{
	char buf[96];
	unsigned int u;

	for (u = 0; u < NR_UMASKS; u++) {
		if (!which[u])
			continue;
		snprintf(buf, sizeof(buf),
			 "{ \"select\": \"0x%x\", \"umask\": \"0x%02x\"%s }",
			 sel, u, tail);
		if (!add(arg, buf))
			return false;
	}
	return true;
}

/* One x86 select: the unit masks preset @p covers that @t takes away. */
static bool select_denies(const struct suggest_seen *s, int p,
			  const struct tenant *t, uint32_t sel,
			  bool (*add)(void *arg, const char *text), void *arg)
{
	const struct vpmu_preset_event *r;
	bool covered[NR_UMASKS] = { 0 }, marked[NR_UMASKS], keep[NR_UMASKS];
	unsigned int u, nmarked = 0, nkeep = 0;
	char buf[96];
	size_t i, n;

	r = vpmu_preset_events(s->target, &n);
	for (i = 0; i < n && r[i].level <= p; i++) {
		if (r[i].space != VPMU_SPACE_X86_GP || r[i].event != sel)
			continue;
		for (u = 0; u < NR_UMASKS; u++)
			covered[u] |= r[i].umask < 0 || r[i].umask == (int)u;
	}
	for (u = 0; u < NR_UMASKS; u++) {
		bool was_seen = seen(s, VPMU_SPACE_X86_GP, sel, u);

		marked[u] = covered[u] && !was_seen &&
			    taken_away(t, VPMU_SPACE_X86_GP, sel, u);
		keep[u] = !marked[u] && (covered[u] || was_seen);
		nmarked += marked[u];
		nkeep += keep[u];
	}
	if (!nmarked)
		return true;
	/*
	 * Whichever is shorter: each unit mask, or the whole select with
	 * deny excludes for the unit masks that must stay allowed (those
	 * seen, and the preset's the file does not take away).
	 */
	if (nmarked <= nkeep + 1)
		return add_umasks(sel, marked, "", add, arg);
	snprintf(buf, sizeof(buf), "{ \"select\": \"0x%x\" }", sel);
	return add(arg, buf) &&
	       add_umasks(sel, keep, ", \"exclude\": true", add, arg);
}

/* Whether row @i is its x86 select's first (each select is done once). */
static bool first_of_select(const struct vpmu_preset_event *r, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (r[j].space == VPMU_SPACE_X86_GP && r[j].event == r[i].event)
			return false;
	return true;
}

bool suggest_preset_denies(const struct suggest_seen *s, int p,
			   const struct tenant *t,
			   bool (*add)(void *arg, const char *text), void *arg)
{
	const struct vpmu_preset_event *r;
	const char *name;
	char buf[96];
	size_t i, n;

	r = vpmu_preset_events(s->target, &n);
	for (i = 0; i < n && r[i].level <= p; i++) {
		if (r[i].space == VPMU_SPACE_X86_GP) {
			if (first_of_select(r, i) &&
			    !select_denies(s, p, t, r[i].event, add, arg))
				return false;
			continue;
		}
		if (seen(s, r[i].space, r[i].event, 0) ||
		    !taken_away(t, r[i].space, r[i].event, 0))
			continue;
		name = r[i].space == VPMU_SPACE_ARM64 ?
			vpmu_event_name(s->target, r[i].space, r[i].event, -1) :
			NULL;
		if (name)
			snprintf(buf, sizeof(buf), "\"%s\"", name);
		else if (r[i].space == VPMU_SPACE_ARM64)
			snprintf(buf, sizeof(buf), "\"0x%x\"", r[i].event);
		else
			snprintf(buf, sizeof(buf), "{ \"fixed\": %u }", r[i].event);
		if (!add(arg, buf))
			return false;
	}
	return true;
}
