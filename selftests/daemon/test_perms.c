// SPDX-License-Identifier: GPL-2.0
/*
 * test_perms: policy files must be root's and writable by root only, as
 * must every directory above them and every symlink hop (daemon/perms.c),
 * as root on the host, and tenants.d's listing, which removes tenants, must
 * be as root's (daemon/tenant_files.c).  Trees are made under /run (root's,
 * mode 0755), since a directory in /tmp is below a world-writable one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perms.h"
#include "tenant_files.h"
#include "../lib/tap.h"

static char top[] = "/run/vpmu-perms-XXXXXX";

static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", top, rel);
	return p;
}

static bool put(const char *rel, mode_t mode, uid_t uid)
{
	FILE *f = fopen(at(rel), "w");

	if (!f)
		return false;
	fputs("{}", f);
	return !fclose(f) && !chmod(at(rel), mode) && !chown(at(rel), uid, 0);
}

/* path_root_only(@rel) is @want; with @msg, its one message holds it. */
static void expect(const char *rel, bool want, const char *msg)
{
	struct diag d;
	bool got;

	diag_init(&d);
	got = path_root_only(at(rel), &d);
	if (!tap_check(got == want && (!msg || (d.n == 1 &&
						 strstr(d.msgs[0], msg))),
		       "%s: %s%s%s", rel, want ? "accepted" : "refused",
		       msg ? ": " : "", msg ? msg : ""))
		tap_diag("  got %d, %s", got, d.n ? d.msgs[0] : "no message");
	diag_free(&d);
}

/*
 * tenant_files_list(@rel) succeeds (@want) with the names @names (joined
 * by ' '), or fails with @msg in its one message.
 */
static void expect_list(const char *rel, bool want, const char *what)
{
	char **names, got[256] = "";
	struct diag d;
	size_t n, i;
	int rc;

	diag_init(&d);
	rc = tenant_files_list(at(rel), &names, &n, &d);
	for (i = 0; !rc && i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", names[i]);
	if (!tap_check(want ? !rc && !d.n && !strcmp(got, what) :
			      rc && d.n == 1 && strstr(d.msgs[0], what),
		       "list %s: %s: %s", rel, want ? "listed" : "refused",
		       what))
		tap_diag("  got %d (%s), %s", rc, got,
			 d.n ? d.msgs[0] : "no message");
	if (!rc)
		tenant_files_free(names, n);
	diag_free(&d);
}

int main(void)
{
	char cmd[PATH_MAX + 16];
	bool ok;

	if (geteuid())
		tap_skip_all("not root: cannot chown the test files");
	tap_plan(19);
	if (!mkdtemp(top))
		tap_bail("mkdtemp %s: %s", top, strerror(errno));
	umask(022);
	ok = !chmod(top, 0755) && !mkdir(at("d"), 0755) &&
	     !mkdir(at("gw"), 0755) && !chmod(at("gw"), 0775) && !mkdir(at("usr"), 0755) &&
	     !chown(at("usr"), 1000, 0) && !mkdir(at("d/..2024"), 0755) &&
	     put("d/good.json", 0644, 0) && put("d/other.json", 0644, 1000) &&
	     put("d/gw.json", 0664, 0) && put("d/ww.json", 0646, 0) &&
	     put("gw/in.json", 0644, 0) && put("usr/in.json", 0644, 0) &&
	     put("d/..2024/cm.json", 0600, 0) &&
	     !symlink("..2024", at("d/..data")) &&
	     !symlink("..data/cm.json", at("d/cm.json")) &&
	     !symlink("../gw/in.json", at("d/to-gw.json")) &&
	     !symlink("../usr/in.json", at("d/to-usr.json")) &&
	     !symlink(at("d/good.json"), at("gw/hop.json")) &&
	     !symlink("../gw/hop.json", at("d/via-gw.json"));
	tap_check(ok, "tree made in %s", top);
	expect("d/good.json", true, NULL);
	expect("d/other.json", false, "owned by uid 1000");
	expect("d/gw.json", false, "mode 0664");
	expect("d/ww.json", false, "mode 0646");
	expect("gw/in.json", false, "gw: writable by group or others (mode 0775)");
	expect("usr/in.json", false, "usr: owned by uid 1000");
	expect("d/cm.json", true, NULL);	/* ConfigMap-style links */
	expect("d/to-gw.json", false, "mode 0775");
	expect("d/to-usr.json", false, "owned by uid 1000");
	expect("d/via-gw.json", false, "mode 0775");
	expect("d/missing.json", false, "No such file");

	/* Listings: a missing name must be root's doing to be believed. */
	ok = !mkdir(at("l"), 0755) && put("l/a.json", 0644, 0) &&
	     put("usr/u.json", 0644, 0) && !mkdir(at("gw/sub"), 0755) &&
	     !symlink("gone/b.json", at("l/b.json")) &&
	     !symlink("usr", at("usr-link")) &&
	     !mkdir(at("l2"), 0755) && put("l2/a.json", 0644, 0) &&
	     !symlink("../usr/gone.json", at("l2/u.json"));
	tap_check(ok, "tenants.d trees made");
	expect_list("l", true, "a.json");
	expect_list("usr", false, "usr: owned by uid 1000");
	expect_list("gw", false, "gw: writable by group or others");
	expect_list("gw/sub", false, "gw: writable by group or others");
	expect_list("usr-link", false, "usr: owned by uid 1000");
	expect_list("l2", false, "usr: owned by uid 1000");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd))
		tap_diag("could not remove %s", top);
	return tap_finish();
}
