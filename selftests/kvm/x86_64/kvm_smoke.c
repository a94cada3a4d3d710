// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_smoke: the x86_64 KVM modules load and run a guest to known exits.
 *
 * Under QEMU TCG the host CPU offers SVM with nested paging, so this runs
 * through kvm_amd: a 64-bit guest computes a value the host can check,
 * pauses with a ucall, is resumed, and finishes.  It is the x86 proof
 * that the harness boots our kernel, loads kvm.ko + a vendor module and
 * runs real guests.
 */
#include <string.h>
#include <unistd.h>

#include "../../lib/x86_64/kvmt_x86_64.h"
#include "../../lib/guest.h"
#include "../../lib/tap.h"

static uint64_t guest_sum;
static uint64_t guest_resumed;

static void guest_main(uint64_t n)
{
	uint64_t i, sum = 0;

	for (i = 1; i <= n; i++)
		sum += i;
	guest_sum = sum;
	GUEST_SYNC(1);
	guest_resumed = 1;
}

static const char *vendor_module(void)
{
	if (access("/sys/module/kvm_amd", F_OK) == 0)
		return "kvm_amd";
	if (access("/sys/module/kvm_intel", F_OK) == 0)
		return "kvm_intel";
	return NULL;
}

int main(void)
{
	struct kvmt_ucall uc;
	struct kvmt_vcpu *vcpu;
	struct kvmt_vm *vm;
	const char *mod;

	tap_plan(6);
	tap_check(access("/sys/module/kvm", F_OK) == 0, "kvm.ko is loaded");
	mod = vendor_module();
	if (!tap_check(mod != NULL,
		       "a vendor module (kvm_amd or kvm_intel) is loaded"))
		tap_bail("no KVM vendor module");
	tap_diag("vendor module: %s", mod);

	vm = kvmt_vm_create();
	if (!tap_check(vm != NULL, "KVM_CREATE_VM works"))
		tap_bail("cannot create a VM");
	vcpu = kvmt_vcpu_add(vm, 0, guest_main, 1000);
	uc = kvmt_vcpu_run(vcpu);
	tap_check(uc.cmd == UCALL_SYNC && uc.args[0] == 1,
		  "the guest reaches its first ucall (SYNC 1)");
	TAP_CHECK_EQ(KVMT_GUEST(vm, guest_sum), 500500,
		     "the guest computed sum(1..1000) in its own memory");
	kvmt_vcpu_run_expect(vcpu, UCALL_DONE);
	TAP_CHECK_EQ(KVMT_GUEST(vm, guest_resumed), 1,
		     "the resumed guest runs to completion (DONE)");
	kvmt_vm_free(vm);
	return tap_finish();
}
