/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's decision code in a SYSCALL program (bpf/tests/
 * decide_test.bpf.c), driven from host tests: policies laid out by the
 * daemon's code (lib/policy_image.c), published as the program's policy
 * 1 in a map-of-maps like the engine's, and decisions made one by one
 * with BPF_PROG_TEST_RUN.  Failures bail out of the TAP test.
 */
#ifndef VPMU_DECIDE_PROG_H
#define VPMU_DECIDE_PROG_H

#include <stdbool.h>
#include <linux/types.h>

#include "../../include/vpmu/rule.h"
#include "../../lib/policy_maps.h"

/* Kinds, as enum kvm_pmu_counter_kind. */
enum { K_GP, K_FIXED, K_CYCLE, K_PROBE };

/*
 * Load the program and plan @checks TAP checks after a first one, that
 * the host verifier accepts it.  False if it could not be loaded: then
 * the test is skipped (no privilege) or fails that one check.
 */
bool dp_start(int checks);
void dp_close(void);
/* The decision program, e.g. to inspect its instructions. */
int dp_prog_fd(void);

/* The id dp_publish() and dp_load() publish as, and its maps. */
#define DP_POLICY_ID 1
struct vpmu_policy_maps dp_maps(void);

/* Make policy map @fd (or a layout's -errno) the program's policy. */
void dp_publish(int fd);
/* Sort @rules as the daemon's compiler does, lay them out, publish. */
void dp_load(struct vpmu_rule *rules, unsigned int nr, int dflt);
/* enum vpmu_action, or -1: no policy (none, or no header in its map). */
int dp_decide(const struct vpmu_query *q);

/* The daemon compiler's rule order (vpmu_rule_key()). */
int dp_cmp_rule(const void *a, const void *b);

/* Shorthands for rules and queries. */
struct vpmu_rule dp_x86(__u32 sel, __u8 mask, __u8 match, int action,
			int flags);
struct vpmu_rule dp_arm(__u32 ev, int action, int kinds, int flags);
struct vpmu_query dp_qx86(__u32 sel, __u8 umask);
struct vpmu_query dp_qarm(__u32 ev, int kind);

#endif /* VPMU_DECIDE_PROG_H */
