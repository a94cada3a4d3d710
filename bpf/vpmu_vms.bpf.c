// SPDX-License-Identifier: GPL-2.0
/*
 * vpmu_vms: find the KVM VMs that exist now, for a daemon that starts (or
 * restarts) while VMs run.
 *
 * Why an iterator: a VM is an anonymous "kvm-vm" file held by its VMM,
 * and only struct kvm knows the VM id and creator cgroup the engine keys
 * on.  KVM's per-VM debugfs directories are named by pid and fd, not id,
 * and need debugfs; a /proc scan finds the files but cannot see inside
 * them.  A task_file iterator walks every open file once, recognises a VM
 * by its file operations, and reads the ids from struct kvm.
 *
 * Not by its name: any user can hold open a file called "kvm-vm", and the
 * ids would then be read from whatever its private_data points to.  The
 * operations are KVM's kvm_vm_fops, static in kvm_main.c (in kvm.ko on
 * x86), whose address libbpf finds in /proc/kallsyms.  That shows zeros
 * without CAP_SYSLOG (systemd's ProtectKernelLogs= drops it), and then a
 * VM is a file named exactly "kvm-vm" on the anonymous inode filesystem:
 * only the kernel names those, and only KVM by that name.
 *
 * A VM whose file is open in several processes (or twice) is reported
 * more than once; userspace keeps one of each id.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include "lib/kernel_types.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "../include/vpmu/maps.h"

/* anon_inode_getfile("kvm-vm", ...) names the file's dentry. */
static const char vm_file_name[] = "kvm-vm";
#define ANON_INODE_FS_MAGIC 0x09041934 /* uapi/linux/magic.h */

/* 0 if /proc/kallsyms hid it from the loader */
extern const void kvm_vm_fops __ksym __weak;

static bool is_vm_file(struct file *file)
{
	/* one more byte, to tell "kvm-vm" from a longer name */
	char name[sizeof(vm_file_name) + 1];
	const unsigned char *dname;
	int i;

	if (bpf_ksym_exists(&kvm_vm_fops))
		return BPF_CORE_READ(file, f_op) == (void *)&kvm_vm_fops;
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != ANON_INODE_FS_MAGIC)
		return false;
	dname = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(name, sizeof(name), dname) !=
	    sizeof(vm_file_name))
		return false;
	for (i = 0; i < sizeof(vm_file_name); i++)
		if (name[i] != vm_file_name[i])
			return false;
	return true;
}

SEC("iter/task_file")
int vpmu_find_vms(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct task_struct *task = ctx->task;
	struct vpmu_vm_found rec = {};
	struct kvm *kvm;

	if (!file || !task || !is_vm_file(file))
		return 0;
	kvm = (struct kvm *)BPF_CORE_READ(file, private_data);
	rec.vm_id = BPF_CORE_READ(kvm, vm_id);
	rec.cgroup_id = BPF_CORE_READ(kvm, creator_cgroup_id);
	rec.tgid = BPF_CORE_READ(kvm, creator_tgid);
	rec.holder = task->tgid;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
