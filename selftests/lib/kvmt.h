/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmt: a small library for writing KVM tests that run inside the QEMU
 * harness.  A test is a VMM: it creates a VM, adds vCPUs, runs them in
 * slices and checks what the guest saw.
 *
 * On arm64 the guest runs code of the test binary itself.  The binary is
 * static and not position independent, so kvmt_vm_create() copies every
 * loadable segment into guest RAM at the same address (guest physical ==
 * host virtual, MMU off in the guest).  A guest function is then an
 * ordinary C function of the test, and a global variable has one copy on
 * each side: KVMT_GUEST(vm, var) is the guest's copy, readable and
 * writable by the host between slices.  Guest code must not call libc.
 *
 * The guest reports to the host with "ucalls": it stores the address of a
 * struct kvmt_ucall to an unbacked MMIO address, and kvmt_vcpu_run()
 * returns that struct to the host.  See guest.h for the guest side.
 */
#ifndef VPMU_KVMT_H
#define VPMU_KVMT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "ucall.h"

#define KVMT_MAX_VCPUS 8

struct kvmt_vm;

struct kvmt_vcpu {
	struct kvmt_vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	uint64_t features; /* arch-specific vCPU features asked for */
};

struct kvmt_vm {
	int kvm_fd;
	int fd;
	void *mem;	  /* host mapping of guest RAM */
	uint64_t mem_gpa; /* guest physical address of mem */
	uint64_t mem_size;
	uint64_t stack_top;	  /* top of free RAM: vCPU stacks grow down */
	uint64_t free_lo;	  /* end of the test image in guest RAM */
	int irqchip_fd;		  /* arm64: the vGIC device */
	uint64_t page_table_root; /* x86_64: guest CR3 */
	int nr_vcpus;
	struct kvmt_vcpu *vcpus[KVMT_MAX_VCPUS];
	bool finalized;
};

/*
 * Create a VM with guest RAM and the arch's interrupt controller.
 * Returns NULL with errno set if /dev/kvm or the VM cannot be opened
 * (callers usually turn that into a skip); aborts on later errors.
 */
struct kvmt_vm *kvmt_vm_create(void);
void kvmt_vm_free(struct kvmt_vm *vm);

/*
 * Add a vCPU that starts in guest_fn(arg).  @features is arch-specific
 * (arm64: a mask of KVM_ARM_VCPU_* feature bits, e.g.
 * 1 << KVM_ARM_VCPU_PMU_V3).  When guest_fn returns, the vCPU reports
 * UCALL_DONE.
 */
struct kvmt_vcpu *kvmt_vcpu_add(struct kvmt_vm *vm, uint64_t features,
				void (*guest_fn)(uint64_t arg), uint64_t arg);

/* Finish setup that must follow every vCPU (arm64: vGIC and PMU init). */
void kvmt_vm_finalize(struct kvmt_vm *vm);

/*
 * Run until the guest makes a ucall and return it.  An exit that is not a
 * ucall aborts the test with a description of the exit.  Finalizes the
 * VM first if the test did not.
 */
struct kvmt_ucall kvmt_vcpu_run(struct kvmt_vcpu *vcpu);

/* Run and require a ucall of @cmd (UCALL_FAIL/EXCEPTION abort with detail). */
struct kvmt_ucall kvmt_vcpu_run_expect(struct kvmt_vcpu *vcpu, uint64_t cmd);

/* Whether KVM offers a capability (KVM_CHECK_EXTENSION on the VM). */
bool kvmt_has_cap(struct kvmt_vm *vm, long cap);

/* Host pointer to guest physical address @gpa (aborts if outside RAM). */
void *kvmt_gpa_to_hva(struct kvmt_vm *vm, uint64_t gpa, uint64_t len);

/* The guest's copy of a global of the test binary (arm64). */
#define KVMT_GUEST(vm, var)                    \
	(*(__typeof__(&(var)))kvmt_gpa_to_hva( \
		vm, (uint64_t)(uintptr_t) & (var), sizeof(var)))

/* ioctl wrappers that abort with the request's name on failure. */
int __kvmt_ioctl(int fd, unsigned long req, void *arg, const char *name);
#define kvmt_ioctl(fd, req, arg) __kvmt_ioctl(fd, req, arg, #req)

/* Abort the test binary (TAP "Bail out!") with a formatted reason. */
void __attribute__((noreturn, format(printf, 1, 2)))
kvmt_die(const char *fmt, ...);

/*
 * Copy the test binary's loadable segments into new guest RAM at their own
 * addresses and register it as memslot 0 (used by the arch's vm_init).
 */
void kvmt_map_image(struct kvmt_vm *vm);
/* Take @size bytes from the top of guest RAM (below the vCPU stacks). */
uint64_t kvmt_alloc_top(struct kvmt_vm *vm, uint64_t size);

/* Arch hooks, implemented in arm64/ and x86_64/. */
void kvmt_arch_vm_init(struct kvmt_vm *vm);
void kvmt_arch_vcpu_init(struct kvmt_vcpu *vcpu, void (*guest_fn)(uint64_t),
			 uint64_t arg, uint64_t stack_top);
void kvmt_arch_vm_finalize(struct kvmt_vm *vm);
const char *kvmt_arch_exit_reason(struct kvmt_vcpu *vcpu);

#endif /* VPMU_KVMT_H */
