// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's decision in a loop, for bench/decide_bench.c.  Policies
 * are in the engine's own maps and found by its own code
 * (bpf/lib/vpmu_policies.h).  One BPF_PROG_TEST_RUN makes up to
 * BENCH_BATCH decisions over the queries in the queries map.  Other modes
 * do less of the same work, so that it can be subtracted: BENCH_LOOP the
 * loop and its query lookup, no decision; BENCH_FIND also finds the
 * policy and its header (what KVM's filter is handed ready), without
 * matching; count 0, the syscall alone.
 */
#include <linux/types.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../lib/vpmu_policies.h"

#define BENCH_BATCH 1024
#define BENCH_QUERIES 256

enum { BENCH_DECIDE, BENCH_LOOP, BENCH_FIND };

struct bench_args {
	__u32 policy_id;
	__u32 first_query;
	__u32 count;		/* decisions to make, at most BENCH_BATCH */
	__u32 mode;
	__u32 allowed;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_QUERIES);
	__type(key, __u32);
	__type(value, struct vpmu_query);
} queries SEC(".maps");

struct batch {
	__u32 policy_id;
	__u32 first_query;
	__u32 mode;
	__u32 allowed;
};

static long decide_one(__u32 i, void *data)
{
	struct batch *b = data;
	__u32 k = (b->first_query + i) % BENCH_QUERIES;
	struct vpmu_query *q = bpf_map_lookup_elem(&queries, &k);
	__u8 flags;

	if (!q)
		return 1;
	if (b->mode == BENCH_LOOP) {
		b->allowed += q->unit_mask & 1;
	} else if (b->mode == BENCH_FIND) {
		b->allowed += !vpmu_policy_decide(b->policy_id, NULL, &flags) &&
			      q->unit_mask & 1;
	} else {
		b->allowed += vpmu_policy_decide(b->policy_id, q, &flags) ==
			      VPMU_ALLOW;
	}
	return 0;
}

SEC("syscall")
int bench(struct bench_args *args)
{
	struct batch b = {
		.policy_id = args->policy_id,
		.first_query = args->first_query,
		.mode = args->mode,
	};

	bpf_loop(args->count < BENCH_BATCH ? args->count : BENCH_BATCH,
		 decide_one, &b, 0);
	args->allowed = b.allowed;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
