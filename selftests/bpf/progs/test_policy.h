/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The map ABI of test_policy.bpf.c, shared by the BPF side and the tests
 * that drive it (pmu_policy, pmu_policy_nested).
 */
#ifndef VPMU_TEST_POLICY_H
#define VPMU_TEST_POLICY_H

/* deny_a / deny_b key: cgroup id (0: any), event, hyp (1: only at vEL2). */
struct deny_key {
	__u64 cgroup_id;
	__u32 event;
	__u32 hyp;
};

/* vms value: what vm_init reported; vm_destroy clears alive. */
struct vm_rec {
	__u64 cgroup_id;
	__s32 tgid;
	__u32 alive;
};

/* stats indices. */
enum policy_stat {
	STAT_CALLS,
	STAT_DENIED,
	STAT_PROBES,
	STAT_STATIC_DENIED_SEEN,
	STAT_HYP_CALLS,
	STAT_NESTED_CALLS,
	NR_POLICY_STATS,
};

/* The refresh SYSCALL program's context. */
struct refresh_args {
	__u64 vm_id;
	__s32 ret;
};

#endif /* VPMU_TEST_POLICY_H */
