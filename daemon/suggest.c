// SPDX-License-Identifier: GPL-2.0
/* A suggested tenant file from the events seen (suggest.h). */
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "presets.h"
#include "suggest.h"
#include "suggest_preset.h"

/* "allow" or "deny" entries, as JSON text; sorted and deduplicated. */
struct entry_list {
	char **s;
	size_t n;
};

static bool add(struct entry_list *l, const char *text)
{
	char **p = realloc(l->s, (l->n + 1) * sizeof(*l->s));

	if (!p)
		return false;
	l->s = p;
	l->s[l->n] = strdup(text);
	return l->s[l->n++] != NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The allow entry for @e: its name in quotes if one names exactly this
 * encoding (for x86 general-purpose events, this unit mask), else the
 * number in the form a tenant file takes.
 */
static void entry_text(const struct suggest_in *in,
		       const struct suggest_event *e, char *buf, size_t len)
{
	int umask = e->space == VPMU_SPACE_X86_GP ? e->umask : -1;
	const char *name = vpmu_event_name(in->target, e->space, e->event,
					   umask);

	if (name)
		snprintf(buf, len, "\"%s\"", name);
	else if (e->space == VPMU_SPACE_ARM64)
		snprintf(buf, len, "\"0x%x\"", e->event);
	else if (e->space == VPMU_SPACE_X86_FIXED)
		snprintf(buf, len, "{ \"fixed\": %u }", e->event);
	else
		snprintf(buf, len, "{ \"select\": \"0x%x\", \"umask\": \"0x%02x\" }",
			 e->event, e->umask);
}

static bool left_out(const struct suggest_in *in, const struct suggest_event *e)
{
	return in->target == VPMU_TARGET_ARM64 && e->space == VPMU_SPACE_ARM64 &&
	       e->event == SUGGEST_ARM64_RESET_EVENT;
}

static const char *field_key(enum match_field f)
{
	switch (f) {
	case MATCH_CGROUP: return "cgroup";
	case MATCH_SLICE: return "slice";
	case MATCH_UNIT: return "unit";
	case MATCH_MACHINE: return "machine";
	case MATCH_XATTR: return "xattr";
	}
	return "?";
}

/* One clause as the tenant file writes it (xattrs grouped in one object). */
static void print_clause(FILE *f, const struct match_clause *cl)
{
	const char *sep = "";
	bool xattrs = false;
	size_t i;

	fprintf(f, "{ ");
	for (i = 0; i < cl->n; i++) {
		if (cl->conds[i].field == MATCH_XATTR) {
			xattrs = true;
			continue;
		}
		fprintf(f, "%s\"%s\": ", sep, field_key(cl->conds[i].field));
		esc_json(f, cl->conds[i].pattern);
		sep = ", ";
	}
	if (xattrs) {
		fprintf(f, "%s\"xattr\": { ", sep);
		sep = "";
		for (i = 0; i < cl->n; i++) {
			if (cl->conds[i].field != MATCH_XATTR)
				continue;
			fprintf(f, "%s", sep);
			esc_json(f, cl->conds[i].xattr);
			fprintf(f, ": ");
			esc_json(f, cl->conds[i].pattern);
			sep = ", ";
		}
		fprintf(f, " }");
		sep = ", ";
	}
	if (cl->untrusted_xattrs)
		fprintf(f, "%s\"untrusted_xattrs\": true", sep);
	fprintf(f, " }");
}

static void print_match(FILE *f, const struct suggest_in *in)
{
	size_t i;

	if (!in->t) {
		fprintf(f, "\t\"match\": { \"cgroup\": ");
		esc_json(f, in->cgroup);
		fprintf(f, " },\n");
		return;
	}
	if (!in->t->nclauses)
		return;		/* it matches no VM (a host default tenant) */
	fprintf(f, "\t\"match\": ");
	if (in->t->nclauses > 1)
		fprintf(f, "[\n");
	for (i = 0; i < in->t->nclauses; i++) {
		if (in->t->nclauses > 1)
			fprintf(f, "\t\t");
		print_clause(f, &in->t->clauses[i]);
		if (in->t->nclauses > 1)
			fprintf(f, "%s\n", i + 1 < in->t->nclauses ? "," : "");
	}
	fprintf(f, "%s,\n", in->t->nclauses > 1 ? "\t]" : "");
}

/* Sort @l and drop repeats (a name can stand for several encodings seen). */
static void sort_unique(struct entry_list *l)
{
	size_t i, out;

	if (l->n)
		qsort(l->s, l->n, sizeof(*l->s), cmp_str);
	for (i = out = 0; i < l->n; i++) {
		if (out && !strcmp(l->s[i], l->s[out - 1])) {
			free(l->s[i]);
			continue;
		}
		l->s[out++] = l->s[i];
	}
	l->n = out;
}

static bool add_text(void *arg, const char *text)
{
	return add(arg, text);
}

static void free_list(struct entry_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
}

static void print_list(FILE *f, const char *key, const struct entry_list *l)
{
	size_t i;

	fprintf(f, "\t\"%s\": [", key);
	for (i = 0; i < l->n; i++)
		fprintf(f, "%s\n\t\t%s", i ? "," : "", l->s[i]);
	fprintf(f, "%s]", l->n ? "\n\t" : " ");
}

/*
 * The preset part of the comment: which preset the file has and why,
 * and what it allows that was not seen; or a preset the operator could
 * choose instead of the list, and what that would add.
 */
static void print_preset_note(FILE *f, const struct suggest_seen *s, int preset,
			      bool kept, bool denies, size_t nallow)
{
	int covering = suggest_preset_covering(s);
	size_t n;

	if (kept) {
		n = suggest_preset_unseen(s, preset);
		fprintf(f, "; preset %s kept from the tenant's file: it has %zu event%s the VMs did not program (vpmuctl presets lists them)",
			vpmu_preset_name(preset), n, n == 1 ? "" : "s");
		if (denies)
			fprintf(f, ", and deny keeps out those the file takes away");
		if (covering != VPMU_PRESET_NONE && covering < preset)
			fprintf(f, "; preset %s would cover the events seen",
				vpmu_preset_name(covering));
		return;
	}
	if (preset != VPMU_PRESET_NONE)
		fprintf(f, "; preset %s folded in: the VMs programmed every one of its events",
			vpmu_preset_name(preset));
	if (!nallow || covering <= preset)
		return;
	n = suggest_preset_unseen(s, covering);
	fprintf(f, "; preset %s would cover them all and allow %zu more event%s (vpmuctl presets lists them)",
		vpmu_preset_name(covering), n, n == 1 ? "" : "s");
}

int suggest_print(FILE *f, const struct suggest_in *in)
{
	struct entry_list allow = { 0 }, deny = { 0 };
	struct suggest_event *ev;
	struct suggest_seen s = { .target = in->target };
	char buf[128], skipped[64] = "";
	int preset = in->t ? in->t->preset : VPMU_PRESET_NONE;
	bool kept = preset != VPMU_PRESET_NONE;
	size_t i;
	int ret = -1;

	ev = calloc(in->n + 1, sizeof(*ev));
	if (!ev)
		return -1;
	for (i = 0; i < in->n; i++) {
		if (left_out(in, &in->ev[i]))
			snprintf(skipped, sizeof(skipped), "0x%x",
				 in->ev[i].event);
		else
			ev[s.n++] = in->ev[i];
	}
	s.ev = ev;
	if (!kept)
		preset = suggest_preset_all_seen(&s);
	for (i = 0; i < s.n; i++) {
		if (preset != VPMU_PRESET_NONE &&
		    suggest_preset_covers(&s, preset, &ev[i]))
			continue;
		entry_text(in, &ev[i], buf, sizeof(buf));
		if (!add(&allow, buf))
			goto out;
	}
	if (kept && !suggest_preset_denies(&s, preset, in->t, add_text, &deny))
		goto out;
	sort_unique(&allow);
	sort_unique(&deny);

	fprintf(f, "{\n\t\"tenant\": \"%s\",\n", in->name);
	fprintf(f, "\t\"comment\": \"suggested by vpmuctl suggest from the audit counts of %u VM%s: the events they programmed%s%s%s",
		in->vms, in->vms == 1 ? "" : "s",
		skipped[0] ? "; left out " : "", skipped,
		skipped[0] ? ", KVM's reset value of counters the guest never programmed" : "");
	print_preset_note(f, &s, preset, kept, deny.n, allow.n);
	fprintf(f, "\",\n");
	if (in->t && in->t->priority)
		fprintf(f, "\t\"priority\": %lld,\n", in->t->priority);
	print_match(f, in);
	fprintf(f, "\t\"mode\": \"enforce\",\n\t\"default\": \"deny\",\n");
	if (preset != VPMU_PRESET_NONE)
		fprintf(f, "\t\"preset\": \"%s\",\n", vpmu_preset_name(preset));
	print_list(f, "allow", &allow);
	if (deny.n) {
		fprintf(f, ",\n");
		print_list(f, "deny", &deny);
	}
	fprintf(f, "\n}\n");
	ret = (int)(allow.n + deny.n);
out:
	free_list(&allow);
	free_list(&deny);
	free(ev);
	return ret;
}
