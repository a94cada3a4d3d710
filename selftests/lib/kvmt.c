// SPDX-License-Identifier: GPL-2.0
/*
 * Arch-independent part of kvmt: the VM, its RAM, vCPUs and the run loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvmt.h"

#define VCPU_STACK_SIZE (64 * 1024)
#define SZ_64K		0x10000ULL
#define SZ_2M		0x200000ULL
#define SPARE_SIZE	(1ULL << 20) /* vCPU stacks, page tables */

struct image_extent {
	uint64_t lo, hi;
	int nr;
	struct {
		uint64_t addr, len;
	} seg[8];
};

/* The loadable segments of the (static, non-PIE) test binary. */
static int find_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	struct image_extent *ext = data;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t addr = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || ext->nr == 8)
			continue;
		ext->seg[ext->nr].addr = addr;
		ext->seg[ext->nr++].len = ph->p_memsz;
		if (!ext->lo || addr < ext->lo)
			ext->lo = addr;
		if (addr + ph->p_memsz > ext->hi)
			ext->hi = addr + ph->p_memsz;
	}
	return 1; /* the first object is the program itself */
}

void kvmt_map_image(struct kvmt_vm *vm)
{
	struct image_extent ext = { 0 };
	struct kvm_userspace_memory_region region;
	int i;

	dl_iterate_phdr(find_segments, &ext);
	if (!ext.nr)
		kvmt_die("cannot find the test image's segments");
	if (ext.lo < SZ_2M)
		kvmt_die("test image at 0x%llx: link it static and non-PIE",
			 (unsigned long long)ext.lo);
	vm->mem_gpa = ext.lo & ~(SZ_64K - 1);
	vm->mem_size = ((ext.hi - vm->mem_gpa + SPARE_SIZE) + SZ_2M - 1) &
		       ~(SZ_2M - 1);
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		kvmt_die("mmap guest RAM: %s", strerror(errno));
	for (i = 0; i < ext.nr; i++)
		memcpy((char *)vm->mem + (ext.seg[i].addr - vm->mem_gpa),
		       (void *)(uintptr_t)ext.seg[i].addr, ext.seg[i].len);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = vm->mem_gpa,
		.memory_size = vm->mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	kvmt_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region);
	vm->stack_top = vm->mem_gpa + vm->mem_size;
	vm->free_lo = ext.hi;
}

uint64_t kvmt_alloc_top(struct kvmt_vm *vm, uint64_t size)
{
	if (vm->stack_top < vm->free_lo + size)
		kvmt_die("guest RAM exhausted");
	vm->stack_top -= size;
	return vm->stack_top;
}

void kvmt_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

int __kvmt_ioctl(int fd, unsigned long req, void *arg, const char *name)
{
	int ret = ioctl(fd, req, arg);

	if (ret < 0)
		kvmt_die("ioctl %s: %s", name, strerror(errno));
	return ret;
}

struct kvmt_vm *kvmt_vm_create(void)
{
	struct kvmt_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		kvmt_die("out of memory");
	vm->irqchip_fd = -1;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		goto fail;
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		close(vm->kvm_fd);
		goto fail;
	}
	kvmt_arch_vm_init(vm);
	return vm;
fail:
	free(vm);
	return NULL;
}

void kvmt_vm_free(struct kvmt_vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		munmap(vm->vcpus[i]->run,
		       ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
		close(vm->vcpus[i]->fd);
		free(vm->vcpus[i]);
	}
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	/* A device fd holds a reference on the VM: close it too. */
	if (vm->irqchip_fd >= 0)
		close(vm->irqchip_fd);
	close(vm->fd);
	close(vm->kvm_fd);
	free(vm);
}

bool kvmt_has_cap(struct kvmt_vm *vm, long cap)
{
	return ioctl(vm->fd, KVM_CHECK_EXTENSION, cap) > 0;
}

void *kvmt_gpa_to_hva(struct kvmt_vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < vm->mem_gpa || gpa + len > vm->mem_gpa + vm->mem_size ||
	    gpa + len < gpa)
		kvmt_die("guest address 0x%llx+%llu is outside guest RAM",
			 (unsigned long long)gpa, (unsigned long long)len);
	return (char *)vm->mem + (gpa - vm->mem_gpa);
}

struct kvmt_vcpu *kvmt_vcpu_add(struct kvmt_vm *vm, uint64_t features,
				void (*guest_fn)(uint64_t arg), uint64_t arg)
{
	struct kvmt_vcpu *vcpu;
	int mmap_size;

	if (vm->nr_vcpus == KVMT_MAX_VCPUS)
		kvmt_die("more than %d vCPUs", KVMT_MAX_VCPUS);
	if (vm->stack_top < vm->free_lo + VCPU_STACK_SIZE)
		kvmt_die("no guest RAM left for a vCPU stack");
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		kvmt_die("out of memory");
	vcpu->vm = vm;
	vcpu->id = vm->nr_vcpus;
	vcpu->features = features;
	vcpu->fd = kvmt_ioctl(vm->fd, KVM_CREATE_VCPU, (void *)(long)vcpu->id);
	mmap_size = kvmt_ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	vcpu->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		kvmt_die("mmap kvm_run: %s", strerror(errno));
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	kvmt_arch_vcpu_init(vcpu, guest_fn, arg, vm->stack_top);
	vm->stack_top -= VCPU_STACK_SIZE;
	return vcpu;
}

void kvmt_vm_finalize(struct kvmt_vm *vm)
{
	if (vm->finalized)
		return;
	kvmt_arch_vm_finalize(vm);
	vm->finalized = true;
}

/* Decode a ucall MMIO exit; false if the exit is something else. */
static bool get_ucall(struct kvmt_vcpu *vcpu, struct kvmt_ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	uint64_t gpa;

	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr != KVMT_UCALL_MMIO || !run->mmio.is_write ||
	    run->mmio.len != sizeof(gpa))
		return false;
	memcpy(&gpa, run->mmio.data, sizeof(gpa));
	memcpy(uc, kvmt_gpa_to_hva(vcpu->vm, gpa, sizeof(*uc)), sizeof(*uc));
	return true;
}

struct kvmt_ucall kvmt_vcpu_run(struct kvmt_vcpu *vcpu)
{
	struct kvmt_ucall uc;
	int ret;

	kvmt_vm_finalize(vcpu->vm);
	do {
		ret = ioctl(vcpu->fd, KVM_RUN, NULL);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0)
		kvmt_die("KVM_RUN on vCPU %d: %s", vcpu->id, strerror(errno));
	if (!get_ucall(vcpu, &uc))
		kvmt_die("vCPU %d: unexpected exit: %s", vcpu->id,
			 kvmt_arch_exit_reason(vcpu));
	return uc;
}

static const char *ucall_name(uint64_t cmd)
{
	static const char *const names[] = {
		[UCALL_NONE] = "NONE",		 [UCALL_SYNC] = "SYNC",
		[UCALL_DONE] = "DONE",		 [UCALL_FAIL] = "FAIL",
		[UCALL_EXCEPTION] = "EXCEPTION",
	};

	return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "?";
}

struct kvmt_ucall kvmt_vcpu_run_expect(struct kvmt_vcpu *vcpu, uint64_t cmd)
{
	struct kvmt_ucall uc = kvmt_vcpu_run(vcpu);

	if (uc.cmd == cmd)
		return uc;
	switch (uc.cmd) {
	case UCALL_FAIL:
		kvmt_die("guest assertion failed at %s:%llu (values 0x%llx, "
			 "0x%llx)",
			 uc.file ? uc.file : "?",
			 (unsigned long long)uc.args[0],
			 (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);
	case UCALL_EXCEPTION:
		kvmt_die("guest exception: vector %llu ESR 0x%llx ELR 0x%llx "
			 "FAR 0x%llx",
			 (unsigned long long)uc.args[0],
			 (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2],
			 (unsigned long long)uc.args[3]);
	default:
		kvmt_die("expected ucall %s, got %s (arg 0x%llx)",
			 ucall_name(cmd), ucall_name(uc.cmd),
			 (unsigned long long)uc.args[0]);
	}
}
