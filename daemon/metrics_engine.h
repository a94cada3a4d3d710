/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics (metrics.h) read from the engine's pinned maps: the same
 * for the daemon's textfile and `vpmuctl metrics`, with or without a
 * running daemon.
 */
#ifndef VPMUD_METRICS_ENGINE_H
#define VPMUD_METRICS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "engine.h"
#include "events.h"

/* Per tenant, this many events get their own series by default. */
#define METRICS_TOP_EVENTS 20

/*
 * What applies to a VM with vm_policy entry @pol (@classified: it has
 * one): "enforced", "pending", "host-default" or "degraded".
 */
const char *vm_state_name(const struct engine *e, const struct vpmu_vm *pol,
			  bool classified);
/* The VM's tenant as vpmuctl vms shows it: a name, "(pending)", ... */
void vm_tenant_label(const struct engine *e, const struct vpmu_vm *pol,
		     bool classified, char *buf, size_t len);
/*
 * The exposition for @e (event names for @target), in a malloc()ed
 * NUL-terminated *@text of *@len bytes; -errno.
 */
int metrics_collect(const struct engine *e, int target, unsigned int top_n,
		    char **text, size_t *len);

/*
 * The daemon's timer: write the exposition to @cfg's metrics_file (if
 * any), atomically.  A failure is logged once until it changes or the
 * file is written again.
 */
void metrics_textfile(const struct engine *e,
		      const struct policyd_config *cfg);

#endif /* VPMUD_METRICS_ENGINE_H */
