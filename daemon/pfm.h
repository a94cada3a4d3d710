/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event names resolved through libpfm4 ("pfm:NAME" in a policy), for the
 * host's PMU only.
 *
 * libpfm4 is optional at run time: it is loaded with dlopen() at the first
 * "pfm:" name, so neither vpmu-policyd nor vpmuctl needs it unless a
 * policy uses one.  libpfm4 knows the host it runs on and nothing else, so
 * a name only resolves for a policy whose target is the host's.
 */
#ifndef VPMUD_PFM_H
#define VPMUD_PFM_H

#include <stddef.h>

#include "events.h"

/*
 * Resolve @name (without "pfm:") for target @t through libpfm4: fill
 * @out[0] and return 1, or return 0 with the reason in @why (@len bytes):
 * libpfm4 missing or failing to initialise, the event unknown for the
 * host's PMU or not a core PMU event, an encoding that needs more than an
 * event select and unit mask (modifiers, extra registers), or @t not
 * being the target libpfm4 encodes for.  @out may be NULL.
 */
int vpmu_pfm_lookup(enum vpmu_target t, const char *name,
		    struct vpmu_event_enc *out, char *why, size_t len);

/*
 * The libpfm4 name of the host's core PMU ("skl", "amd64_fam19h_zen4",
 * "arm_n1"), the one "pfm:" names resolve on, or NULL with the reason in
 * @why (libpfm4 missing or not knowing the host's PMU).
 */
const char *vpmu_pfm_host_pmu(char *why, size_t len);

#endif /* VPMUD_PFM_H */
