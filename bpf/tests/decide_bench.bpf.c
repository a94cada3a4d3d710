// SPDX-License-Identifier: GPL-2.0
/*
 * vpmu_decide() in a loop, for bench/decide_bench.c: one BPF_PROG_TEST_RUN
 * makes up to BENCH_BATCH decisions over the queries in the queries map;
 * a run with count 0 measures the syscall alone, to subtract it.
 */
#include <linux/types.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../lib/vpmu_decide.h"

#define BENCH_BATCH 32
#define BENCH_QUERIES 256

struct bench_args {
	__u32 first_query;
	__u32 count;		/* decisions to make, at most BENCH_BATCH */
	__u32 allowed;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VPMU_MAX_RULES + 1);
	__type(key, __u32);
	__type(value, struct vpmu_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_QUERIES);
	__type(key, __u32);
	__type(value, struct vpmu_query);
} queries SEC(".maps");

SEC("syscall")
int bench(struct bench_args *args)
{
	__u32 allowed = 0, k;
	struct vpmu_query *q;
	int i;

	for (i = 0; i < BENCH_BATCH; i++) {
		if (i >= args->count)
			break;
		k = (args->first_query + i) % BENCH_QUERIES;
		q = bpf_map_lookup_elem(&queries, &k);
		if (!q)
			break;
		allowed += vpmu_decide(&rules, q) == VPMU_ALLOW;
	}
	args->allowed = allowed;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
