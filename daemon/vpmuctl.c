// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl: look at and steer vpmu-policy.  It reads the engine's pinned
 * maps directly, so it works with or without a running daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ctl.h"
#include "esc.h"

static const struct {
	const char *name;
	int (*fn)(struct ctl *c);
	const char *help;
} commands[] = {
	{ "status", ctl_status, "the daemon, the attached policies, the engine" },
	{ "vms", ctl_vms, "VMs: cgroup, tenant, policy, allowed/denied counts" },
	{ "check", ctl_check, "FILE...: validate tenant files (--config FILE: a main config; --event E: its verdicts)" },
	{ "explain", ctl_explain, "--vm ID --event EVENT [--kind K] [--selector S] [--nested] [--hyp]" },
	{ "match", ctl_match, "--cgroup PATH: the tenant a VM there would get, and why" },
	{ "reload", ctl_reload, "make the daemon re-read its configuration" },
	{ "attach", ctl_attach, "OBJ [--after NAME]: attach a custom filter beside the engine" },
	{ "detach", ctl_detach, "NAME: detach a custom filter" },
	{ "metrics", ctl_metrics, "[--top N]: OpenMetrics, as the daemon writes for node_exporter" },
	{ "presets", ctl_presets, "[--target T]: the events of each preset" },
	{ "unpin", ctl_unpin, "detach the engine and remove its pins (uninstall)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: vpmuctl [--json] [--config FILE] COMMAND [ARGS]\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

void ctl_json_str(FILE *f, const char *s)
{
	esc_json(f, s);
}

bool ctl_engine_pinned(struct ctl *c)
{
	if (engine_pinned(c->cfg.pin_dir))
		return true;
	fprintf(stderr,
		"vpmuctl: no engine pinned at %s (is vpmu-policyd running? 'systemctl status vpmu-policyd')\n",
		c->cfg.pin_dir);
	return false;
}

int ctl_open_engine(struct ctl *c, struct engine *e)
{
	char why[512];

	if (!ctl_engine_pinned(c))
		return 1;
	/* No command writes the engine's maps from here: read-only fds. */
	if (engine_open_rdonly(e, c->cfg.pin_dir, why, sizeof(why))) {
		fprintf(stderr, "vpmuctl: %s\n", why);
		return 1;
	}
	return 0;
}

void ctl_tenant_name(struct engine *e, __u32 id, char *buf, size_t len)
{
	struct vpmu_tenant t;

	if (id && !bpf_map_lookup_elem(e->map_fd[EM_TENANTS], &id, &t))
		snprintf(buf, len, "%.*s", (int)sizeof(t.name), t.name);
	else
		snprintf(buf, len, "-");
}

int ctl_attached(char names[][64], int max)
{
	FILE *f = fopen("/sys/kernel/debug/kvm/pmu_policies", "re");
	char line[256];
	int n = 0;

	if (!f)
		return -errno;
	/* The first line names the columns. */
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s", names[n]) == 1)
			n++;
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ctl c = { .config_path = POLICYD_CONFIG_FILE };
	struct diag dg;
	size_t i;
	int o;

	/* Options before the command; the command parses its own. */
	while ((o = getopt_long(argc, argv, "+jc:h", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			c.json = true;
			break;
		case 'c':
			c.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	engine_log_setup();
	config_defaults(&c.cfg);
	diag_init(&dg);
	if (!config_load(c.config_path, true, &c.cfg, &dg)) {
		for (i = 0; i < dg.n; i++)
			fprintf(stderr, "%s\n", dg.msgs[i]);
		/* Still usable: the defaults name the usual paths. */
		config_defaults(&c.cfg);
	}
	diag_free(&dg);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		c.argc = argc - optind;
		c.argv = argv + optind;
		optind = 0;	/* glibc: start over on the command's own */
		return commands[i].fn(&c);
	}
	fprintf(stderr, "vpmuctl: unknown command \"%s\"\n\n", argv[optind]);
	usage(stderr);
	return 2;
}
