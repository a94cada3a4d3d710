/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's main configuration, /etc/vpmu-policyd/vpmu-policyd.json:
 * host default action, default tenant, audit, rate limits and paths.
 * A missing file means the defaults below.
 */
#ifndef VPMUD_CONFIG_H
#define VPMUD_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "policy.h"

#define POLICYD_CONFIG_FILE	"/etc/vpmu-policyd/vpmu-policyd.json"
#define POLICYD_TENANTS_DIR	"/etc/vpmu-policyd/tenants.d"
#define POLICYD_STATE_DIR	"/var/lib/vpmu-policyd"
#define POLICYD_CGROUP_ROOT	"/sys/fs/cgroup"
#define POLICYD_MACHINES_DIR	"/run/systemd/machines"
/* Where Debian's prometheus-node-exporter's textfile collector reads. */
#define POLICYD_METRICS_FILE \
	"/var/lib/prometheus/node-exporter/vpmu-policyd.prom"

struct policyd_config {
	uint8_t default_action;		/* enum vpmu_action */
	char default_tenant[TENANT_NAME_MAX];	/* "" for none */
	uint8_t audit;			/* enum vpmu_audit */
	uint32_t denials_per_sec;	/* ring buffer records per VM */
	uint32_t log_denials_per_sec;	/* journal entries, daemon-wide */
	int target;			/* enum vpmu_target */
	char tenants_dir[PATH_MAX];
	char pin_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char cgroup_root[PATH_MAX];
	char machines_dir[PATH_MAX];
	char metrics_file[PATH_MAX];	/* "" for none */
	uint32_t metrics_interval_sec;
	uint32_t metrics_top_events;	/* per tenant; the rest is "other" */
};

void config_defaults(struct policyd_config *c);
/*
 * Read @path over the defaults.  A missing file is not an error when
 * @optional (if only root can have removed it).  The file must pass
 * path_root_only(), as tenant files do.  On error @c is unchanged.
 */
bool config_load(const char *path, bool optional, struct policyd_config *c,
		 struct diag *d);
/* config_load() without path_root_only(): a draft's contents only. */
bool config_check(const char *path, bool optional, struct policyd_config *c,
		  struct diag *d);

#endif /* VPMUD_CONFIG_H */
