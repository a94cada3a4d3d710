/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 host-side helpers for kvmt tests: vCPU features, one-reg access,
 * and the PMUv3 device attributes.
 */
#ifndef VPMU_KVMT_ARM64_H
#define VPMU_KVMT_ARM64_H

#include <stdbool.h>
#include <stdint.h>

#include "../kvmt.h"

/* Guest physical layout, clear of the test image at 0x400000. */
#define KVMT_GICD_BASE 0x08000000ULL
#define KVMT_GICR_BASE 0x080a0000ULL
#define KVMT_PMU_IRQ   23 /* PPI, as on QEMU's virt board */

#define KVMT_VCPU_PMU (1ULL << KVM_ARM_VCPU_PMU_V3)
#define KVMT_VCPU_EL2 (1ULL << KVM_ARM_VCPU_HAS_EL2)

uint64_t kvmt_get_reg(struct kvmt_vcpu *vcpu, uint64_t id);
void kvmt_set_reg(struct kvmt_vcpu *vcpu, uint64_t id, uint64_t val);

/*
 * Install a KVM_ARM_VCPU_PMU_V3_FILTER range on @vcpu (the filter is
 * VM-wide).  Must come before the VM is finalized.  Returns 0 or -errno.
 */
int kvmt_pmu_filter(struct kvmt_vcpu *vcpu, uint16_t base, uint16_t nevents,
		    uint8_t action);

/*
 * End the test as skipped (TAP "1..0 # SKIP") unless KVM can create a VM
 * whose vCPUs have EL2 (nested virtualization, kvm-arm.mode=nested).
 */
void kvmt_require_el2(void);

#endif /* VPMU_KVMT_ARM64_H */
