// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_policy: libFuzzer target for tenant policy files (compiled for
 * each target) and the main configuration.  Tenants write policy files,
 * so any input must compile or be refused cleanly; with ASan and UBSan
 * that covers memory safety and leaks, and the checks below cover what
 * the engine and the daemon rely on: rules sorted by key with no exact
 * duplicates, at most VPMU_MAX_RULES of them and VPMU_MAX_SAME_KEY per
 * key, conditions that can match, a header that agrees with the rules,
 * errors exactly when there is no tenant, a configuration left alone on
 * error.
 *
 *   clang-14 -g -O1 -D_GNU_SOURCE -Idaemon -fsanitize=fuzzer,address,undefined \
 *	-o fuzz_policy selftests/daemon/fuzz_policy.c daemon/json.c \
 *	daemon/events.c daemon/diag.c daemon/schema.c daemon/policy.c \
 *	daemon/config.c
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

#define FILE_NAME "t/fuzz.json"

static void check_diag(const struct diag *d, const char *file)
{
	size_t i, n = strlen(file);

	CHECK(d->n <= DIAG_MAX);
	for (i = 0; i < d->n; i++) {
		CHECK(d->msgs[i]);
		/* "file: ..." or "file:line:col: ..." */
		CHECK(!strncmp(d->msgs[i], file, n) && d->msgs[i][n] == ':');
	}
}

static void check_tenant(const struct tenant *t, enum vpmu_target target)
{
	const struct vpmu_rule *r, *p;
	struct vpmu_policy_header h;
	size_t i, j, run = 0;
	uint8_t flags;

	CHECK(tenant_name_valid(t->name));
	CHECK(!strcmp(t->file, FILE_NAME));
	CHECK(t->priority >= -1000000 && t->priority <= 1000000);
	CHECK(t->default_action <= VPMU_ALLOW);
	CHECK(t->audit >= -1 && t->audit <= 2);
	CHECK(t->nr <= VPMU_MAX_RULES);
	CHECK(!t->nr || t->rules);
	for (i = 0; i < t->nr; i++) {
		r = &t->rules[i];
		if (target == VPMU_TARGET_ARM64)
			CHECK(r->space == VPMU_SPACE_ARM64 && r->event <= 0xffff);
		else
			CHECK((r->space == VPMU_SPACE_X86_GP && r->event <= 0xfff) ||
			      (r->space == VPMU_SPACE_X86_FIXED && r->event <= 31));
		CHECK(r->action <= VPMU_ALLOW);
		CHECK(!(r->flags & ~0xfu));
		CHECK(r->kinds && !(r->kinds & ~VPMU_KIND_ANY));
		CHECK(!(r->umask_match & ~r->umask_mask));
		CHECK(r->space == VPMU_SPACE_X86_GP || !r->umask_mask);
		CHECK(!(r->sel_match & ~r->sel_mask));
		for (j = 0; j < sizeof(r->pad); j++)
			CHECK(!r->pad[j]);
		if (!i) {
			run = 1;
			continue;
		}
		p = r - 1;
		CHECK(vpmu_rule_key(p->space, p->event) <=
		      vpmu_rule_key(r->space, r->event));
		CHECK(memcmp(p, r, sizeof(*r)) < 0 ||
		      vpmu_rule_key(p->space, p->event) <
			      vpmu_rule_key(r->space, r->event));
		if (vpmu_rule_key(p->space, p->event) ==
		    vpmu_rule_key(r->space, r->event))
			run++;
		else
			run = 1;
		CHECK(run <= VPMU_MAX_SAME_KEY);
	}
	h = tenant_header(t);
	CHECK(h.nr_rules == t->nr && h.space == VPMU_SPACE_HEADER &&
	      h.default_action == t->default_action &&
	      h.magic == VPMU_POLICY_MAGIC && !h.index_order && !h.index_mult);
	flags = vpmu_policy_flags(t->rules, t->nr);
	if (t->nested == NESTED_ALL)
		flags = VPMU_POLICY_NESTED;
	else if (t->nested == NESTED_NONE)
		flags = 0;
	if (t->audit >= 0)
		flags |= VPMU_POLICY_AUDIT(t->audit);
	CHECK(h.flags == flags);
	for (i = 0; i < t->nclauses; i++) {
		CHECK(t->clauses[i].n >= 1);
		for (j = 0; j < t->clauses[i].n; j++) {
			const struct match_cond *c = &t->clauses[i].conds[j];

			CHECK(c->pattern);
			CHECK(c->field == MATCH_XATTR || c->pattern[0]);
			CHECK((c->field == MATCH_XATTR) == !!c->xattr);
			CHECK(c->field != MATCH_CGROUP || c->pattern[0] == '/');
		}
	}
}

static void fuzz_tenant(const char *text, size_t size, enum vpmu_target target)
{
	struct tenant *t;
	struct diag d;

	diag_init(&d);
	t = tenant_parse(FILE_NAME, text, size, target, &d);
	check_diag(&d, FILE_NAME);
	if (t) {
		CHECK(!diag_count(&d));
		check_tenant(t, target);
		tenant_free(t);
	} else {
		CHECK(diag_count(&d));
	}
	diag_free(&d);
}

static char config_path[] = "/tmp/fuzz_policy.XXXXXX";
static int config_fd = -1;
static struct policyd_config defaults;

static bool config_ok(const struct policyd_config *c)
{
	return c->default_action <= VPMU_ALLOW && c->audit <= 2 &&
	       memchr(c->default_tenant, 0, sizeof(c->default_tenant)) &&
	       (!c->default_tenant[0] || tenant_name_valid(c->default_tenant)) &&
	       c->tenants_dir[0] == '/' && c->pin_dir[0] == '/' &&
	       c->state_dir[0] == '/' && c->cgroup_root[0] == '/' &&
	       c->machines_dir[0] == '/' &&
	       memchr(c->tenants_dir, 0, sizeof(c->tenants_dir)) &&
	       memchr(c->machines_dir, 0, sizeof(c->machines_dir));
}

static void fuzz_config(const uint8_t *data, size_t size)
{
	struct policyd_config c = defaults;
	struct diag d;
	bool ok;

	if (config_fd < 0) {
		config_fd = mkstemp(config_path);
		CHECK(config_fd >= 0);
	}
	CHECK(!ftruncate(config_fd, 0));
	CHECK(pwrite(config_fd, data, size, 0) == (ssize_t)size);
	diag_init(&d);
	ok = config_check(config_path, false, &c, &d);
	check_diag(&d, config_path);
	if (ok)
		CHECK(!diag_count(&d) && config_ok(&c));
	else
		CHECK(diag_count(&d) && !memcmp(&c, &defaults, sizeof(c)));
	diag_free(&d);
}

static void cleanup(void)
{
	if (config_fd >= 0) {
		close(config_fd);
		unlink(config_path);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	config_defaults(&defaults);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	fuzz_tenant(text, size, VPMU_TARGET_ARM64);
	fuzz_tenant(text, size, VPMU_TARGET_X86_INTEL);
	fuzz_tenant(text, size, VPMU_TARGET_X86_AMD);
	fuzz_config(data, size);
	return 0;
}
