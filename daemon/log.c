// SPDX-License-Identifier: GPL-2.0
/* Journal or stderr logging, and the denial log's rate limit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "esc.h"
#include "log.h"

static const char *ident = "vpmu-policyd";
static bool journal;

/*
 * systemd sets JOURNAL_STREAM to the device:inode of the stream it
 * connected stderr to; if stderr still is that stream, log natively.
 */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	return !fstat(STDERR_FILENO, &st) && st.st_dev == dev &&
	       st.st_ino == ino;
}

void log_init(const char *name)
{
	ident = name;
	journal = stderr_is_journal();
}

bool log_to_journal(void)
{
	return journal;
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_DEBUG: return "debug";
	default: return "info";
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (journal)
		sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%d", prio,
				"SYSLOG_IDENTIFIER=%s", ident, NULL);
	else
		fprintf(stderr, "%s: %s: %s\n", ident, prio_name(prio), buf);
}

void log_decision(int prio, const struct log_decision *d)
{
	char msg[1536], cg[1024];

	/*
	 * The message is for people: the cgroup's name is escaped there
	 * (its creator chose it); the CGROUP field keeps the exact bytes.
	 */
	esc(cg, sizeof(cg), d->cgroup);
	snprintf(msg, sizeof(msg),
		 "VM %llu (tenant %s, cgroup %s) vCPU %d: %s %s (selector 0x%llx)",
		 (unsigned long long)d->vm_id, d->tenant, cg, d->vcpu,
		 d->action, d->event, (unsigned long long)d->selector);
	if (journal)
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
				"SYSLOG_IDENTIFIER=%s", ident,
				"VM_ID=%llu", (unsigned long long)d->vm_id,
				"TENANT=%s", d->tenant, "EVENT=%s", d->event,
				"ACTION=%s", d->action, "CGROUP=%s", d->cgroup,
				"VCPU=%d", d->vcpu, NULL);
	else
		fprintf(stderr, "%s: %s: %s\n", ident, prio_name(prio), msg);
}

bool ratelimit_ok(struct ratelimit *r, uint64_t now_us)
{
	if (now_us - r->window_start_us >= 1000000) {
		if (r->suppressed)
			log_msg(LOG_NOTICE,
				"%llu denial messages suppressed (log_denials_per_sec %u)",
				(unsigned long long)r->suppressed, r->per_sec);
		r->window_start_us = now_us;
		r->used = 0;
		r->suppressed = 0;
	}
	if (r->used < r->per_sec) {
		r->used++;
		return true;
	}
	r->suppressed++;
	return false;
}
