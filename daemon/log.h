/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging: structured journal entries under systemd (fields VM_ID,
 * TENANT, EVENT, ACTION, CGROUP), plain stderr lines otherwise.
 */
#ifndef VPMUD_LOG_H
#define VPMUD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

void log_init(const char *ident);
bool log_to_journal(void);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One decision record: structured fields, and a line for people. */
struct log_decision {
	uint64_t vm_id;
	const char *tenant;
	const char *event;	/* name or raw encoding */
	const char *action;	/* "deny" / "allow" / "would-deny" (audit mode) */
	const char *cgroup;
	int vcpu;
	uint64_t selector;
};
void log_decision(int prio, const struct log_decision *d);

/* A token bucket: at most @per_sec events a second, with a burst of as many. */
struct ratelimit {
	uint32_t per_sec;
	uint64_t window_start_us;
	uint32_t used;
	uint64_t suppressed;
};
/* Whether one more event may be logged now; counts the ones that may not. */
bool ratelimit_ok(struct ratelimit *r, uint64_t now_us);

#endif /* VPMUD_LOG_H */
