/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel types the shipped BPF programs (vpmu_engine, vpmu_vms) use,
 * declared here instead of taken from a vmlinux.h of one kernel build, so
 * that the engine builds from Debian's packages alone and loads on any
 * kernel with the series.
 *
 * CO-RE: every type is marked preserve_access_index, so clang records each
 * member access by name and libbpf moves it to the member's offset in the
 * running kernel's BTF (and, on x86 where KVM is a module, kvm.ko's).  Only
 * the members the programs read are declared; their order and the padding
 * here mean nothing.  A member the running kernel lacks fails the load
 * with libbpf naming it.
 *
 * The kvm_pmu_* types are the struct_ops ABI the series adds
 * (include/linux/kvm_pmu_policy.h in kernel/patches), declared in full.
 * libbpf matches the struct_ops map's type to the kernel's by the name
 * kvm_pmu_policy_ops and its members by name, searching vmlinux's BTF and
 * then the modules'.  The enum values are the series' own and are
 * compiled in: they are ABI, not layout.
 *
 * Include after <linux/types.h> and <linux/bpf.h>.
 */
#ifndef VPMU_KERNEL_TYPES_H
#define VPMU_KERNEL_TYPES_H

#include <stdbool.h>

#define __core __attribute__((preserve_access_index))

/* Verdicts and context values (enum kvm_pmu_policy_verdict etc.). */
enum {
	KVM_PMU_POLICY_DENY		= 0,
	KVM_PMU_POLICY_ALLOW		= 1,
	KVM_PMU_POLICY_MODE_SENSITIVE	= 0x100,
};

enum {
	KVM_PMU_COUNTER_GP	= 0,
	KVM_PMU_COUNTER_FIXED	= 1,
	KVM_PMU_COUNTER_CYCLE	= 2,
	KVM_PMU_COUNTER_PROBE	= 3,
};

enum {
	KVM_PMU_ARCH_X86	= 1,
	KVM_PMU_ARCH_ARM64	= 2,
};

struct kvm_pmu_event_ctx {
	__u64 vm_id;
	__u64 cgroup_id;
	__u64 raw_selector;
	__u32 event;
	__s32 vcpu_id;
	__s32 counter_idx;
	__u8 unit_mask;
	__u8 kind;
	__u8 arch;
	__u8 nested;
	__u8 hyp_ctxt;
	__u8 static_allowed;
	__u8 counts_at;
	__u8 el2_reserved;
} __core;

struct kvm_pmu_vm_ctx {
	__u64 vm_id;
	__u64 cgroup_id;
	__s32 tgid;
} __core;

struct kvm_pmu_policy_ops {
	int (*event_filter)(const struct kvm_pmu_event_ctx *ctx);
	void (*vm_init)(const struct kvm_pmu_vm_ctx *ctx);
	void (*vm_destroy)(const struct kvm_pmu_vm_ctx *ctx);
	__u64 cgroup_id;
	char name[16];		/* KVM_PMU_POLICY_NAME_LEN */
};

/* What vpmu_vms reads of a VM and of the file that holds it. */
struct kvm {
	__u64 vm_id;
	__u64 creator_cgroup_id;
	int creator_tgid;	/* pid_t */
} __core;

struct super_block {
	unsigned long s_magic;
} __core;

struct inode {
	struct super_block *i_sb;
} __core;

struct qstr {
	const unsigned char *name;
} __core;

struct dentry {
	struct qstr d_name;
} __core;

struct path {
	struct dentry *dentry;
} __core;

struct file {
	const void *f_op;
	struct inode *f_inode;
	struct path f_path;
	void *private_data;
} __core;

struct task_struct {
	int tgid;		/* pid_t */
} __core;

struct seq_file;
/* Passed to bpf_for_each_map_elem()'s callback; opaque. */
struct bpf_map;

struct bpf_iter_meta {
	struct seq_file *seq;
} __core;

/* The task_file iterator's context (kernel/bpf/task_iter.c). */
struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __core;

#undef __core

#endif /* VPMU_KERNEL_TYPES_H */
