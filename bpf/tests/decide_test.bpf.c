// SPDX-License-Identifier: GPL-2.0
/*
 * vpmu_decide() wrapped in a SYSCALL program, so that the host can run the
 * engine's exact decision code over a table of cases with
 * BPF_PROG_TEST_RUN (selftests/unit/test_decide.c).
 */
#include <linux/types.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../lib/vpmu_decide.h"

struct decide_args {
	struct vpmu_query q;
	__s32 verdict;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VPMU_MAX_RULES + 1);	/* header + rules */
	__type(key, __u32);
	__type(value, struct vpmu_rule);
} rules SEC(".maps");

SEC("syscall")
int decide(struct decide_args *args)
{
	struct vpmu_query q;

	__builtin_memcpy(&q, &args->q, sizeof(q));
	args->verdict = vpmu_decide(&rules, &q);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
