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
 * by the anonymous inode's name, and reads the ids from struct kvm.
 *
 * A VM whose file is open in several processes (or twice) is reported
 * more than once; userspace keeps one of each id.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "../include/vpmu/maps.h"

/* anon_inode_getfile("kvm-vm", ...) names the file's dentry. */
static const char vm_file_name[] = "kvm-vm";

SEC("iter/task_file")
int vpmu_find_vms(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct task_struct *task = ctx->task;
	struct vpmu_vm_found rec = {};
	char name[sizeof(vm_file_name)];
	const unsigned char *dname;
	struct kvm *kvm;
	int i;

	if (!file || !task)
		return 0;
	dname = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(name, sizeof(name), dname) !=
	    sizeof(vm_file_name))
		return 0;
	for (i = 0; i < sizeof(vm_file_name); i++)
		if (name[i] != vm_file_name[i])
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
