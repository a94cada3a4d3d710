// SPDX-License-Identifier: GPL-2.0
/*
 * test_suggest: vpmuctl suggest's tenant file (daemon/suggest.c) and a
 * VM's state and reason (daemon/vm_status.c), on the host.
 *
 * A suggested file must be one the daemon accepts (compiled here with
 * its own tenant_parse()), keep the tenant's name, match clauses and
 * priority, and allow every encoding the VMs programmed and nothing
 * else it could avoid: each seen event is decided ALLOW by the engine's
 * semantics (explain.c), events not seen are denied, but for a preset
 * (the tenant's, kept, less what its file takes away; or one folded in
 * because every event of it was seen).  Outputs are compared whole, so
 * that a change of format shows here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "policy.h"
#include "presets.h"
#include "suggest.h"
#include "vm_status.h"
#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char *run(const struct suggest_in *in, int *entries)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		tap_bail("open_memstream");
	*entries = suggest_print(f, in);
	fclose(f);
	return text;
}

static struct tenant *parse(const char *file, const char *text,
			    enum vpmu_target target)
{
	struct diag d;
	struct tenant *t;
	size_t i;

	diag_init(&d);
	t = tenant_parse(file, text, strlen(text), target, &d);
	for (i = 0; i < d.n; i++)
		tap_diag("  %s", d.msgs[i]);
	diag_free(&d);
	return t;
}

/* The engine's verdict under @t for an event on counter kind @kind. */
static int verdict(const struct tenant *t, uint8_t space, uint32_t event,
		   uint8_t umask, int kind)
{
	struct vpmu_query q = { .event = event, .space = space, .kind = kind,
				.unit_mask = umask };
	struct explanation x;

	explain_decide(t->rules, t->nr, t->default_action, &q, &x);
	return x.action;
}

static bool cond_eq(const struct match_cond *x, const struct match_cond *y)
{
	return x->field == y->field && !strcmp(x->pattern, y->pattern) &&
	       !x->xattr == !y->xattr && (!x->xattr || !strcmp(x->xattr, y->xattr));
}

/* The same clauses in order, each with the same conditions in any order. */
static bool same_clauses(const struct tenant *a, const struct tenant *b)
{
	size_t i, j, k;

	if (a->nclauses != b->nclauses)
		return false;
	for (i = 0; i < a->nclauses; i++) {
		const struct match_clause *x = &a->clauses[i], *y = &b->clauses[i];

		if (x->n != y->n || x->untrusted_xattrs != y->untrusted_xattrs)
			return false;
		for (j = 0; j < x->n; j++) {
			for (k = 0; k < y->n && !cond_eq(&x->conds[j], &y->conds[k]); k++)
				;
			if (k == y->n)
				return false;
		}
	}
	return true;
}

/* 4 checks: the vm_count guest's events, output compared whole. */
static void test_arm64_exact(void)
{
	static const struct suggest_event ev[] = {
		{ VPMU_SPACE_ARM64, 0x11 }, { VPMU_SPACE_ARM64, 0xc0de },
		{ VPMU_SPACE_ARM64, 0x08 },
	};
	static const char want[] =
		"{\n"
		"\t\"tenant\": \"a\",\n"
		"\t\"comment\": \"suggested by vpmuctl suggest from the audit counts of 1 VM: the events they programmed; left out 0xc0de, KVM's reset value of counters the guest never programmed; preset architectural would cover them all and allow 5 more events (vpmuctl presets lists them)\",\n"
		"\t\"match\": { \"slice\": \"tenant-a.slice\" },\n"
		"\t\"mode\": \"enforce\",\n"
		"\t\"default\": \"deny\",\n"
		"\t\"allow\": [\n"
		"\t\t\"CPU_CYCLES\",\n"
		"\t\t\"INST_RETIRED\"\n"
		"\t]\n"
		"}\n";
	struct tenant *orig, *t;
	struct suggest_in in = { .name = "a", .target = VPMU_TARGET_ARM64,
				 .ev = ev, .n = ARRAY_SIZE(ev), .vms = 1 };
	char *text;
	int n;

	orig = parse("t/a.json",
		     "{\"match\": {\"slice\": \"tenant-a.slice\"}, \"mode\": \"audit\",\n"
		     " \"default\": \"allow\", \"deny\": [\"INST_RETIRED\"]}",
		     VPMU_TARGET_ARM64);
	in.t = orig;
	text = run(&in, &n);
	TAP_CHECK_EQ(n, 2, "arm64: two allow entries");
	if (!tap_check(orig && !strcmp(text, want), "arm64: the whole file"))
		tap_diag("got:\n%s", text);
	t = parse("t/a.json", text, VPMU_TARGET_ARM64);
	tap_check(t && t->mode == TENANT_ENFORCE && t->default_action == VPMU_DENY &&
			  same_clauses(t, orig),
		  "arm64: the daemon accepts it: enforce, deny by default, the same match");
	tap_check(t && verdict(t, VPMU_SPACE_ARM64, 0x08, 0, 0) == VPMU_ALLOW &&
			  verdict(t, VPMU_SPACE_ARM64, 0x11, 0, 0) == VPMU_ALLOW &&
			  verdict(t, VPMU_SPACE_ARM64, 0x11, 0, 2) == VPMU_ALLOW &&
			  verdict(t, VPMU_SPACE_ARM64, 0xc0de, 0, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_ARM64, 0x12, 0, 0) == VPMU_DENY,
		  "arm64: INST_RETIRED and CPU_CYCLES (event and cycle counter) allowed; the reset value and others denied");
	tenant_free(t);
	tenant_free(orig);
	free(text);
}

/*
 * 5 checks: x86, named and unnamed encodings, several clauses with
 * xattrs, a priority; every seen encoding allowed, near misses denied.
 */
static void test_x86(void)
{
	static const struct suggest_event ev[] = {
		{ VPMU_SPACE_X86_GP, 0xc0, 0x00 },	/* instructions */
		{ VPMU_SPACE_X86_FIXED, 0 },		/* instructions */
		{ VPMU_SPACE_X86_GP, 0x99, 0x42 },	/* no name */
		{ VPMU_SPACE_X86_FIXED, 7 },		/* no name */
		{ VPMU_SPACE_X86_GP, 0x3c, 0x00 },	/* cycles */
	};
	struct tenant *orig, *t;
	struct suggest_in in = { .name = "intel-b", .target = VPMU_TARGET_X86_INTEL,
				 .ev = ev, .n = ARRAY_SIZE(ev), .vms = 3 };
	bool all = true;
	char *text;
	size_t i;
	int n;

	orig = parse("t/b.json",
		     "{\"tenant\": \"intel-b\", \"priority\": -7, \"match\": [\n"
		     "  {\"slice\": \"b-*.slice\", \"xattr\": {\"trusted.t\": \"b\", \"user.u\": \"\\\"q\\\"\"},\n"
		     "   \"untrusted_xattrs\": true, \"unit\": \"vm@*.service\"},\n"
		     "  {\"machine\": \"b\\\\x\", \"cgroup\": \"/b/*\"}]}",
		     VPMU_TARGET_X86_INTEL);
	in.t = orig;
	text = run(&in, &n);
	t = parse("t/b.json", text, VPMU_TARGET_X86_INTEL);
	if (!tap_check(orig && t, "x86: the suggestion compiles"))
		tap_diag("got:\n%s", text);
	tap_check(t && !strcmp(t->name, "intel-b") && t->priority == -7 &&
			  same_clauses(t, orig),
		  "x86: name, priority and both clauses (xattrs, escapes) kept");
	tap_check(strstr(text, "\"instructions\"") && strstr(text, "\"cycles\"") &&
			  strstr(text, "{ \"select\": \"0x99\", \"umask\": \"0x42\" }") &&
			  strstr(text, "{ \"fixed\": 7 }") && !strstr(text, "left out"),
		  "x86: by name where the table names the encoding, else by number");
	for (i = 0; t && i < ARRAY_SIZE(ev); i++)
		all &= verdict(t, ev[i].space, ev[i].event, ev[i].umask,
			       ev[i].space == VPMU_SPACE_X86_FIXED ? 1 : 0) ==
		       VPMU_ALLOW;
	tap_check(t && all, "x86: every encoding seen is allowed");
	tap_check(t && verdict(t, VPMU_SPACE_X86_GP, 0x99, 0x41, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_X86_GP, 0x2e, 0x41, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_X86_FIXED, 2, 0, 1) == VPMU_DENY,
		  "x86: another unit mask of a seen select, and unseen events, are denied");
	tenant_free(t);
	tenant_free(orig);
	free(text);
}

/* The suggestion for @in from @orig's file, compared whole and compiled. */
static struct tenant *suggest_from(struct suggest_in *in, const char *file,
				   const char *orig_text, const char *want,
				   const char *what, struct tenant **orig)
{
	struct tenant *t;
	char *text;
	int n;

	*orig = parse(file, orig_text, in->target);
	in->t = *orig;
	text = *orig ? run(in, &n) : strdup("");
	if (!tap_check(*orig && !strcmp(text, want), "%s: the whole file", what))
		tap_diag("got:\n%s", text);
	t = parse(file, text, in->target);
	free(text);
	return t;
}

/*
 * 3 checks: arm64, the file names a preset: kept; "allow" only what it
 * does not cover (a seen event the file denied included); "deny" what
 * the file takes away from it that was not seen.
 */
static void test_arm64_preset_kept(void)
{
	static const struct suggest_event ev[] = {
		{ VPMU_SPACE_ARM64, 0x11 }, { VPMU_SPACE_ARM64, 0x08 },
		{ VPMU_SPACE_ARM64, 0x10 }, { VPMU_SPACE_ARM64, 0x33 },
		{ VPMU_SPACE_ARM64, 0x50 }, { VPMU_SPACE_ARM64, 0xc0de },
	};
	static const char want[] =
		"{\n"
		"\t\"tenant\": \"p\",\n"
		"\t\"comment\": \"suggested by vpmuctl suggest from the audit counts of 2 VMs: the events they programmed; left out 0xc0de, KVM's reset value of counters the guest never programmed; preset architectural kept from the tenant's file: it has 4 events the VMs did not program (vpmuctl presets lists them), and deny keeps out those the file takes away\",\n"
		"\t\"match\": { \"slice\": \"tenant-p.slice\" },\n"
		"\t\"mode\": \"enforce\",\n"
		"\t\"default\": \"deny\",\n"
		"\t\"preset\": \"architectural\",\n"
		"\t\"allow\": [\n"
		"\t\t\"0x50\",\n"
		"\t\t\"LL_CACHE_MISS\"\n"
		"\t],\n"
		"\t\"deny\": [\n"
		"\t\t\"PC_WRITE_RETIRED\"\n"
		"\t]\n"
		"}\n";
	struct suggest_in in = { .name = "p", .target = VPMU_TARGET_ARM64,
				 .ev = ev, .n = ARRAY_SIZE(ev), .vms = 2 };
	struct tenant *orig, *t;
	bool all = true;
	size_t i;

	t = suggest_from(&in, "t/p.json",
			 "{\"match\": {\"slice\": \"tenant-p.slice\"}, \"mode\": \"audit\",\n"
			 " \"preset\": \"architectural\", \"allow\": [\"L1D_CACHE\"],\n"
			 " \"deny\": [\"BR_MIS_PRED\", \"PC_WRITE_RETIRED\"]}",
			 want, "arm64 preset kept", &orig);
	for (i = 0; t && i + 1 < ARRAY_SIZE(ev); i++)
		all &= verdict(t, ev[i].space, ev[i].event, 0, 0) == VPMU_ALLOW;
	tap_check(t && t->preset == VPMU_PRESET_ARCHITECTURAL && all,
		  "arm64 preset kept: every event seen allowed, BR_MIS_PRED too (the file denied it)");
	tap_check(t && verdict(t, VPMU_SPACE_ARM64, 0x0c, 0, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_ARM64, 0x04, 0, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_ARM64, 0x4004, 0, 0) == VPMU_ALLOW &&
			  verdict(t, VPMU_SPACE_ARM64, 0x12, 0, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_ARM64, 0xc0de, 0, 0) == VPMU_DENY,
		  "arm64 preset kept: PC_WRITE_RETIRED stays denied, L1D_CACHE (allowed, not seen) denied, CNT_CYCLES allowed by the preset");
	tenant_free(t);
	tenant_free(orig);
}

/*
 * 3 checks: arm64, no preset in the file: one is folded in only when
 * every event of it was seen; the next is offered in the comment.
 */
static void test_arm64_fold(void)
{
	static const struct suggest_event ev[] = {
		{ VPMU_SPACE_ARM64, 0x11 }, { VPMU_SPACE_ARM64, 0x08 },
		{ VPMU_SPACE_ARM64, 0x4004 }, { VPMU_SPACE_ARM64, 0x21 },
		{ VPMU_SPACE_ARM64, 0x0c }, { VPMU_SPACE_ARM64, 0x10 },
		{ VPMU_SPACE_ARM64, 0x22 }, { VPMU_SPACE_ARM64, 0x04 },
	};
	static const char want[] =
		"{\n"
		"\t\"tenant\": \"f\",\n"
		"\t\"comment\": \"suggested by vpmuctl suggest from the audit counts of 1 VM: the events they programmed; preset architectural folded in: the VMs programmed every one of its events; preset standard would cover them all and allow 54 more events (vpmuctl presets lists them)\",\n"
		"\t\"match\": { \"slice\": \"tenant-f.slice\" },\n"
		"\t\"mode\": \"enforce\",\n"
		"\t\"default\": \"deny\",\n"
		"\t\"preset\": \"architectural\",\n"
		"\t\"allow\": [\n"
		"\t\t\"L1D_CACHE\"\n"
		"\t]\n"
		"}\n";
	struct suggest_in in = { .name = "f", .target = VPMU_TARGET_ARM64,
				 .ev = ev, .n = ARRAY_SIZE(ev), .vms = 1 };
	struct tenant *orig, *t;
	bool all = true;
	size_t i;

	t = suggest_from(&in, "t/f.json",
			 "{\"match\": {\"slice\": \"tenant-f.slice\"}, \"mode\": \"audit\"}",
			 want, "arm64 fold", &orig);
	for (i = 0; t && i < ARRAY_SIZE(ev); i++)
		all &= verdict(t, ev[i].space, ev[i].event, 0, 0) == VPMU_ALLOW;
	tap_check(t && t->preset == VPMU_PRESET_ARCHITECTURAL && all &&
			  verdict(t, VPMU_SPACE_ARM64, 0x03, 0, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_ARM64, 0x00, 0, 0) == VPMU_DENY,
		  "arm64 fold: the 8 events seen allowed, others of standard denied");
	/* Architectural less CPU_CYCLES: nothing folded, it is offered. */
	in.ev = ev + 1;
	in.n -= 2;
	tenant_free(t);
	tenant_free(orig);
	t = suggest_from(&in, "t/f.json", "{}",
			 "{\n\t\"tenant\": \"f\",\n"
			 "\t\"comment\": \"suggested by vpmuctl suggest from the audit counts of 1 VM: the events they programmed; preset architectural would cover them all and allow 1 more event (vpmuctl presets lists them)\",\n"
			 "\t\"mode\": \"enforce\",\n\t\"default\": \"deny\",\n\t\"allow\": [\n"
			 "\t\t\"BR_MIS_PRED\",\n\t\t\"BR_MIS_PRED_RETIRED\",\n\t\t\"BR_RETIRED\",\n"
			 "\t\t\"CNT_CYCLES\",\n\t\t\"INST_RETIRED\",\n\t\t\"PC_WRITE_RETIRED\"\n\t]\n}\n",
			 "arm64, one event of architectural missing: no preset, offered", &orig);
	tenant_free(t);
	tenant_free(orig);
}

/*
 * 3 checks: x86-intel, a file with "enhanced" that takes events away by
 * a deny of a whole select, a deny and an allow exclude of one unit mask,
 * and a fixed counter; the deny list in exact forms.
 */
static void test_x86_preset_kept(void)
{
	static const struct suggest_event ev[] = {
		{ VPMU_SPACE_X86_GP, 0xc0, 0x00 }, { VPMU_SPACE_X86_FIXED, 0 },
		{ VPMU_SPACE_X86_GP, 0x24, 0x01 }, { VPMU_SPACE_X86_GP, 0xc4, 0x00 },
	};
	static const char want[] =
		"{\n"
		"\t\"tenant\": \"x\",\n"
		"\t\"comment\": \"suggested by vpmuctl suggest from the audit counts of 1 VM: the events they programmed; preset enhanced kept from the tenant's file: it has 52 events the VMs did not program (vpmuctl presets lists them), and deny keeps out those the file takes away; preset standard would cover the events seen\",\n"
		"\t\"match\": { \"unit\": \"x.service\" },\n"
		"\t\"mode\": \"enforce\",\n"
		"\t\"default\": \"deny\",\n"
		"\t\"preset\": \"enhanced\",\n"
		"\t\"allow\": [ ],\n"
		"\t\"deny\": [\n"
		"\t\t{ \"fixed\": 2 },\n"
		"\t\t{ \"select\": \"0x24\" },\n"
		"\t\t{ \"select\": \"0x24\", \"umask\": \"0x01\", \"exclude\": true },\n"
		"\t\t{ \"select\": \"0xc4\", \"umask\": \"0x20\" },\n"
		"\t\t{ \"select\": \"0xd1\", \"umask\": \"0x02\" }\n"
		"\t]\n"
		"}\n";
	struct suggest_in in = { .name = "x", .target = VPMU_TARGET_X86_INTEL,
				 .ev = ev, .n = ARRAY_SIZE(ev), .vms = 1 };
	struct tenant *orig, *t;
	bool all = true;
	size_t i;

	t = suggest_from(&in, "t/x.json",
			 "{\"match\": {\"unit\": \"x.service\"}, \"preset\": \"enhanced\",\n"
			 " \"deny\": [{\"select\": \"0xc4\", \"umask\": \"0x20\"}, {\"select\": \"0x24\"},\n"
			 "          {\"fixed\": 2}],\n"
			 " \"allow\": [{\"select\": \"0xd1\", \"umask\": \"0x02\", \"exclude\": true}]}",
			 want, "x86 preset kept", &orig);
	for (i = 0; t && i < ARRAY_SIZE(ev); i++)
		all &= verdict(t, ev[i].space, ev[i].event, ev[i].umask,
			       ev[i].space == VPMU_SPACE_X86_FIXED ? 1 : 0) ==
		       VPMU_ALLOW;
	tap_check(t && all, "x86 preset kept: every encoding seen allowed, 0x24/0x01 too (the file denied 0x24)");
	tap_check(t && verdict(t, VPMU_SPACE_X86_GP, 0x24, 0x02, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_X86_GP, 0xc4, 0x20, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_X86_GP, 0xd1, 0x02, 0) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_X86_FIXED, 2, 0, 1) == VPMU_DENY &&
			  verdict(t, VPMU_SPACE_X86_GP, 0xc4, 0x01, 0) == VPMU_ALLOW &&
			  verdict(t, VPMU_SPACE_X86_GP, 0xd1, 0x01, 0) == VPMU_ALLOW &&
			  verdict(t, VPMU_SPACE_X86_GP, 0x2e, 0x41, 0) == VPMU_ALLOW &&
			  verdict(t, VPMU_SPACE_X86_FIXED, 1, 0, 1) == VPMU_ALLOW,
		  "x86 preset kept: what the file took away stays denied, the rest of enhanced allowed");
	tenant_free(t);
	tenant_free(orig);
}

/* 3 checks: one VM with no tenant; nothing seen. */
static void test_edges(void)
{
	struct suggest_in in = { .name = "vm-7", .cgroup = "/machine.slice/odd\"name",
				 .target = VPMU_TARGET_ARM64, .vms = 1 };
	struct tenant *t;
	char *text;
	int n;

	text = run(&in, &n);
	t = parse("t/vm-7.json", text, VPMU_TARGET_ARM64);
	tap_check(n == 0 && t && !t->nr && t->default_action == VPMU_DENY,
		  "nothing seen: a file that denies everything");
	tap_check(t && t->nclauses == 1 && t->clauses[0].n == 1 &&
			  t->clauses[0].conds[0].field == MATCH_CGROUP &&
			  !strcmp(t->clauses[0].conds[0].pattern,
				  "/machine.slice/odd\"name"),
		  "a VM with no tenant: matched by its cgroup, quoted");
	tap_check(t && !strcmp(t->name, "vm-7"), "named after the VM");
	tenant_free(t);
	free(text);
}

/* 9 checks: each state, and its reason. */
static void test_vm_status(void)
{
	struct vpmu_tenant tn = { .name = "a", .generation = 3 };
	struct vpmu_vm vm = { .policy_id = VPMU_POLICY_PENDING };
	struct vm_status_in in = { .default_action = VPMU_DENY };
	char r[256];
	enum vm_status s;

	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_PENDING && strstr(r, "no vm_policy entry"),
		  "no entry: pending (%s)", r);
	in.vm = &vm;
	vm.reason = VPMU_REASON_CGROUP_UNKNOWN;
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_PENDING && !strcmp(r, "its cgroup cannot be resolved"),
		  "pending: the daemon's reason (%s)", r);
	vm.policy_id = 0;
	vm.flags = VPMU_VM_DEFAULT;
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_HOST_DEFAULT &&
			  !strcmp(r, "matched no tenant: host default action deny"),
		  "host default (%s)", r);
	in.default_tenant = "fallback";
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_HOST_DEFAULT && strstr(r, "host default tenant fallback"),
		  "host default tenant (%s)", r);
	vm.policy_id = 4;
	vm.flags = VPMU_VM_TIE;
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_DEGRADED && strstr(r, "policy 4 has no tenant"),
		  "a tenant policy with no tenant entry: degraded, denied (%s)", r);
	in.tenant = &tn;
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_ENFORCED &&
			  !strcmp(r, "tenant a, generation 3; several tenants matched with equal precedence"),
		  "enforced, with a tie (%s)", r);
	vm.flags = 0;
	tn.flags = VPMU_POLICY_MODE_AUDIT;
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_AUDIT && strstr(r, "tenant a in audit mode"),
		  "audit (%s)", r);
	tn.state = VPMU_TENANT_DEGRADED | VPMU_TENANT_REJECTED;
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_DEGRADED && strstr(r, "its file is rejected") &&
			  strstr(r, "(audit mode)"),
		  "degraded wins over audit, and says so (%s)", r);
	tn.state = VPMU_TENANT_DEGRADED;
	s = vm_status_of(&in, r, sizeof(r));
	tap_check(s == VM_DEGRADED && strstr(r, "not published yet") &&
			  !strcmp(vm_status_name(s), "degraded") &&
			  !strcmp(vm_status_name(VM_AUDIT), "audit") &&
			  !strcmp(vm_status_name(VM_HOST_DEFAULT), "host-default"),
		  "degraded: not published yet; the state names (%s)", r);
}

int main(void)
{
	tap_plan(4 + 3 + 3 + 3 + 5 + 3 + 9);
	test_arm64_exact();
	test_arm64_preset_kept();
	test_arm64_fold();
	test_x86_preset_kept();
	test_x86();
	test_edges();
	test_vm_status();
	return tap_finish();
}
