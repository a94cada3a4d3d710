// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl check: validate policy files without a daemon, with exactly the
 * daemon's messages (the same compiler).
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "policy.h"

int ctl_check(struct ctl *c)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ 0 }
	};
	struct policyd_config cfg;
	int target = c->cfg.target, o, bad = 0, i;
	const char *config = NULL;
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
		default:
			return 2;
		}
	}
	if (target < 0) {
		fprintf(stderr, "vpmuctl: cannot tell this host's PMU; give --target\n");
		return 2;
	}
	if (!config && optind >= c->argc) {
		fprintf(stderr, "usage: vpmuctl check [--target T] [--config FILE] FILE...\n");
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
		if (t)
			printf("%s: ok: tenant %s, %zu rules for %s, default %s\n",
			       c->argv[i], t->name, t->nr,
			       vpmu_target_name(target),
			       t->default_action == VPMU_ALLOW ? "allow" : "deny");
		else
			bad++;
		tenant_free(t);
		diag_free(&d);
	}
	return bad ? 1 : 0;
}
