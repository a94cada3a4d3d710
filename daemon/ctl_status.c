// SPDX-License-Identifier: GPL-2.0
/* vpmuctl status: the daemon, the attached policies, the engine. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Per policy id: its VMs, and the decisions they would have had denied. */
struct tenant_audit {
	__u64 would_deny;
	__u32 vms;
};

struct audit_sums {
	struct engine *e;
	struct tenant_audit *by_id;	/* VPMU_MAX_POLICIES + 1 */
};

/* The tenant policy VM @vm_id runs, or 0 (pending, host default, gone). */
static __u32 tenant_policy_of(struct engine *e, __u64 vm_id)
{
	struct vpmu_vm vm;

	if (bpf_map_lookup_elem(e->map_fd[EM_VM_POLICY], &vm_id, &vm) ||
	    vm.policy_id == VPMU_POLICY_PENDING || vm.policy_id > VPMU_MAX_POLICIES ||
	    (vm.flags & VPMU_VM_DEFAULT))
		return 0;
	return vm.policy_id;
}

static int add_would_deny(const struct vpmu_audit_key *k,
			  const struct vpmu_audit_val *v, void *arg)
{
	struct audit_sums *as = arg;

	as->by_id[tenant_policy_of(as->e, k->vm_id)].would_deny += v->would_deny;
	return 0;
}

/*
 * Per tenant in audit mode or with would-deny counts: its VMs and their
 * would-deny decisions (of the VMs running now: a VM's counts go with
 * it).  NULL if out of memory.
 */
static struct tenant_audit *tenant_audit(struct engine *e)
{
	struct audit_sums as = { .e = e };
	__u64 key, next, *prev = NULL;

	as.by_id = calloc(VPMU_MAX_POLICIES + 1, sizeof(*as.by_id));
	if (!as.by_id)
		return NULL;
	while (!bpf_map_get_next_key(e->map_fd[EM_VM_POLICY], prev, &next)) {
		key = next;
		prev = &key;
		as.by_id[tenant_policy_of(e, key)].vms++;
	}
	ctl_audit_walk(e, add_would_deny, &as);
	return as.by_id;
}

/* One line (or JSON object) per tenant that audit mode concerns. */
static void print_tenant_audit(struct ctl *c, struct engine *e)
{
	struct tenant_audit *ta = tenant_audit(e);
	__u32 key, next, *prev = NULL;
	struct vpmu_tenant info;
	bool first = true, audit;

	if (c->json)
		printf(",\"would_deny\":[");
	while (ta && !bpf_map_get_next_key(e->map_fd[EM_TENANTS], prev, &next)) {
		key = next;
		prev = &key;
		if (key > VPMU_MAX_POLICIES ||
		    bpf_map_lookup_elem(e->map_fd[EM_TENANTS], &key, &info))
			continue;
		audit = info.flags & VPMU_POLICY_MODE_AUDIT;
		if (!audit && !ta[key].would_deny)
			continue;
		info.name[sizeof(info.name) - 1] = 0;
		if (c->json) {
			printf("%s{\"tenant\":", first ? "" : ",");
			ctl_json_str(stdout, info.name);
			printf(",\"mode\":\"%s\",\"vms\":%u,\"would_deny\":%llu}",
			       audit ? "audit" : "enforce", ta[key].vms,
			       (unsigned long long)ta[key].would_deny);
		} else {
			printf("%s %s: mode %s, %u VM%s, %llu would-deny\n",
			       first ? "would-deny:" : "          ", info.name,
			       audit ? "audit" : "enforce", ta[key].vms,
			       ta[key].vms == 1 ? "" : "s",
			       (unsigned long long)ta[key].would_deny);
		}
		first = false;
	}
	if (c->json)
		printf("]");
	free(ta);
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
		printf("\"dropped\":{\"records\":%llu,\"lifecycle\":%llu}}",
		       (unsigned long long)lost_records,
		       (unsigned long long)lost_lifecycle);
		print_tenant_audit(c, &e);
		printf(",");
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
		print_tenant_audit(c, &e);
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
