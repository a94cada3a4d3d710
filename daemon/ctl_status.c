// SPDX-License-Identifier: GPL-2.0
/* vpmuctl status: the daemon, the attached policies, the engine. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "ctl.h"

static const char *audit_name(int a)
{
	return a == VPMU_AUDIT_NONE ? "none" :
	       a == VPMU_AUDIT_ALL ? "all" : "denials";
}

static void fmt_time(__u64 ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	if (!ns || !localtime_r(&t, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The tenants running their last good policy, comma-separated. */
static void degraded_tenants(const struct engine *e, char *buf, size_t len)
{
	__u32 key, next, *prev = NULL;
	struct vpmu_tenant info;
	size_t used = 0;

	buf[0] = 0;
	while (!bpf_map_get_next_key(e->map_fd[EM_TENANTS], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(e->map_fd[EM_TENANTS], &key, &info) ||
		    !(info.state & VPMU_TENANT_DEGRADED))
			continue;
		info.name[sizeof(info.name) - 1] = 0;
		used += snprintf(buf + used, used < len ? len - used : 0,
				 "%s%s", used ? "," : "", info.name);
	}
}

int ctl_status(struct ctl *c)
{
	char names[16][64], started[32], reloaded[32], dflt[64], degraded[1024];
	struct vpmu_daemon st = { 0 };
	struct vpmu_config cfg = { 0 };
	struct engine e;
	__u64 lost_records, lost_lifecycle;
	__u32 zero = 0;
	bool running;
	int n, i;

	if (ctl_open_engine(c, &e))
		return 1;
	bpf_map_lookup_elem(e.map_fd[EM_DAEMON], &zero, &st);
	engine_get_config(&e, &cfg);
	running = st.pid > 0 && (!kill(st.pid, 0) || errno == EPERM);
	n = ctl_attached(names, 16);
	fmt_time(st.started_ns, started, sizeof(started));
	fmt_time(st.reloaded_ns, reloaded, sizeof(reloaded));
	ctl_tenant_name(&e, cfg.default_policy_id, dflt, sizeof(dflt));
	degraded_tenants(&e, degraded, sizeof(degraded));
	lost_records = engine_drops(&e, VPMU_DROP_RECORDS);
	lost_lifecycle = engine_drops(&e, VPMU_DROP_LIFECYCLE);

	if (c->json) {
		printf("{\"daemon\":{\"running\":%s,\"pid\":%d,\"started\":",
		       running ? "true" : "false", running ? st.pid : 0);
		ctl_json_str(stdout, started);
		printf(",\"reloads\":%u,\"last_reload\":", st.reloads);
		ctl_json_str(stdout, reloaded);
		printf(",\"tenants\":%u,\"rejected\":%u,\"vms\":%u,\"degraded\":",
		       st.tenants, st.broken, st.vms);
		/* Tenant names are the files' "name": root's, but quoted. */
		ctl_json_str(stdout, degraded);
		printf("},");
		printf("\"engine\":{\"pin_dir\":");
		ctl_json_str(stdout, c->cfg.pin_dir);
		printf(",\"abi\":%u,\"default_action\":\"%s\",\"default_tenant\":",
		       cfg.abi_version,
		       cfg.default_action == VPMU_ALLOW ? "allow" : "deny");
		ctl_json_str(stdout, dflt);
		printf(",\"audit\":\"%s\",\"denials_per_sec\":%u,",
		       audit_name(cfg.audit), cfg.denials_per_sec);
		printf("\"dropped\":{\"records\":%llu,\"lifecycle\":%llu}},",
		       (unsigned long long)lost_records,
		       (unsigned long long)lost_lifecycle);
		printf("\"attached\":");
		if (n < 0) {
			printf("null");
		} else {
			printf("[");
			for (i = 0; i < n; i++) {
				printf(i ? "," : "");
				ctl_json_str(stdout, names[i]);
			}
			printf("]");
		}
		printf("}\n");
	} else {
		if (running)
			printf("daemon:    running (pid %d), started %s\n",
			       st.pid, started);
		else
			printf("daemon:    not running (the pinned engine keeps enforcing)\n");
		printf("reloads:   %u, last %s\n", st.reloads, reloaded);
		printf("tenants:   %u (%u files rejected)\n", st.tenants,
		       st.broken);
		if (degraded[0])
			printf("degraded:  %s (running their last good policy)\n",
			       degraded);
		printf("VMs:       %u\n", st.vms);
		printf("engine:    %s (ABI %u), host default %s%s%s, audit %s\n",
		       c->cfg.pin_dir, cfg.abi_version,
		       cfg.default_action == VPMU_ALLOW ? "allow" : "deny",
		       cfg.default_policy_id ? ", default tenant " : "",
		       cfg.default_policy_id ? dflt : "",
		       audit_name(cfg.audit));
		printf("dropped:   %llu decision records, %llu lifecycle records (ring buffers full)\n",
		       (unsigned long long)lost_records,
		       (unsigned long long)lost_lifecycle);
		if (n < 0)
			printf("attached:  unknown (%s: mount debugfs on /sys/kernel/debug)\n",
			       strerror(-n));
		else
			for (i = 0; i < n; i++)
				printf("%s %d. %s\n", i ? "          " : "attached: ",
				       i + 1, names[i]);
	}
	engine_close(&e);
	return 0;
}
