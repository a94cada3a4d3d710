/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * vpmu-policy ABI shared by the BPF engine, vpmu-policyd and vpmuctl:
 * version, limits and the enums every other header uses.  Included from
 * BPF programs (after vmlinux.h or linux/types.h) and from userspace.
 */
#ifndef VPMU_ABI_H
#define VPMU_ABI_H

/* Bumped on any incompatible change to a map key, value or rule layout. */
#define VPMU_ABI_VERSION	6

/* Limits the engine is built and tested for. */
#define VPMU_MAX_RULES		4096	/* rules in one policy */
#define VPMU_MAX_POLICIES	16384	/* policies loaded at once */
/* Rules that share one (kind, event) key, e.g. masked entries of one
 * event select; bounds the per-decision scan. */
#define VPMU_MAX_SAME_KEY	64

enum vpmu_action {
	VPMU_DENY	= 0,
	VPMU_ALLOW	= 1,
};

#endif /* VPMU_ABI_H */
