// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl match --cgroup PATH: which tenant a VM created in that cgroup
 * would get, with every input used and ignored and why.  The tenants are
 * read from tenants.d as the daemon reads them (tenant_files.c) and
 * matched by the daemon's own code (match.c).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "cgroup.h"
#include "ctl.h"
#include "esc.h"
#include "match.h"
#include "tenant_files.h"

static void print_diag(struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->msgs[i]);
	if (d->dropped)
		fprintf(stderr, "... and %zu more errors\n", d->dropped);
}

static const struct tenant *by_name(struct tenant *const *ts, size_t n,
				    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(ts[i]->name, name))
			return ts[i];
	return NULL;
}

/*
 * Tenant file @file as the daemon has it: the file if it is good, else
 * its last good version (what the daemon keeps, and starts with).
 */
static struct tenant *load_one(struct ctl *c, const char *file,
			       struct tenant *const *ts, size_t n)
{
	char path[PATH_MAX], good[PATH_MAX];
	const struct tenant *other;
	struct tenant *t = NULL;
	struct diag d;
	size_t len;
	char *text;

	diag_init(&d);
	snprintf(path, sizeof(path), "%s/%s", c->cfg.tenants_dir, file);
	text = tenant_file_read(path, &len, &d);
	if (text)
		t = tenant_parse(path, text, len, c->cfg.target, &d);
	free(text);
	if (t && (other = by_name(ts, n, t->name))) {
		diag_file(&d, path, "tenant \"%s\" is already defined by %s",
			  t->name, ESC(other->file));
		tenant_free(t);
		t = NULL;
	}
	print_diag(&d);
	diag_free(&d);
	if (t)
		return t;
	tenant_good_copy_path(c->cfg.state_dir, file, good, sizeof(good));
	diag_init(&d);
	t = tenant_good_copy_load(good, c->cfg.target, &d);
	print_diag(&d);
	diag_free(&d);
	if (t)
		fprintf(stderr,
			"vpmuctl: %s: rejected; the daemon uses its last good version (%s)\n",
			ESC(path), ESC(good));
	else
		fprintf(stderr,
			"vpmuctl: %s: rejected and no good version known\n",
			ESC(path));
	return t;
}

/* The daemon's tenants, in its order; NULL (said why) if unknown. */
struct tenant **ctl_load_tenants(struct ctl *c, size_t *nt)
{
	struct tenant **ts;
	char **names;
	struct diag d;
	size_t n, i;

	*nt = 0;
	diag_init(&d);
	if (tenant_files_list(c->cfg.tenants_dir, &names, &n, &d)) {
		fprintf(stderr,
			"vpmuctl: %s: the daemon keeps the tenants it had\n",
			d.n ? d.msgs[0] : c->cfg.tenants_dir);
		diag_free(&d);
		return NULL;
	}
	diag_free(&d);
	ts = calloc(n + 1, sizeof(*ts));
	for (i = 0; ts && i < n; i++)
		if ((ts[*nt] = load_one(c, names[i], ts, *nt)))
			(*nt)++;
	tenant_files_free(names, n);
	if (!ts)
		fprintf(stderr, "vpmuctl: out of memory\n");
	return ts;
}

/*
 * @arg below the cgroup2 root @root, or an absolute path into it, as
 * "/a/b" ("/" for the root) into @out.  False for "." and ".." (a path
 * the daemon never sees) or one too long.
 */
static bool resolve(const char *root, const char *arg, char *out, size_t len)
{
	size_t rl = strlen(root), n, o = 0;
	const char *p = arg, *c;

	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (!strncmp(arg, root, rl) && (arg[rl] == '/' || !arg[rl]))
		p = arg + rl;
	while ((c = cgroup_next(&p, &n))) {
		if ((n == 1 && *c == '.') || (n == 2 && !memcmp(c, "..", 2)) ||
		    o + 1 + n >= len)
			return false;
		out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	if (!o)
		out[o++] = '/';
	out[o] = 0;
	return true;
}

/* 0 if @path is a cgroup below @root; else says why and returns 1. */
static int check_cgroup(const char *root, const char *path, const char *arg)
{
	char abs[PATH_MAX];
	struct statfs sf;
	struct stat st;

	snprintf(abs, sizeof(abs), "%s%s", root, strcmp(path, "/") ? path : "");
	if (statfs(root, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
		fprintf(stderr,
			"vpmuctl: %s is not a cgroup2 hierarchy (\"cgroup_root\" in the configuration)\n",
			root);
		return 1;
	}
	if (stat(abs, &st)) {
		fprintf(stderr, "vpmuctl: no cgroup \"%s\" in %s: %s\n",
			ESC(arg), root, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vpmuctl: \"%s\" in %s is not a cgroup\n",
			ESC(arg), root);
		return 1;
	}
	return 0;
}

static void json_notes(const struct match_notes *ns, bool used)
{
	bool first = true;
	size_t i;

	putchar('[');
	for (i = 0; i < ns->n; i++) {
		if (ns->v[i].used != used)
			continue;
		if (!first)
			putchar(',');
		first = false;
		ctl_json_str(stdout, ns->v[i].text);
	}
	putchar(']');
}

struct result {
	const char *path;
	const struct tenant *pick;
	struct match_score score;
	const struct tenant *ties[64];
	size_t nties;
	const char *default_tenant;	/* NULL: the default action */
	const char *default_action;
	bool can_read_trusted;
	struct match_notes *notes;
};

static void print_json(const struct result *r)
{
	size_t i;

	printf("{\"cgroup\":");
	ctl_json_str(stdout, r->path);
	printf(",\"tenant\":");
	if (r->pick)
		ctl_json_str(stdout, r->pick->name);
	else
		printf("null");
	printf(",\"tie\":[");
	for (i = 0; i < r->nties; i++) {
		if (i)
			putchar(',');
		ctl_json_str(stdout, r->ties[i]->name);
	}
	printf("],\"score\":");
	if (r->pick)
		printf("{\"priority\":%lld,\"conditions\":%d,\"depth\":%d}",
		       r->score.priority, r->score.conds, r->score.depth);
	else
		printf("null");
	printf(",\"host_default\":{\"tenant\":");
	if (r->default_tenant)
		ctl_json_str(stdout, r->default_tenant);
	else
		printf("null");
	printf(",\"action\":\"%s\"},\"trusted_xattrs_readable\":%s,\"used\":",
	       r->default_action, r->can_read_trusted ? "true" : "false");
	json_notes(r->notes, true);
	printf(",\"ignored\":");
	json_notes(r->notes, false);
	printf("}\n");
}

static void print_text(const struct result *r)
{
	size_t i;

	printf("cgroup:  %s\n", ESC(r->path));
	if (r->pick) {
		printf("tenant:  %s\n", r->pick->name);
		printf("score:   priority %lld, %d condition%s, depth %d\n",
		       r->score.priority, r->score.conds,
		       r->score.conds == 1 ? "" : "s", r->score.depth);
	} else if (r->default_tenant) {
		printf("tenant:  (host default)\n");
		printf("default: tenant %s (\"default_tenant\")\n",
		       r->default_tenant);
	} else {
		printf("tenant:  (host default)\n");
		printf("default: %s (\"default_action\")\n", r->default_action);
	}
	for (i = 0; i < r->nties; i++)
		printf("tie:     %s (equal precedence: the first by name wins)\n",
		       r->ties[i]->name);
	for (i = 0; i < r->notes->n; i++)
		if (r->notes->v[i].used)
			printf("used:    %s\n", r->notes->v[i].text);
	for (i = 0; i < r->notes->n; i++)
		if (!r->notes->v[i].used)
			printf("ignored: %s\n", r->notes->v[i].text);
}

static int parse(struct ctl *c, const char **cgroup)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	int o;

	*cgroup = NULL;
	while ((o = getopt_long(c->argc, c->argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'g':
			*cgroup = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		default:
			goto bad;
		}
	}
	if (*cgroup && optind == c->argc)
		return 0;
bad:
	fprintf(stderr, "usage: vpmuctl match --cgroup PATH [--json]\n");
	return 2;
}

int ctl_match(struct ctl *c)
{
	struct match_notes notes = { 0 };
	struct result r = { .notes = &notes };
	char path[PATH_MAX];
	struct match_score s;
	struct tenant **ts;
	struct vm_meta m;
	const char *arg;
	size_t nt, i;
	bool tie;

	if (parse(c, &arg))
		return 2;
	if (!resolve(c->cfg.cgroup_root, arg, path, sizeof(path))) {
		fprintf(stderr,
			"vpmuctl: \"%s\": not a cgroup path (no \".\" or \"..\")\n",
			ESC(arg));
		return 2;
	}
	if (c->cfg.target < 0) {
		fprintf(stderr,
			"vpmuctl: cannot tell this host's PMU (\"target\" in the configuration)\n");
		return 2;
	}
	if (check_cgroup(c->cfg.cgroup_root, path, arg))
		return 1;
	r.can_read_trusted = effective_caps() & (1ULL << CAP_SYS_ADMIN);
	if (!r.can_read_trusted)
		fprintf(stderr,
			"vpmuctl: warning: without CAP_SYS_ADMIN, trusted.* xattrs (trusted.delegate too) cannot be read: the daemon's answer may differ\n");
	ts = ctl_load_tenants(c, &nt);
	if (!ts)
		return 1;

	/* As the daemon's classify() does (vms.c). */
	vm_meta_init_notes(&m, c->cfg.cgroup_root, c->cfg.machines_dir,
			   strdup(path), &notes);
	r.path = path;
	r.pick = match_pick(ts, nt, &m, &tie);
	if (r.pick)
		tenant_matches(r.pick, &m, &r.score);
	for (i = 0; tie && i < nt; i++)
		if (ts[i] != r.pick && tenant_matches(ts[i], &m, &s) &&
		    !match_score_cmp(&s, &r.score) &&
		    r.nties < sizeof(r.ties) / sizeof(r.ties[0]))
			r.ties[r.nties++] = ts[i];
	match_note_untrusted(&m, ts, nt);
	/* The engine's default policy: "default_tenant" if it is loaded. */
	if (c->cfg.default_tenant[0] && by_name(ts, nt, c->cfg.default_tenant))
		r.default_tenant = c->cfg.default_tenant;
	r.default_action =
		c->cfg.default_action == VPMU_ALLOW ? "allow" : "deny";

	if (c->json)
		print_json(&r);
	else
		print_text(&r);

	vm_meta_free(&m);
	match_notes_free(&notes);
	for (i = 0; i < nt; i++)
		tenant_free(ts[i]);
	free(ts);
	return 0;
}
