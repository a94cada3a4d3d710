// SPDX-License-Identifier: GPL-2.0
/*
 * test_metrics: the metrics exposition (daemon/metrics.c) and its keys in
 * the main configuration (daemon/config.c), on the host.
 *
 * The text is compared whole, then given to promtool (Debian's prometheus
 * package, unpacked by scripts/deps.sh) to lint it as node_exporter's
 * textfile collector will parse it; a broken text shows that promtool
 * does reject.  The file is replaced atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "metrics.h"
#include "../lib/tap.h"

#define PROMTOOL_CACHE "/var/cache/vpmu-policy/promtool/bin/promtool"

static char dir[] = "/tmp/test_metrics.XXXXXX";

static char *render(const struct metrics *m, const struct metrics_daemon *dm)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		tap_bail("open_memstream: %s", strerror(errno));
	metrics_print(m, dm, f);
	fclose(f);
	return text;
}

static const char head[] =
	"# HELP vpmu_daemon_up Whether vpmu-policyd runs (the pinned engine enforces either way).\n"
	"# TYPE vpmu_daemon_up gauge\n"
	"vpmu_daemon_up 1\n"
	"# HELP vpmu_reloads_total Reloads of the configuration and tenant files the daemon completed since it started.\n"
	"# TYPE vpmu_reloads_total counter\n"
	"vpmu_reloads_total 3\n"
	"# HELP vpmu_last_reload_timestamp_seconds When the last reload completed (0: none yet).\n"
	"# TYPE vpmu_last_reload_timestamp_seconds gauge\n"
	"vpmu_last_reload_timestamp_seconds 1764770000.123\n"
	"# HELP vpmu_tenants Tenants with a policy in the engine.\n"
	"# TYPE vpmu_tenants gauge\n"
	"vpmu_tenants 2\n"
	"# HELP vpmu_rejected_files Tenant files currently rejected (their tenants keep their last good version).\n"
	"# TYPE vpmu_rejected_files gauge\n"
	"vpmu_rejected_files 1\n"
	"# HELP vpmu_ring_buffer_drops_total Records lost because their ring buffer was full.\n"
	"# TYPE vpmu_ring_buffer_drops_total counter\n"
	"vpmu_ring_buffer_drops_total{ring=\"decisions\"} 4\n"
	"vpmu_ring_buffer_drops_total{ring=\"lifecycle\"} 5\n"
	"# HELP vpmu_vms VMs per tenant and state (enforced, audit, pending, host-default, degraded), as vpmuctl vms shows them.\n"
	"# TYPE vpmu_vms gauge\n";
static const char dec_head[] =
	"# HELP vpmu_guest_decisions Counter programmings the policy decided, per tenant, event and verdict, summed over the VMs that exist now (the top events of each tenant; the rest as event \"other\"; would-deny: denies of a policy in audit mode, which the guest counted).\n"
	"# TYPE vpmu_guest_decisions gauge\n";

static const struct metrics_daemon dm = {
	.running = true, .reloads = 3, .tenants = 2, .rejected = 1,
	.last_reload_ns = 1764770000123456789ULL, .dropped_records = 4,
	.dropped_lifecycle = 5,
};

/* The samples of a small host: 4 checks. */
static char *test_text(void)
{
	struct metrics *m = metrics_new(2);
	char want[4096], *got;
	int err = 0;

	err |= metrics_add_vm(m, "a", "enforced");
	err |= metrics_add_vm(m, "(pending)", "pending");
	err |= metrics_add_vm(m, "a", "enforced");
	err |= metrics_add_vm(m, "a", "degraded");
	/* Two VMs of a: summed per event. */
	err |= metrics_add_decisions(m, "a", "INST_RETIRED", 10, 0, 0);
	err |= metrics_add_decisions(m, "a", "CPU_CYCLES", 1, 5, 0);
	err |= metrics_add_decisions(m, "a", "INST_RETIRED", 2, 1, 0);
	/* Past the top 2: summed with a guest's own "other"-named row. */
	err |= metrics_add_decisions(m, "a", "0x4", 0, 1, 0);
	err |= metrics_add_decisions(m, "a", "SW_INCR", 1, 1, 0);
	/* Label values escaped: backslash, quote, newline. */
	err |= metrics_add_decisions(m, "b\"x\\y\nz", "INST_RETIRED", 3, 3, 0);
	tap_check(!err, "samples added");
	got = render(m, &dm);
	snprintf(want, sizeof(want), "%s%s%s%s", head,
		 "vpmu_vms{tenant=\"a\",state=\"enforced\"} 2\n"
		 "vpmu_vms{tenant=\"(pending)\",state=\"pending\"} 1\n"
		 "vpmu_vms{tenant=\"a\",state=\"degraded\"} 1\n",
		 dec_head,
		 "vpmu_guest_decisions{tenant=\"a\",event=\"INST_RETIRED\",verdict=\"allowed\"} 12\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"INST_RETIRED\",verdict=\"denied\"} 1\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"CPU_CYCLES\",verdict=\"allowed\"} 1\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"CPU_CYCLES\",verdict=\"denied\"} 5\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"other\",verdict=\"allowed\"} 1\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"other\",verdict=\"denied\"} 2\n"
		 "vpmu_guest_decisions{tenant=\"b\\\"x\\\\y\\nz\",event=\"INST_RETIRED\",verdict=\"allowed\"} 3\n"
		 "vpmu_guest_decisions{tenant=\"b\\\"x\\\\y\\nz\",event=\"INST_RETIRED\",verdict=\"denied\"} 3\n");
	if (!tap_check(!strcmp(got, want),
		       "the exposition, every line (top 2 events per tenant, the rest as \"other\", labels escaped)"))
		tap_diag("got:\n%s", got);
	metrics_free(m);

	/* No VMs, no decisions: the families still say what they are. */
	m = metrics_new(20);
	free(got);
	got = render(m, &dm);
	snprintf(want, sizeof(want), "%s%s", head, dec_head);
	tap_check(!strcmp(got, want), "with no VMs: the families, no samples");
	free(got);
	metrics_free(m);

	/* A row named "other" within the top N still goes to "other". */
	m = metrics_new(2);
	metrics_add_decisions(m, "a", "INST_RETIRED", 10, 0, 0);
	metrics_add_decisions(m, "a", "other", 1, 5, 0);
	got = render(m, &dm);
	snprintf(want, sizeof(want), "%s%s%s", head, dec_head,
		 "vpmu_guest_decisions{tenant=\"a\",event=\"INST_RETIRED\",verdict=\"allowed\"} 10\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"INST_RETIRED\",verdict=\"denied\"} 0\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"other\",verdict=\"allowed\"} 1\n"
		 "vpmu_guest_decisions{tenant=\"a\",event=\"other\",verdict=\"denied\"} 5\n");
	if (!tap_check(!strcmp(got, want),
		       "an event row named \"other\" is summed into \"other\", not lost"))
		tap_diag("got:\n%s", got);
	free(got);
	metrics_free(m);

	/* Audit mode: would-deny, a series only where there is any. */
	m = metrics_new(2);
	metrics_add_decisions(m, "w", "INST_RETIRED", 2, 0, 2);
	metrics_add_decisions(m, "w", "INST_RETIRED", 3, 0, 1);
	got = render(m, &dm);
	snprintf(want, sizeof(want), "%s%s%s", head, dec_head,
		 "vpmu_guest_decisions{tenant=\"w\",event=\"INST_RETIRED\",verdict=\"allowed\"} 5\n"
		 "vpmu_guest_decisions{tenant=\"w\",event=\"INST_RETIRED\",verdict=\"denied\"} 0\n"
		 "vpmu_guest_decisions{tenant=\"w\",event=\"INST_RETIRED\",verdict=\"would-deny\"} 3\n");
	if (!tap_check(!strcmp(got, want),
		       "a tenant in audit mode has its would-deny counts, summed over VMs"))
		tap_diag("got:\n%s", got);
	free(got);
	metrics_free(m);

	m = metrics_new(2);
	metrics_add_vm(m, "a", "enforced");
	metrics_add_decisions(m, "a", "INST_RETIRED", 10, 0, 0);
	metrics_add_decisions(m, "a", "CPU_CYCLES", 1, 5, 0);
	metrics_add_decisions(m, "a", "0x4", 0, 1, 0);
	got = render(m, &dm);
	metrics_free(m);
	return got;
}

static const char *promtool(void)
{
	static char path[4096];
	const char *env = getenv("VPMU_PROMTOOL");

	if (env)
		return access(env, X_OK) ? NULL : env;
	if (!access(PROMTOOL_CACHE, X_OK))
		return PROMTOOL_CACHE;
	/* On PATH (Debian's prometheus package installed). */
	if (!access("/usr/bin/promtool", X_OK)) {
		snprintf(path, sizeof(path), "/usr/bin/promtool");
		return path;
	}
	return NULL;
}

/* promtool check metrics < @text; its exit status, output in @out. */
static int lint(const char *tool, const char *text, char *out, size_t len)
{
	char file[PATH_MAX], cmd[PATH_MAX * 2 + 64];
	FILE *f, *p;
	size_t n;
	int st;

	snprintf(file, sizeof(file), "%s/lint.prom", dir);
	f = fopen(file, "w");
	if (!f)
		tap_bail("%s: %s", file, strerror(errno));
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' check metrics <'%s' 2>&1", tool, file);
	p = popen(cmd, "r");
	if (!p)
		tap_bail("popen: %s", strerror(errno));
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* 2 checks */
static void test_promtool(const char *text)
{
	const char *tool = promtool();
	char out[4096];

	if (!tool) {
		tap_skip("no promtool: run make deps (it unpacks Debian's prometheus package into /var/cache/vpmu-policy/promtool) or set VPMU_PROMTOOL",
			 "promtool check metrics accepts the exposition");
		tap_skip("no promtool", "promtool rejects a broken exposition");
		return;
	}
	if (!tap_check(!lint(tool, text, out, sizeof(out)),
		       "promtool check metrics accepts the exposition"))
		tap_diag("promtool: %s", out);
	/* A counter without _total and a sample twice: it must complain. */
	tap_check(lint(tool,
		       "# HELP x_seconds y\n# TYPE x_seconds counter\nx_seconds 1\nx_seconds 2\n",
		       out, sizeof(out)) != 0,
		  "promtool rejects a broken exposition (so the check above means something)");
}

/* 5 checks */
static void test_write_file(const char *text)
{
	char path[PATH_MAX], why[PATH_MAX + 64], buf[8192];
	struct stat st, st2;
	ssize_t n;
	int fd, err, count = 0;
	FILE *ls;

	snprintf(path, sizeof(path), "%s/vpmu-policyd.prom", dir);
	err = metrics_write_file(path, "old\n", 4, why, sizeof(why));
	stat(path, &st);
	err |= metrics_write_file(path, text, strlen(text), why, sizeof(why));
	tap_check(!err, "metrics_write_file writes and replaces");
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	tap_check(!strcmp(buf, text), "the file holds the exposition");
	/* A new inode renamed over the old: readers see one or the other. */
	tap_check(!stat(path, &st2) && st2.st_ino != st.st_ino &&
		  (st2.st_mode & 07777) == 0644,
		  "replaced by rename (a new inode), mode 0644");
	snprintf(buf, sizeof(buf), "ls -A '%s'", dir);
	ls = popen(buf, "r");
	while (ls && fgets(buf, sizeof(buf), ls))
		count += !strncmp(buf, "vpmu-policyd.prom.tmp", 21);
	if (ls)
		pclose(ls);
	tap_check(!count, "no temporary file left behind");
	snprintf(path, sizeof(path), "%s/missing/vpmu-policyd.prom", dir);
	err = metrics_write_file(path, text, strlen(text), why, sizeof(why));
	if (!tap_check(err == -ENOENT && strstr(why, "/missing/vpmu-policyd.prom.tmp."),
		       "a missing directory: ENOENT, naming the path"))
		tap_diag("err %d, why: %s", err, why);
}

/* The metrics keys of the main configuration: 4 checks. */
static void test_config(void)
{
	struct policyd_config c;
	char path[PATH_MAX];
	struct diag d;
	FILE *f;

	config_defaults(&c);
	tap_check(!strcmp(c.metrics_file,
			  "/var/lib/prometheus/node-exporter/vpmu-policyd.prom") &&
		  c.metrics_interval_sec == 5 && c.metrics_top_events == 20,
		  "defaults: Debian's node-exporter textfile directory, every 5 s, top 20 events");
	snprintf(path, sizeof(path), "%s/c.json", dir);
	f = fopen(path, "w");
	fputs("{ \"metrics_file\": \"\", \"metrics_interval_sec\": 30, \"metrics_top_events\": \"0x10\" }\n", f);
	fclose(f);
	diag_init(&d);
	tap_check(config_check(path, false, &c, &d) && !c.metrics_file[0] &&
		  c.metrics_interval_sec == 30 && c.metrics_top_events == 16,
		  "\"metrics_file\": \"\" turns the file off; interval and top N set");
	diag_free(&d);
	f = fopen(path, "w");
	fputs("{\n  \"metrics_interval_sec\": 0,\n  \"metrics_file\": \"node.prom\",\n  \"metrics_top_events\": 1001\n}\n", f);
	fclose(f);
	diag_init(&d);
	config_defaults(&c);
	if (!tap_check(!config_check(path, false, &c, &d) && d.n == 3 &&
		  strstr(d.msgs[0], "c.json:3:19: \"metrics_file\" must be an absolute path") &&
		  strstr(d.msgs[1], "c.json:2:27: \"metrics_interval_sec\" must be 1 to 3600") &&
		  strstr(d.msgs[2], "c.json:4:25: \"metrics_top_events\": 1001 is out of range (at most 1000)"),
		  "bad metrics keys: each named with file:line:column") && d.n)
		tap_diag("got: %s | %s | %s", d.msgs[0], d.n > 1 ? d.msgs[1] : "",
			 d.n > 2 ? d.msgs[2] : "");
	diag_free(&d);
	tap_check(!strcmp(c.metrics_file,
			  "/var/lib/prometheus/node-exporter/vpmu-policyd.prom"),
		  "a rejected configuration leaves the settings as they were");
}

int main(void)
{
	char *text;

	tap_plan(4 + 2 + 5 + 4 + 1);
	if (!mkdtemp(dir))
		tap_bail("mkdtemp: %s", strerror(errno));
	text = test_text();
	test_promtool(text);
	test_write_file(text);
	test_config();
	free(text);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			tap_diag("could not remove %s", dir);
	}
	return tap_finish();
}
