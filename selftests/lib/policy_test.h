/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side helpers for tests that drive kvm_pmu_policy_ops policies:
 * cgroups to create VMs from, the debugfs list of attached policies, and
 * the test policy's maps and refresh program (selftests/bpf/progs/
 * test_policy.bpf.c), reached through their file descriptors.
 */
#ifndef VPMU_POLICY_TEST_H
#define VPMU_POLICY_TEST_H

#include <stdbool.h>
#include <stdint.h>

struct bpf_link;
struct bpf_map;

#define PT_CGROUP_ROOT "/sys/fs/cgroup"

/* Create cgroup @path (if needed); returns its id (the inode number). */
uint64_t pt_make_cgroup(const char *path);
/* Move this process into cgroup directory @cg. */
void pt_enter_cgroup(const char *cg);

/* debugfs kvm/pmu_policies as text; also printed as a TAP comment. */
const char *pt_read_policies(void);
/* The invalid_verdicts count listed for policy @name, or -1. */
long pt_invalid_verdicts(const char *name);

/* Run the refresh SYSCALL program: the kfunc's result, or -errno. */
int pt_refresh(int prog_fd, uint64_t vm_id);

/* Attach struct_ops map @map (a policy); bail out of the test if it fails. */
struct bpf_link *pt_attach(struct bpf_map *map);
/* stats[@idx] of the test policy. */
uint64_t pt_stat(int stats_fd, uint32_t idx);
/* The newest live VM vm_init recorded for this process from cgroup @cg. */
uint64_t pt_find_vm(int vms_fd, uint64_t cg);
/*
 * vpmu engine: classify every VM still PENDING in vm_policy (@vm_policy_fd)
 * to policy @policy_id with @flags, as vpmu-policyd does; how many.
 */
int pt_classify_pending(int vm_policy_fd, uint32_t policy_id, uint32_t flags);

/*
 * Whether an unprivileged user (nobody) is refused loading the policies
 * with EPERM/EACCES: @open_and_load runs in a child that dropped its
 * privileges and returns NULL on failure, like a skeleton's.
 */
bool pt_unprivileged_load_refused(void *(*open_and_load)(void));

/*
 * Calls to a function whose name contains @callee in program @prog_fd as
 * the kernel runs it (bpftool's xlated dump, names from kallsyms), e.g.
 * "array_map_lookup_elem": a map lookup the verifier did not inline.
 * -1 if bpftool cannot dump it.
 */
int pt_xlated_calls(int prog_fd, const char *callee);

/* 0 if this kernel can count hardware instructions, else the errno. */
int pt_host_pmu_errno(void);

#endif /* VPMU_POLICY_TEST_H */
