// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's decision code in a SYSCALL program, so that the host can
 * run it over tables of cases with BPF_PROG_TEST_RUN (selftests/unit/
 * test_decide.c, test_policy_index.c).  The policy maps and the path from
 * a policy id to a verdict are the engine's own (bpf/lib/vpmu_policies.h).
 */
#include <linux/types.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../lib/vpmu_policies.h"

struct decide_args {
	struct vpmu_query q;
	__u32 policy_id;
	__s32 verdict;		/* enum vpmu_action, or -1: no policy */
};

SEC("syscall")
int decide(struct decide_args *args)
{
	struct vpmu_query q;
	__u8 flags;

	__builtin_memcpy(&q, &args->q, sizeof(q));
	args->verdict = vpmu_policy_decide(args->policy_id, &q, &flags);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
