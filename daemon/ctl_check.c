// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl check: validate policy files without a daemon, with exactly the
 * daemon's messages (the same compiler).  With --event, also the verdict
 * the file gives that event and the entries it came from (the preset, an
 * allow or deny entry, the default), by file:line:column.
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "explain.h"
#include "policy.h"
#include "presets.h"

struct verdict_args {
	const char *event;
	int kind;		/* -1: every kind the event is counted on */
};

/* The verdicts of @t for @va's event, as vpmuctl explain prints them. */
static void print_verdicts(const struct tenant *t, int target,
			   const struct verdict_args *va)
{
	struct vpmu_event_enc enc[VPMU_EVENT_MAX_ENCS];
	const char *preset = vpmu_preset_name(t->preset);
	struct explanation x;
	char desc[256];
	int i, k, n;
	size_t h;

	n = ctl_event_encs(target, va->event, enc);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++) {
			struct vpmu_query q = {
				.event = enc[i].event,
				.space = enc[i].space,
				.kind = k,
				.unit_mask = enc[i].umask >= 0 ? enc[i].umask : 0,
			};

			if (va->kind >= 0 ? k != va->kind :
			    !(enc[i].kinds & (1u << k)))
				continue;
			explain_decide(t->rules, t->nr, t->default_action, &q,
				       &x);
			ctl_print_verdict(&q, &x, preset);
			for (h = 0; h < x.nhits; h++) {
				const struct vpmu_rule *r = &t->rules[x.hits[h]];
				struct json_pos p = t->where[x.hits[h]];

				explain_rule(r, desc, sizeof(desc));
				printf("      rule %zu: %s, from %s%s:%u:%u\n",
				       x.hits[h] + 1, desc,
				       r->flags & VPMU_RULE_PRESET ?
				       "the preset at " : "", t->file, p.line,
				       p.col);
			}
		}
	}
}

int ctl_check(struct ctl *c)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "event", required_argument, NULL, 'e' },
		{ "kind", required_argument, NULL, 'k' },
		{ 0 }
	};
	struct verdict_args va = { .kind = -1 };
	struct policyd_config cfg;
	int target = c->cfg.target, o, bad = 0, i;
	const char *config = NULL, *preset;
	struct tenant *t;
	struct diag d;
	size_t k;

	while ((o = getopt_long(c->argc, c->argv, "t:c:", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			target = vpmu_target_parse(optarg);
			if (target < 0) {
				fprintf(stderr, "vpmuctl: unknown target \"%s\" (arm64, x86-intel, x86-amd)\n",
					optarg);
				return 2;
			}
			break;
		case 'c':
			config = optarg;
			break;
		case 'e':
			va.event = optarg;
			break;
		case 'k':
			va.kind = ctl_kind_parse(optarg);
			if (va.kind < 0) {
				fprintf(stderr, "vpmuctl: unknown counter kind \"%s\" (gp, fixed, cycle, probe)\n",
					optarg);
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	if (target < 0) {
		fprintf(stderr, "vpmuctl: cannot tell this host's PMU; give --target\n");
		return 2;
	}
	if (!config && optind >= c->argc) {
		fprintf(stderr, "usage: vpmuctl check [--target T] [--config FILE] [--event EVENT [--kind K]] FILE...\n");
		return 2;
	}
	if (va.event) {
		struct vpmu_event_enc enc[VPMU_EVENT_MAX_ENCS];

		if (!ctl_event_encs(target, va.event, enc))
			return 2;
	}
	if (config) {
		diag_init(&d);
		config_defaults(&cfg);
		if (!config_check(config, false, &cfg, &d))
			bad++;
		for (k = 0; k < d.n; k++)
			fprintf(stderr, "%s\n", d.msgs[k]);
		if (d.dropped)
			fprintf(stderr, "%s: ... and %zu more errors\n", config,
				d.dropped);
		if (!diag_count(&d))
			printf("%s: ok\n", config);
		diag_free(&d);
	}
	for (i = optind; i < c->argc; i++) {
		diag_init(&d);
		t = tenant_load(c->argv[i], target, &d);
		for (k = 0; k < d.n; k++)
			fprintf(stderr, "%s\n", d.msgs[k]);
		if (d.dropped)
			fprintf(stderr, "%s: ... and %zu more errors\n",
				c->argv[i], d.dropped);
		if (t) {
			preset = vpmu_preset_name(t->preset);
			printf("%s: ok: tenant %s, %zu rules for %s, default %s%s%s\n",
			       c->argv[i], t->name, t->nr,
			       vpmu_target_name(target),
			       t->default_action == VPMU_ALLOW ? "allow" : "deny",
			       preset ? ", preset " : "", preset ? preset : "");
			if (va.event)
				print_verdicts(t, target, &va);
		} else {
			bad++;
		}
		tenant_free(t);
		diag_free(&d);
	}
	return bad ? 1 : 0;
}
