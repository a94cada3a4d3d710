// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl metrics [--top N]: the OpenMetrics text the daemon writes for
 * node_exporter's textfile collector (metrics_engine.c), from the pinned
 * engine, so with or without a running daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "metrics_engine.h"
#include "schema.h"

int ctl_metrics(struct ctl *c)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ 0 }
	};
	unsigned long long top = c->cfg.metrics_top_events;
	struct engine e;
	char *text;
	size_t len;
	int o, err;

	while ((o = getopt_long(c->argc, c->argv, "", opts, NULL)) != -1) {
		if (o != 'n' || !schema_parse_uint(optarg, &top) || top > 1000) {
			fprintf(stderr, "usage: vpmuctl metrics [--top N] (N at most 1000)\n");
			return 2;
		}
	}
	if (ctl_open_engine(c, &e))
		return 1;
	err = metrics_collect(&e, c->cfg.target, top, &text, &len);
	engine_close(&e);
	if (err) {
		fprintf(stderr, "vpmuctl: metrics: %s\n", strerror(-err));
		return 1;
	}
	fwrite(text, 1, len, stdout);
	free(text);
	return 0;
}
