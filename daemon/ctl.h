/* SPDX-License-Identifier: GPL-2.0 */
/* vpmuctl: shared options and output helpers for its commands. */
#ifndef VPMUD_CTL_H
#define VPMUD_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "engine.h"
#include "events.h"
#include "explain.h"

struct ctl {
	bool json;
	const char *config_path;
	struct policyd_config cfg;
	int argc;
	char **argv;		/* the command's own arguments */
};

/* Open the pinned engine read-only, or print why not and return nonzero. */
int ctl_open_engine(struct ctl *c, struct engine *e);
/* Whether an engine is pinned; if not, says so on stderr. */
bool ctl_engine_pinned(struct ctl *c);
/* Print @s as a JSON string, control characters escaped (esc_json()). */
void ctl_json_str(FILE *f, const char *s);
/* The tenant name of policy @id from the pinned tenants map ("-" if none). */
void ctl_tenant_name(struct engine *e, __u32 id, char *buf, size_t len);
/* The attached policies, in order, from debugfs; count or -errno. */
int ctl_attached(char names[][64], int max);

/*
 * The encodings of @event (a name for @target, or a number) into @enc
 * (VPMU_EVENT_MAX_ENCS); 0 after saying why on stderr.
 */
int ctl_event_encs(int target, const char *event, struct vpmu_event_enc *enc);
/* "gp", "fixed", "cycle", "probe" <-> enum kvm_pmu_counter_kind (-1). */
int ctl_kind_parse(const char *s);
const char *ctl_kind_name(int k);
/*
 * One verdict line of vpmuctl explain and check: "  event 0x8 on a gp
 * counter: ALLOW, by the preset (architectural)".
 */
void ctl_print_verdict(const struct vpmu_query *q, const struct explanation *x,
		       const char *preset);

int ctl_status(struct ctl *c);
int ctl_vms(struct ctl *c);
int ctl_check(struct ctl *c);
int ctl_explain(struct ctl *c);
int ctl_match(struct ctl *c);
int ctl_reload(struct ctl *c);
int ctl_attach(struct ctl *c);
int ctl_detach(struct ctl *c);
int ctl_unpin(struct ctl *c);
int ctl_presets(struct ctl *c);
int ctl_metrics(struct ctl *c);

#endif /* VPMUD_CTL_H */
