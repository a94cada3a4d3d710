// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 part of kvmt: the guest runs the identity-mapped test image in
 * 64-bit mode.  Page tables map the first 1 GiB with 2 MiB pages; the
 * segment registers are loaded straight into KVM's caches, so the guest
 * needs no GDT of its own.  There is no IDT: an exception in the guest
 * ends in a triple fault (KVM_EXIT_SHUTDOWN), which the run loop reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvmt_x86_64.h"

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE   (1ULL << 1)
#define PTE_LARGE   (1ULL << 7)

#define CR0_PE	 (1ULL << 0)
#define CR0_MP	 (1ULL << 1)
#define CR0_ET	 (1ULL << 4)
#define CR0_NE	 (1ULL << 5)
#define CR0_WP	 (1ULL << 16)
#define CR0_PG	 (1ULL << 31)
#define CR4_PAE	 (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

void kvmt_guest_done_x86(void);

void kvmt_arch_vm_init(struct kvmt_vm *vm)
{
	uint64_t pml4, pdpt, pd, *p;
	int i;

	kvmt_map_image(vm);
	pd = kvmt_alloc_top(vm, 4096);
	pdpt = kvmt_alloc_top(vm, 4096);
	pml4 = kvmt_alloc_top(vm, 4096);
	p = kvmt_gpa_to_hva(vm, pd, 4096);
	for (i = 0; i < 512; i++)
		p[i] = ((uint64_t)i << 21) | PTE_PRESENT | PTE_WRITE |
		       PTE_LARGE;
	p = kvmt_gpa_to_hva(vm, pdpt, 4096);
	p[0] = pd | PTE_PRESENT | PTE_WRITE;
	p = kvmt_gpa_to_hva(vm, pml4, 4096);
	p[0] = pdpt | PTE_PRESENT | PTE_WRITE;
	vm->page_table_root = pml4;
}

/* Give the vCPU everything KVM supports, including the PMU leaves. */
static void set_supported_cpuid(struct kvmt_vcpu *vcpu)
{
	int nent = 256;
	struct kvm_cpuid2 *cpuid;

	cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
	if (!cpuid)
		kvmt_die("out of memory");
	cpuid->nent = nent;
	kvmt_ioctl(vcpu->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	kvmt_ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = code ? 0 : 1,
		.s = 1,
		.l = code,
		.g = 1,
	};
}

void kvmt_arch_vcpu_init(struct kvmt_vcpu *vcpu, void (*guest_fn)(uint64_t),
			 uint64_t arg, uint64_t stack_top)
{
	struct kvmt_vm *vm = vcpu->vm;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	uint64_t *ret_slot;

	set_supported_cpuid(vcpu);
	kvmt_ioctl(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = vm->page_table_root;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	set_seg(&sregs.cs, 0x8, 0xb, true);   /* execute/read, accessed */
	set_seg(&sregs.ds, 0x10, 0x3, false); /* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	kvmt_ioctl(vcpu->fd, KVM_SET_SREGS, &sregs);

	/* Returning from guest_fn lands in kvmt_guest_done_x86. */
	ret_slot = kvmt_gpa_to_hva(vm, stack_top - 16, 8);
	*ret_slot = (uintptr_t)kvmt_guest_done_x86;
	regs.rsp = stack_top - 16;
	regs.rip = (uintptr_t)guest_fn;
	regs.rdi = arg;
	regs.rflags = 0x2;
	kvmt_ioctl(vcpu->fd, KVM_SET_REGS, &regs);
}

void kvmt_arch_vm_finalize(struct kvmt_vm *vm)
{
	(void)vm;
}

const char *kvmt_arch_exit_reason(struct kvmt_vcpu *vcpu)
{
	static char buf[160];
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		return "shutdown (triple fault: an exception in the guest)";
	case KVM_EXIT_HLT:
		return "hlt";
	case KVM_EXIT_IO:
		snprintf(buf, sizeof(buf), "port I/O %s at 0x%x",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.port);
		return buf;
	case KVM_EXIT_MMIO:
		snprintf(buf, sizeof(buf), "MMIO %s at 0x%llx",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr);
		return buf;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, sizeof(buf), "failed entry, reason 0x%llx",
			 (unsigned long long)
				 run->fail_entry.hardware_entry_failure_reason);
		return buf;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf), "internal error, suberror %u",
			 run->internal.suberror);
		return buf;
	}
	snprintf(buf, sizeof(buf), "exit reason %u", run->exit_reason);
	return buf;
}
