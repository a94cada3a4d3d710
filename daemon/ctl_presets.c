// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl presets [--target T]: the events of each preset (presets.c),
 * per target, as a table or JSON.  Needs no engine and no daemon.
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "presets.h"

/* "select 0xc4 umask 0x00", "select 0xc4 any umask", "fixed 1", "0x0011" */
static void encoding(const struct vpmu_preset_event *e, char *buf, size_t len)
{
	if (e->space == VPMU_SPACE_X86_FIXED)
		snprintf(buf, len, "fixed %u", e->event);
	else if (e->space == VPMU_SPACE_ARM64)
		snprintf(buf, len, "0x%04x", e->event);
	else if (e->umask < 0)
		snprintf(buf, len, "select 0x%02x any umask", e->event);
	else
		snprintf(buf, len, "select 0x%02x umask 0x%02x", e->event,
			 e->umask);
}

static void print_target(enum vpmu_target t)
{
	const struct vpmu_preset_event *ev = NULL;
	char enc[64];
	size_t i, n;

	ev = vpmu_preset_events(t, &n);
	printf("%s (%s); each preset has the events of those above it:\n",
	       vpmu_target_name(t), vpmu_preset_source(t));
	printf("  %-14s %-34s %-26s %s\n", "PRESET", "EVENT", "ENCODING", "COUNTS");
	for (i = 0; i < n; i++) {
		encoding(&ev[i], enc, sizeof(enc));
		printf("  %-14s %-34s %-26s %s\n", vpmu_preset_name(ev[i].level),
		       ev[i].name, enc, ev[i].what);
	}
}

static void json_target(enum vpmu_target t, bool *first)
{
	static const char *const spaces[] = {
		[VPMU_SPACE_X86_GP] = "select",
		[VPMU_SPACE_X86_FIXED] = "fixed",
		[VPMU_SPACE_ARM64] = "event",
	};
	const struct vpmu_preset_event *ev;
	size_t i, n;

	ev = vpmu_preset_events(t, &n);
	for (i = 0; i < n; i++) {
		printf("%s{\"target\":\"%s\",\"preset\":\"%s\",\"name\":",
		       *first ? "" : ",", vpmu_target_name(t),
		       vpmu_preset_name(ev[i].level));
		*first = false;
		ctl_json_str(stdout, ev[i].name);
		printf(",\"%s\":%u,\"umask\":", spaces[ev[i].space], ev[i].event);
		if (ev[i].umask < 0)
			printf("null");
		else
			printf("%d", ev[i].umask);
		printf(",\"what\":");
		ctl_json_str(stdout, ev[i].what);
		printf("}");
	}
}

int ctl_presets(struct ctl *c)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ 0 }
	};
	int target = -1, o, t;
	bool first = true;

	while ((o = getopt_long(c->argc, c->argv, "t:", opts, NULL)) != -1) {
		if (o != 't') {
			fprintf(stderr, "usage: vpmuctl presets [--target T]\n");
			return 2;
		}
		target = vpmu_target_parse(optarg);
		if (target < 0) {
			fprintf(stderr, "vpmuctl: unknown target \"%s\" (arm64, x86-intel, x86-amd)\n",
				optarg);
			return 2;
		}
	}
	if (c->json)
		printf("[");
	/* Without --target, every target: the lists are for reading. */
	for (t = 0; vpmu_target_name(t); t++) {
		if (target >= 0 && t != target)
			continue;
		if (c->json) {
			json_target(t, &first);
			continue;
		}
		if (!first)
			printf("\n");
		first = false;
		print_target(t);
	}
	if (c->json)
		printf("]\n");
	return 0;
}
