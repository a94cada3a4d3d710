// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl explain --vm ID --event EVENT: which policy applies to the VM
 * and which of its rules decide about the event, read from the pinned
 * maps and evaluated the way the engine does (explain.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "ctl.h"
#include "events.h"
#include "explain.h"
#include "presets.h"
#include "schema.h"

static const char *const kind_names[] = { "gp", "fixed", "cycle", "probe" };

struct args {
	unsigned long long vm_id, selector;
	const char *event;
	int kind;		/* -1: every kind the event is counted on */
	int umask;
	bool nested, hyp;
};

int ctl_event_encs(int target, const char *event, struct vpmu_event_enc *enc)
{
	unsigned long long raw;
	int n;

	if (schema_parse_uint(event, &raw)) {
		enc[0] = (struct vpmu_event_enc){
			.space = target == VPMU_TARGET_ARM64 ?
				 VPMU_SPACE_ARM64 : VPMU_SPACE_X86_GP,
			.event = raw, .umask = -1,
			.kinds = VPMU_KIND_GP |
				 (raw == 0x11 && target == VPMU_TARGET_ARM64 ?
				  VPMU_KIND_CYCLE : 0),
		};
		return 1;
	}
	n = vpmu_event_lookup(target, event, enc);
	if (!n)
		fprintf(stderr, "vpmuctl: unknown event \"%s\" for %s\n",
			event, vpmu_target_name(target));
	return n;
}

const char *ctl_kind_name(int k)
{
	return k >= 0 && k < 4 ? kind_names[k] : "?";
}

void ctl_print_verdict(const struct vpmu_query *q, const struct explanation *x,
		       const char *preset)
{
	bool named = x->by == BY_PRESET && preset;

	printf("  %s 0x%x on a %s counter: %s, by %s%s%s%s\n",
	       q->space == VPMU_SPACE_X86_FIXED ? "fixed" :
	       q->space == VPMU_SPACE_ARM64 ? "event" : "select",
	       q->event, ctl_kind_name(q->kind),
	       x->action == VPMU_ALLOW ? "ALLOW" : "DENY", explain_by(x),
	       named ? " (" : "", named ? preset : "", named ? ")" : "");
}

int ctl_kind_parse(const char *s)
{
	int k;

	for (k = 0; k < 4; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	return -1;
}

static int parse(struct ctl *c, struct args *a)
{
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "event", required_argument, NULL, 'e' },
		{ "kind", required_argument, NULL, 'k' },
		{ "umask", required_argument, NULL, 'u' },
		{ "selector", required_argument, NULL, 's' },
		{ "nested", no_argument, NULL, 'n' },
		{ "hyp", no_argument, NULL, 'H' },
		{ 0 }
	};
	unsigned long long n;
	bool have_vm = false;
	int o;

	memset(a, 0, sizeof(*a));
	a->kind = -1;
	a->umask = 0;
	while ((o = getopt_long(c->argc, c->argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'v':
			if (!schema_parse_uint(optarg, &a->vm_id))
				goto bad;
			have_vm = true;
			break;
		case 'e':
			a->event = optarg;
			break;
		case 'k':
			a->kind = ctl_kind_parse(optarg);
			if (a->kind < 0)
				goto bad;
			break;
		case 'u':
			if (!schema_parse_uint(optarg, &n) || n > 0xff)
				goto bad;
			a->umask = n;
			break;
		case 's':
			if (!schema_parse_uint(optarg, &a->selector))
				goto bad;
			break;
		case 'n':
			a->nested = true;
			break;
		case 'H':
			/* vEL2 is not "nested" to KVM: it is the L1 hypervisor. */
			a->hyp = true;
			break;
		default:
			goto bad;
		}
	}
	if (have_vm && a->event)
		return 0;
bad:
	fprintf(stderr,
		"usage: vpmuctl explain --vm ID --event EVENT [--kind gp|fixed|cycle|probe] [--umask N] [--selector N] [--nested] [--hyp]\n");
	return 2;
}

int ctl_explain(struct ctl *c)
{
	struct vpmu_event_enc enc[VPMU_EVENT_MAX_ENCS];
	struct vpmu_policy_header hdr;
	struct vpmu_rule *rules = NULL;
	struct vpmu_config cfg = { 0 };
	struct vpmu_vm vm;
	struct explanation x;
	struct engine e;
	char tenant[64], desc[256];
	const char *how, *preset;
	size_t nr = 0, h;
	int n, i, k, ret = 0, printed = 0;
	__u32 pid;
	struct args a;

	if (parse(c, &a))
		return 2;
	if (c->cfg.target < 0) {
		fprintf(stderr, "vpmuctl: cannot tell this host's PMU\n");
		return 2;
	}
	n = ctl_event_encs(c->cfg.target, a.event, enc);
	if (!n)
		return 2;
	if (ctl_open_engine(c, &e))
		return 1;
	engine_get_config(&e, &cfg);
	if (bpf_map_lookup_elem(e.map_fd[EM_VM_POLICY], &a.vm_id, &vm) ||
	    vm.policy_id == VPMU_POLICY_PENDING) {
		if (c->json)
			printf("[{\"vm_id\":%llu,\"policy\":0,\"action\":\"deny\",\"by\":\"pending\",\"rules\":[]}]\n",
			       a.vm_id);
		else
			printf("VM %llu: pending (not classified by the daemon yet): every event is denied\n",
			       a.vm_id);
		goto out;
	}
	if (vm.policy_id) {
		pid = vm.policy_id;
		how = "its tenant";
	} else {
		pid = cfg.default_policy_id;
		how = "the host default tenant";
	}
	ctl_tenant_name(&e, pid, tenant, sizeof(tenant));
	if (!pid || engine_read_policy(&e, pid, &hdr, &rules, &nr)) {
		/* As the engine: a tenant's missing policy denies. */
		bool by_tenant = vm.policy_id != VPMU_POLICY_NONE;
		const char *act = !by_tenant && cfg.default_action == VPMU_ALLOW ?
				  "allow" : "deny";

		if (c->json)
			printf("[{\"vm_id\":%llu,\"policy\":0,\"action\":\"%s\",\"by\":\"%s\",\"rules\":[]}]\n",
			       a.vm_id, act,
			       by_tenant ? "missing tenant policy" : "host default");
		else if (by_tenant)
			printf("VM %llu: its tenant's policy %u is missing; every event is denied\n",
			       a.vm_id, pid);
		else
			printf("VM %llu: no policy; the host default action applies: %s\n",
			       a.vm_id, act);
		goto out;
	}
	preset = vpmu_preset_name((hdr.flags & VPMU_POLICY_PRESET_MASK) >>
				  VPMU_POLICY_PRESET_SHIFT);
	if (!c->json)
		printf("VM %llu: policy %u (tenant %s, %s), %zu rules, default %s%s%s\n",
		       a.vm_id, pid, tenant, how, nr,
		       hdr.default_action == VPMU_ALLOW ? "allow" : "deny",
		       preset ? ", preset " : "", preset ? preset : "");
	else
		printf("[");
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++) {
			struct vpmu_query q = {
				.raw_selector = a.selector,
				.event = enc[i].event,
				.space = enc[i].space,
				.kind = k,
				.unit_mask = enc[i].umask >= 0 ? enc[i].umask :
								 a.umask,
				.nested = a.nested,
				.hyp_ctxt = a.hyp,
			};

			if (a.kind >= 0 ? k != a.kind :
			    !(enc[i].kinds & (1u << k)))
				continue;
			explain_decide(rules, nr, hdr.default_action, &q, &x);
			if (c->json) {
				/* Not "i || k": kinds before k may be skipped. */
				printf("%s{\"vm_id\":%llu,\"policy\":%u,\"tenant\":",
				       printed++ ? "," : "", a.vm_id, pid);
				ctl_json_str(stdout, tenant);
				printf(",\"preset\":");
				if (preset)
					ctl_json_str(stdout, preset);
				else
					printf("null");
				printf(",\"space\":%u,\"event\":%u,\"kind\":\"%s\",\"action\":\"%s\",\"by\":\"%s\",\"rules\":[",
				       q.space, q.event, ctl_kind_name(k),
				       x.action == VPMU_ALLOW ? "allow" : "deny",
				       x.by == BY_DENY ? "deny rule" :
				       x.by == BY_ALLOW ? "allow rule" :
				       x.by == BY_PRESET ? "preset" : "default");
				for (h = 0; h < x.nhits; h++) {
					explain_rule(&rules[x.hits[h]], desc,
						     sizeof(desc));
					printf(h ? "," : "");
					ctl_json_str(stdout, desc);
				}
				printf("]}");
				continue;
			}
			ctl_print_verdict(&q, &x, preset);
			for (h = 0; h < x.nhits; h++) {
				explain_rule(&rules[x.hits[h]], desc,
					     sizeof(desc));
				printf("      rule %zu: %s\n", x.hits[h] + 1, desc);
			}
			if (x.candidates > x.nhits)
				printf("      (%zu more rules for this event do not apply)\n",
				       x.candidates - x.nhits);
		}
	}
	if (c->json)
		printf("]\n");
	else
		printf("  (KVM also applies the VMM's own filter; deny wins)\n");
out:
	free(rules);
	engine_close(&e);
	return ret;
}
