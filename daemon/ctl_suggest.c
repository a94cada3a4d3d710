// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl suggest --tenant T | --vm ID: the events the tenant's VMs (or
 * one VM) programmed, from the engine's audit counts, as a tenant file
 * that allows just those (suggest.c writes it).  The counts are the
 * running VMs': a VM's go with it.  Run it while the tenant is in audit
 * mode ("mode": "audit") so that its guests programmed what they would
 * use, not only what the policy let them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "ctl.h"
#include "esc.h"
#include "schema.h"
#include "suggest.h"
#include "u64map.h"

struct collect {
	struct u64map vms;		/* the VMs whose events count */
	struct suggest_event *ev;
	size_t n;
	bool oom;
};

static int add_event(const struct vpmu_audit_key *k,
		     const struct vpmu_audit_val *v, void *arg)
{
	struct collect *co = arg;
	struct suggest_event e = { .space = k->space, .event = k->event,
				   .umask = k->unit_mask };
	void *p;
	size_t i;

	if (!u64map_get(&co->vms, k->vm_id, NULL) ||
	    !(v->allowed + v->denied + v->would_deny))
		return 0;
	for (i = 0; i < co->n; i++)
		if (!memcmp(&co->ev[i], &e, sizeof(e)))
			return 0;
	p = realloc(co->ev, (co->n + 1) * sizeof(*co->ev));
	if (!p) {
		co->oom = true;
		return 1;
	}
	co->ev = p;
	co->ev[co->n++] = e;
	return 0;
}

/* The policy id of tenant @name in the pinned tenants map, or 0. */
static __u32 tenant_id(struct engine *e, const char *name)
{
	__u32 key, next, *prev = NULL;
	struct vpmu_tenant info;

	while (!bpf_map_get_next_key(e->map_fd[EM_TENANTS], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(e->map_fd[EM_TENANTS], &key, &info))
			continue;
		if (!strncmp(info.name, name, sizeof(info.name)))
			return key;
	}
	return 0;
}

/*
 * The VMs running policy @id: the tenant's, and the host default's if
 * @id is the host default tenant.  Their count, or -1 if out of memory.
 */
static int tenant_vms(struct engine *e, __u32 id, struct u64map *vms)
{
	struct vpmu_config cfg = { 0 };
	__u64 key, next, *prev = NULL;
	struct vpmu_vm vm;
	int n = 0;

	engine_get_config(e, &cfg);
	while (!bpf_map_get_next_key(e->map_fd[EM_VM_POLICY], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(e->map_fd[EM_VM_POLICY], &key, &vm) ||
		    vm.policy_id == VPMU_POLICY_PENDING)
			continue;
		if (vm.flags & VPMU_VM_DEFAULT ? cfg.default_policy_id != id :
						 vm.policy_id != id)
			continue;
		if (!u64map_put(vms, key, 1))
			return -1;
		n++;
	}
	return n;
}

static struct tenant *load_tenant(struct ctl *c, const char *name)
{
	struct tenant **ts, *t = NULL;
	size_t n, i;

	ts = ctl_load_tenants(c, &n);
	for (i = 0; ts && i < n; i++) {
		if (!t && !strcmp(ts[i]->name, name))
			t = ts[i];
		else
			tenant_free(ts[i]);
	}
	free(ts);
	return t;
}

static int usage(void)
{
	fprintf(stderr, "usage: vpmuctl suggest --tenant NAME | --vm ID\n");
	return 2;
}

int ctl_suggest(struct ctl *c)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' },
		{ "vm", required_argument, NULL, 'v' },
		{ 0 }
	};
	struct suggest_in in = { .target = c->cfg.target };
	struct collect co = { 0 };
	const char *tname = NULL;
	unsigned long long vm_id = 0;
	bool have_vm = false;
	struct tenant *t = NULL;
	char name[VPMU_TENANT_NAME_MAX + 1], *path = NULL;
	struct vpmu_config cfg = { 0 };
	struct vpmu_vm vm;
	struct engine e;
	int o, n, ret = 1;
	__u32 id;

	while ((o = getopt_long(c->argc, c->argv, "", opts, NULL)) != -1) {
		if (o == 't')
			tname = optarg;
		else if (o == 'v' && schema_parse_uint(optarg, &vm_id))
			have_vm = true;
		else
			return usage();
	}
	if (optind < c->argc || !tname == !have_vm)
		return usage();
	if (ctl_open_engine(c, &e))
		return 1;
	engine_get_config(&e, &cfg);

	if (have_vm) {
		if (bpf_map_lookup_elem(e.map_fd[EM_VM_POLICY], &vm_id, &vm)) {
			fprintf(stderr, "vpmuctl: no VM %llu in the engine\n", vm_id);
			goto out;
		}
		u64map_put(&co.vms, vm_id, 1);
		n = 1;
		/* A tenant's VM keeps its tenant's match; else its cgroup. */
		if (vm.policy_id != VPMU_POLICY_PENDING &&
		    !(vm.flags & VPMU_VM_DEFAULT)) {
			ctl_tenant_name(&e, vm.policy_id, name, sizeof(name));
			tname = name;
		} else {
			path = cgroup_path_of(c->cfg.cgroup_root, vm.cgroup_id);
			if (!path) {
				fprintf(stderr, "vpmuctl: VM %llu has no tenant and its cgroup (id %llu) is gone: nothing to match it by\n",
					vm_id, (unsigned long long)vm.cgroup_id);
				goto out;
			}
			snprintf(name, sizeof(name), "vm-%llu", vm_id);
			in.name = name;
			in.cgroup = path;
		}
	}
	if (tname) {
		if (!tenant_name_valid(tname)) {
			fprintf(stderr, "vpmuctl: \"%s\" is not a tenant name\n", ESC(tname));
			goto out;
		}
		id = tenant_id(&e, tname);
		if (!id) {
			fprintf(stderr, "vpmuctl: no tenant \"%s\" in the engine\n", tname);
			goto out;
		}
		if (!have_vm && (n = tenant_vms(&e, id, &co.vms)) < 0) {
			fprintf(stderr, "vpmuctl: out of memory\n");
			goto out;
		}
		if (!n) {
			fprintf(stderr, "vpmuctl: tenant %s has no running VMs: nothing to suggest from (a VM's audit counts go with it)\n",
				tname);
			goto out;
		}
		t = load_tenant(c, tname);
		if (!t) {
			fprintf(stderr, "vpmuctl: tenant %s has no file in %s to take its match from\n",
				tname, c->cfg.tenants_dir);
			goto out;
		}
		in.name = t->name;
		in.t = t;
	}
	ctl_audit_walk(&e, add_event, &co);
	if (co.oom) {
		fprintf(stderr, "vpmuctl: out of memory\n");
		goto out;
	}
	if (!co.n)
		fprintf(stderr, "vpmuctl: no audit counts for %s: with neither \"mode\": \"audit\" nor an audit level (\"audit\": \"denials\") the engine counts nothing\n",
			in.name);
	in.ev = co.ev;
	in.n = co.n;
	in.vms = n;
	ret = suggest_print(stdout, &in) < 0;
	if (ret)
		fprintf(stderr, "vpmuctl: out of memory\n");
out:
	u64map_clear(&co.vms);
	free(co.ev);
	free(path);
	tenant_free(t);
	engine_close(&e);
	return ret;
}
