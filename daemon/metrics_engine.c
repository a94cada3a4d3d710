// SPDX-License-Identifier: GPL-2.0
/* Metrics from the engine's maps (see metrics_engine.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "log.h"
#include "metrics.h"
#include "metrics_engine.h"
#include "vm_status.h"

/*
 * Within one metrics_collect(), each tenant is looked up once, not once
 * per VM and per audit entry: the daemon collects every few seconds, and
 * with 1,000 VMs the lookups were most of its work.
 */
static uint64_t memo_epoch;		/* 0: not collecting */
static uint64_t collects;
static struct {
	uint64_t epoch;
	__u32 id;
	bool ok;
	struct vpmu_tenant t;
} memo[256];

static bool tenant_info(const struct engine *e, __u32 id,
			struct vpmu_tenant *t)
{
	typeof(memo[0]) *m = &memo[id % 256];

	if (memo_epoch && m->epoch == memo_epoch && m->id == id) {
		*t = m->t;
		return m->ok;
	}
	if (!id || bpf_map_lookup_elem(e->map_fd[EM_TENANTS], &id, t)) {
		if (memo_epoch)
			*m = (typeof(*m)){ .epoch = memo_epoch, .id = id };
		return false;
	}
	t->name[sizeof(t->name) - 1] = 0;
	if (memo_epoch)
		*m = (typeof(*m)){ .epoch = memo_epoch, .id = id, .ok = true,
				   .t = *t };
	return true;
}

const char *vm_state_name(const struct engine *e, const struct vpmu_vm *pol,
			  bool classified)
{
	struct vm_status_in in = { .vm = classified ? pol : NULL };
	struct vpmu_tenant info;
	char reason[8];

	/* vm_status.c decides, as for vpmuctl vms: audit included. */
	if (classified && pol->policy_id != VPMU_POLICY_PENDING &&
	    tenant_info(e, pol->policy_id, &info))
		in.tenant = &info;
	return vm_status_name(vm_status_of(&in, reason, sizeof(reason)));
}

void vm_tenant_label(const struct engine *e, const struct vpmu_vm *pol,
		     bool classified, char *buf, size_t len)
{
	struct vpmu_tenant info;

	if (!classified || pol->policy_id == VPMU_POLICY_PENDING)
		snprintf(buf, len, "(pending)");
	else if (pol->flags & VPMU_VM_DEFAULT)
		snprintf(buf, len, "(host default)");
	else if (tenant_info(e, pol->policy_id, &info))
		snprintf(buf, len, "%s", info.name);
	else
		snprintf(buf, len, "-");
}

/* A fixed-vocabulary label: the event's name, or its number. */
static void event_label(int target, const struct vpmu_audit_key *k,
			char *buf, size_t len)
{
	const char *name = vpmu_event_name(target, k->space, k->event, -1);

	/* The audit key has no unit mask: name x86 selects by umask 0. */
	if (!name && k->space == VPMU_SPACE_X86_GP)
		name = vpmu_event_name(target, k->space, k->event, 0);
	if (name)
		snprintf(buf, len, "%s", name);
	else if (k->space == VPMU_SPACE_X86_FIXED)
		snprintf(buf, len, "fixed:%u", k->event);
	else
		snprintf(buf, len, "0x%x", k->event);
}

#define BATCH 256

static int add_vm(const struct engine *e, struct metrics *m,
		  const struct vpmu_vm *pol)
{
	char tenant[64];

	vm_tenant_label(e, pol, true, tenant, sizeof(tenant));
	return metrics_add_vm(m, tenant, vm_state_name(e, pol, true)) ?
	       -ENOMEM : 0;
}

/* Every VM's entry, BATCH at a time (one system call each). */
static int add_vms(const struct engine *e, struct metrics *m)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	static __u64 keys[BATCH];
	static struct vpmu_vm vals[BATCH];
	__u32 in = 0, out, n, i;
	bool first = true;
	int err;

	do {
		n = BATCH;
		err = bpf_map_lookup_batch(e->map_fd[EM_VM_POLICY],
					   first ? NULL : &in, &out, keys,
					   vals, &n, &opts);
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < n; i++)
			if (add_vm(e, m, &vals[i]))
				return -ENOMEM;
		in = out;
		first = false;
	} while (!err);
	return 0;
}

static int add_decisions(const struct engine *e, int target,
			 struct metrics *m)
{
	struct vpmu_audit_key k, *prev = NULL, next;
	struct vpmu_audit_val v;
	struct vpmu_vm pol;
	char tenant[64], event[32];
	bool classified;

	while (!bpf_map_get_next_key(e->map_fd[EM_AUDIT], prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(e->map_fd[EM_AUDIT], &k, &v))
			continue;
		classified = !bpf_map_lookup_elem(e->map_fd[EM_VM_POLICY],
						  &k.vm_id, &pol);
		vm_tenant_label(e, &pol, classified, tenant, sizeof(tenant));
		event_label(target, &k, event, sizeof(event));
		if (metrics_add_decisions(m, tenant, event, v.allowed,
					  v.denied, v.would_deny))
			return -ENOMEM;
	}
	return 0;
}

int metrics_collect(const struct engine *e, int target, unsigned int top_n,
		    char **text, size_t *len)
{
	struct metrics_daemon dm = { 0 };
	struct vpmu_daemon st = { 0 };
	struct metrics *m;
	__u32 zero = 0;
	FILE *f;
	int err;

	m = metrics_new(top_n);
	if (!m)
		return -ENOMEM;
	bpf_map_lookup_elem(e->map_fd[EM_DAEMON], &zero, &st);
	dm.running = st.pid > 0 && (!kill(st.pid, 0) || errno == EPERM);
	dm.reloads = st.reloads;
	dm.tenants = st.tenants;
	dm.rejected = st.broken;
	dm.last_reload_ns = st.reloaded_ns;
	dm.dropped_records = engine_drops(e, VPMU_DROP_RECORDS);
	dm.dropped_lifecycle = engine_drops(e, VPMU_DROP_LIFECYCLE);
	memo_epoch = ++collects;
	err = add_vms(e, m);
	if (!err)
		err = add_decisions(e, target, m);
	memo_epoch = 0;		/* lookups outside a collect go to the map */
	if (err) {
		metrics_free(m);
		return err;
	}
	*text = NULL;
	f = open_memstream(text, len);
	if (!f) {
		metrics_free(m);
		return -ENOMEM;
	}
	metrics_print(m, &dm, f);
	metrics_free(m);
	if (fclose(f)) {
		free(*text);
		return -ENOMEM;
	}
	return 0;
}

void metrics_textfile(const struct engine *e,
		      const struct policyd_config *cfg)
{
	/* The last failure logged, so that a missing directory is said once. */
	static int logged;
	char *text = NULL, why[PATH_MAX + 128];
	size_t len = 0;
	int err;

	if (!cfg->metrics_file[0])
		return;
	err = metrics_collect(e, cfg->target, cfg->metrics_top_events, &text,
			      &len);
	if (err)
		snprintf(why, sizeof(why), "%s", strerror(-err));
	else
		err = metrics_write_file(cfg->metrics_file, text, len, why,
					 sizeof(why));
	free(text);
	if (err && err != logged)
		log_msg(LOG_WARNING,
			"metrics: cannot write %s: %s (is prometheus-node-exporter installed? \"metrics_file\": \"\" turns this off)",
			cfg->metrics_file, why);
	else if (!err && logged)
		log_msg(LOG_INFO, "metrics: writing %s again",
			cfg->metrics_file);
	logged = err;
}
