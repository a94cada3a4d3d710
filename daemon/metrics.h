/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metrics in the Prometheus text exposition format (0.0.4), which is what
 * node_exporter's textfile collector parses (OpenMetrics names a
 * counter's family without "_total", which that parser and promtool
 * would take for another metric), for node_exporter's textfile collector (the daemon writes them to a file every few seconds)
 * and `vpmuctl metrics`.  This part only gathers samples and formats
 * them; metrics_engine.c reads them from the engine's pinned maps, so
 * that the daemon and vpmuctl print the same.
 *
 * Cardinality is bounded: per tenant, the @top_n events with the most
 * decisions get their own series, the rest are summed as event "other";
 * event labels are names or numbers from a fixed table, never guest- or
 * tenant-chosen text.
 */
#ifndef VPMUD_METRICS_H
#define VPMUD_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct metrics;

/* What the daemon map says (struct vpmu_daemon) and the drop counters. */
struct metrics_daemon {
	bool running;
	uint32_t reloads, tenants, rejected;
	uint64_t last_reload_ns;	/* CLOCK_REALTIME, 0: none yet */
	uint64_t dropped_records, dropped_lifecycle;
};

struct metrics *metrics_new(unsigned int top_n);
void metrics_free(struct metrics *m);
/*
 * Add one VM's decisions on @event for @tenant (@would_deny: denies of a
 * policy in audit mode, which the guest counted as allowed); -1 out of
 * memory.
 */
int metrics_add_decisions(struct metrics *m, const char *tenant,
			  const char *event, uint64_t allowed,
			  uint64_t denied, uint64_t would_deny);
/* Count one VM of @tenant in @state; -1 out of memory. */
int metrics_add_vm(struct metrics *m, const char *tenant, const char *state);
/* The whole exposition. */
void metrics_print(const struct metrics *m, const struct metrics_daemon *dm,
		   FILE *f);
/*
 * Replace @path with @len bytes of @text atomically (a temporary file in
 * the same directory, then rename), mode 0644; -errno, why in @why.
 */
int metrics_write_file(const char *path, const char *text, size_t len,
		       char *why, size_t why_len);

#endif /* VPMUD_METRICS_H */
