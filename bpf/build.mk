# SPDX-License-Identifier: GPL-2.0
#
# The BPF objects vpmu-policyd ships, the engine and the VM iterator,
# built from Debian's packages alone (clang, libbpf-dev's bpf/*.h,
# linux-libc-dev's uapi headers) against bpf/lib/kernel_types.h, not a
# kernel's vmlinux.h: CO-RE moves their accesses to the running kernel's
# layout when the daemon loads them.  Included by daemon/build.mk (which
# embeds them) and selftests/build.mk (which makes the tests' skeletons
# of the same objects), so the guest tests run the engine the daemon
# ships.  The including makefile sets O, Q and msg.
#
# One object for every arch: they read no pt_regs, so no __TARGET_ARCH,
# and the only arch header they include, asm/types.h, is the same on
# every Linux arch (the build machine's is used; -target bpf does not
# search a multiarch directory).  -target bpf is the build machine's byte
# order: little-endian on amd64 and arm64.

BPF_OUT := $(O)/bpf
SHIPPED_BPF := $(BPF_OUT)/vpmu_engine.bpf.o $(BPF_OUT)/vpmu_vms.bpf.o
CLANG ?= clang-19
LLVM_STRIP ?= llvm-strip-19
BPF_BUILD_MULTIARCH := $(shell dpkg-architecture -qDEB_BUILD_MULTIARCH 2>/dev/null || \
			gcc -print-multiarch)
SHIPPED_BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Wno-missing-declarations \
		      -idirafter /usr/include/$(BPF_BUILD_MULTIARCH)

# -g for BTF; the DWARF is then stripped (the object is embedded as is).
# Written under a temporary name: `make -j` may run two sub-makes that
# both need it.
$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SHIPPED_BPF_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c -o $@.$$$$ $< && \
		$(LLVM_STRIP) -g $@.$$$$ && mv $@.$$$$ $@

-include $(wildcard $(BPF_OUT)/*.d)
