// SPDX-License-Identifier: GPL-2.0
/*
 * A struct_ops object of another type than kvm_pmu_policy_ops, for a type
 * no kernel has: vpmuctl attach must refuse it before loading anything
 * (selftests/unit/test_pin_dir.sh).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct not_a_pmu_policy_ops {
	int (*init)(void *arg);
	char name[16];
};

SEC("struct_ops/init")
int BPF_PROG(other_init, void *arg)
{
	return 0;
}

SEC(".struct_ops.link")
struct not_a_pmu_policy_ops other_ops = {
	.init = (void *)other_init,
	.name = "other_ops",
};

char LICENSE[] SEC("license") = "GPL";
