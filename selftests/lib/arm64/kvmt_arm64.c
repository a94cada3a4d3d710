// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 part of kvmt: the identity-mapped test image as guest RAM, the
 * vGICv3, vCPU init with PMUv3 (and optionally EL2), PMU attributes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../tap.h"
#include "kvmt_arm64.h"

#define CORE_REG(x)                                            \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 KVM_REG_ARM_CORE_REG(x))

#define PSTATE_DAIF (0xfULL << 6)
#define PSTATE_EL1h 0x5ULL
#define PSTATE_EL2h 0x9ULL

extern char kvmt_guest_entry[];

static void set_dev_attr(int fd, uint32_t group, uint64_t attr, void *addr,
			 const char *what)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uintptr_t)addr,
	};

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		kvmt_die("%s: %s", what, strerror(errno));
}

static void create_vgic(struct kvmt_vm *vm)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = KVMT_GICD_BASE, redist = KVMT_GICR_BASE;

	kvmt_ioctl(vm->fd, KVM_CREATE_DEVICE, &dev);
	vm->irqchip_fd = dev.fd;
	set_dev_attr(vm->irqchip_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
		     "vGIC distributor address");
	set_dev_attr(vm->irqchip_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
		     "vGIC redistributor address");
}

void kvmt_arch_vm_init(struct kvmt_vm *vm)
{
	kvmt_map_image(vm);
	if (vm->mem_gpa + vm->mem_size > KVMT_GICD_BASE)
		kvmt_die("test image overlaps the vGIC");
	create_vgic(vm);
}

uint64_t kvmt_get_reg(struct kvmt_vcpu *vcpu, uint64_t id)
{
	uint64_t val;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	kvmt_ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg);
	return val;
}

void kvmt_set_reg(struct kvmt_vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	kvmt_ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg);
}

void kvmt_arch_vcpu_init(struct kvmt_vcpu *vcpu, void (*guest_fn)(uint64_t),
			 uint64_t arg, uint64_t stack_top)
{
	struct kvm_vcpu_init init = { 0 };
	bool el2 = vcpu->features & KVMT_VCPU_EL2;
	int irq = KVMT_PMU_IRQ;

	kvmt_ioctl(vcpu->vm->fd, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] = (uint32_t)vcpu->features;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		kvmt_die("KVM_ARM_VCPU_INIT with features 0x%llx: %s%s",
			 (unsigned long long)vcpu->features, strerror(errno),
			 el2 ? " (nested virt needs kvm-arm.mode=nested)" : "");

	kvmt_set_reg(vcpu, CORE_REG(regs.pc), (uintptr_t)kvmt_guest_entry);
	kvmt_set_reg(vcpu, CORE_REG(regs.regs[0]), (uintptr_t)guest_fn);
	kvmt_set_reg(vcpu, CORE_REG(regs.regs[1]), arg);
	kvmt_set_reg(vcpu, CORE_REG(regs.regs[2]), stack_top);
	kvmt_set_reg(vcpu, CORE_REG(regs.pstate),
		     PSTATE_DAIF | (el2 ? PSTATE_EL2h : PSTATE_EL1h));

	if (vcpu->features & KVMT_VCPU_PMU)
		set_dev_attr(vcpu->fd, KVM_ARM_VCPU_PMU_V3_CTRL,
			     KVM_ARM_VCPU_PMU_V3_IRQ, &irq, "PMU interrupt");
}

int kvmt_pmu_filter(struct kvmt_vcpu *vcpu, uint16_t base, uint16_t nevents,
		    uint8_t action)
{
	struct kvm_pmu_event_filter filter = {
		.base_event = base,
		.nevents = nevents,
		.action = action,
	};
	struct kvm_device_attr a = {
		.group = KVM_ARM_VCPU_PMU_V3_CTRL,
		.attr = KVM_ARM_VCPU_PMU_V3_FILTER,
		.addr = (uintptr_t)&filter,
	};

	return ioctl(vcpu->fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

void kvmt_arch_vm_finalize(struct kvmt_vm *vm)
{
	int i;

	set_dev_attr(vm->irqchip_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
		     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "vGIC init");
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->features & KVMT_VCPU_PMU)
			set_dev_attr(vm->vcpus[i]->fd, KVM_ARM_VCPU_PMU_V3_CTRL,
				     KVM_ARM_VCPU_PMU_V3_INIT, NULL,
				     "PMU init");
}

const char *kvmt_arch_exit_reason(struct kvmt_vcpu *vcpu)
{
	static char buf[160];
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		snprintf(buf, sizeof(buf), "MMIO %s at 0x%llx, %u bytes",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.len);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(buf, sizeof(buf), "system event %u",
			 run->system_event.type);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, sizeof(buf), "failed entry, reason 0x%llx",
			 (unsigned long long)
				 run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		snprintf(buf, sizeof(buf), "exit reason %u", run->exit_reason);
	}
	return buf;
}

void kvmt_require_el2(void)
{
	struct kvmt_vm *vm = kvmt_vm_create();

	if (!vm)
		tap_skip_all("cannot create a KVM VM (/dev/kvm)");
	if (!kvmt_has_cap(vm, KVM_CAP_ARM_EL2))
		tap_skip_all("KVM offers no nested virtualization (boot with kvm-arm.mode=nested on an FEAT_NV2 CPU)");
	kvmt_vm_free(vm);
}
