# SPDX-License-Identifier: GPL-2.0
#
# Build the in-guest test binaries for one architecture:
#   make -f selftests/build.mk ARCH=arm64|x86_64 O=build KHDR=.../include
#
# Everything is linked static and non-PIE: the binaries run from a busybox
# initramfs, and kvmt maps the test image into its guests at the image's
# own addresses.

ARCH ?= arm64
O ?= build
# One spelling of every path: the .d files name targets as the rules
# were given them, so a relative O after an absolute one (or the other
# way round) would lose every header dependency.
override O := $(abspath $(O))
KHDR ?= $(O)/kernel-$(ARCH)/headers/include
OUT := $(O)/selftests/$(ARCH)

ifeq ($(ARCH),arm64)
CC := aarch64-linux-gnu-gcc
AR := aarch64-linux-gnu-ar
# Guest code runs with the MMU off (Device memory: no unaligned access)
# and with FP/SIMD trapped (CPACR_EL1 at reset).
ARCH_CFLAGS := -mstrict-align -mgeneral-regs-only
else ifeq ($(ARCH),x86_64)
CC := gcc
AR := ar
# Guest code runs without SSE enabled and without interrupts.
ARCH_CFLAGS := -mgeneral-regs-only -mno-red-zone
else
$(error ARCH must be arm64 or x86_64)
endif

CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-pie \
	  -fno-stack-protector -fno-tree-loop-distribute-patterns \
	  -fno-asynchronous-unwind-tables \
	  -isystem $(KHDR) -Iselftests $(ARCH_CFLAGS)
LDFLAGS := -static -no-pie

LIB_SRCS := selftests/lib/tap.c selftests/lib/kvmt.c selftests/lib/libbpf_tap.c \
	    selftests/lib/policy_test.c selftests/lib/decide_prog.c \
	    $(wildcard selftests/lib/$(ARCH)/*.c selftests/lib/$(ARCH)/*.S)
# The daemon's policy layout (lib/): tests load policies as it does.
SHARED_SRCS := lib/policy_image.c lib/key_form.c lib/policy_maps.c
LIB_OBJS := $(patsubst selftests/%,$(OUT)/obj/%.o,$(LIB_SRCS)) \
	    $(patsubst lib/%,$(OUT)/obj/shared/%.o,$(SHARED_SRCS))
TEST_SRCS := $(wildcard selftests/kvm/$(ARCH)/*.c)
# Not TESTS: `make check TESTS=...` sets that for the test runner.
KVM_TESTS := $(patsubst selftests/kvm/$(ARCH)/%.c,$(OUT)/tests/%,$(TEST_SRCS))
SCRIPTS := $(patsubst selftests/kvm/$(ARCH)/%,$(OUT)/tests/%,\
	     $(wildcard selftests/kvm/$(ARCH)/*.sh))
# BPF: objects for the target kernel, and libbpf programs linked static.
# Objects under selftests/bpf/progs are built for every arch, those under
# selftests/kvm/ARCH/progs for that arch; a test includes the skeleton of
# any of them as NAME.skel.h.  vmlinux.h comes from the test kernel's BTF.
# The engine and the VM iterator are the objects the daemon ships
# (bpf/build.mk, no vmlinux.h): the tests load exactly those.
CLANG ?= clang-19
BPFTOOL ?= bpftool
KDIR ?= $(O)/kernel-$(ARCH)
BPF_ARCH := $(if $(filter x86_64,$(ARCH)),x86,$(ARCH))
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Wno-missing-declarations \
	      -D__TARGET_ARCH_$(BPF_ARCH) \
	      -isystem $(KHDR) -I$(OUT)/inc
BPF_SRCS := $(wildcard selftests/bpf/progs/*.bpf.c selftests/kvm/$(ARCH)/progs/*.bpf.c \
	      bpf/examples/*.bpf.c bpf/tests/*.bpf.c)
BPF_PROGS := $(patsubst %.bpf.c,$(OUT)/tests/%.bpf.o,$(notdir $(BPF_SRCS)))
SKELS := $(patsubst %.bpf.c,$(OUT)/inc/%.skel.h,$(notdir $(BPF_SRCS) $(wildcard bpf/*.bpf.c)))
vpath %.bpf.c selftests/bpf/progs selftests/kvm/$(ARCH)/progs bpf/tests bpf/examples
BPF_TESTS := $(patsubst selftests/bpf/%.c,$(OUT)/tests/%,$(wildcard selftests/bpf/*.c)) \
	     $(patsubst selftests/bpf/%,$(OUT)/tests/%,$(wildcard selftests/bpf/*.sh))
# libbpf from the 7.3 tree (scripts/build-libbpf.sh), linked static.
LIBBPF ?= $(O)/libbpf-$(ARCH)
LIBBPF_LIBS := $(LIBBPF)/lib64/libbpf.a -l:libelf.a -l:libz.a -l:libzstd.a

# Host unit tests in C (run on the build machine, so only for its arch).
ifeq ($(ARCH),x86_64)
UNIT_SRCS := $(wildcard selftests/unit/*.c)
endif
UNITS := $(patsubst selftests/unit/%.c,$(OUT)/unit/%,$(UNIT_SRCS))
ifeq ($(ARCH),x86_64)
BENCH_SRCS := $(wildcard bench/*.c)
endif
BENCHES := $(patsubst bench/%.c,$(OUT)/bench/%,$(BENCH_SRCS))

# Tools the tests run (not tests themselves): /tests/tools in the guest.
TOOL_SRCS := $(wildcard selftests/tools/$(ARCH)/*.c)
TOOLS := $(patsubst selftests/tools/$(ARCH)/%.c,$(OUT)/tests/tools/%,$(TOOL_SRCS))

# The series' in-tree selftests (scripts/build-intree-tests.sh), under
# /tests/intree in the guest, run through ksft-wrap.sh.
INTREE ?= $(O)/intree-$(ARCH)
INTREE_FILES := $(OUT)/tests/intree/ksft-wrap.sh $(OUT)/tests/intree/kvm/pmu_policy_test \
		$(OUT)/tests/intree/bpf/test_progs

DEMO_SRCS := $(wildcard selftests/demo/$(ARCH)/*.c)
DEMOS := $(patsubst selftests/demo/$(ARCH)/%.c,$(OUT)/demo/%,$(DEMO_SRCS))
GUEST_TOOLS := $(OUT)/bin/harness-exit

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2);
endif

all: $(INTREE_FILES) $(KVM_TESTS) $(TOOLS) $(SCRIPTS) $(DEMOS) $(GUEST_TOOLS) $(BPF_PROGS) $(BPF_TESTS) $(UNITS) $(BENCHES)

$(OUT)/tests/intree/ksft-wrap.sh: selftests/intree/ksft-wrap.sh
	$(Q)install -D -m 0755 $< $@

$(OUT)/tests/intree/%: $(INTREE)/%
	$(call msg,COPY,$@)
	$(Q)install -D -m 0755 $< $@

$(KHDR)/linux/kvm.h:
	$(error no kernel headers in $(KHDR): run 'make kernel' first)

$(OUT)/obj/%.c.o: selftests/%.c $(KHDR)/linux/kvm.h $(SKELS) $(OUT)/inc/bpf
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/inc -MMD -MP -c -o $@ $<

$(OUT)/obj/shared/%.c.o: lib/%.c $(OUT)/inc/bpf
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/inc -MMD -MP -c -o $@ $<

$(OUT)/obj/%.S.o: selftests/%.S
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/libkvmt.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUT)/tests/%: $(OUT)/obj/kvm/$(ARCH)/%.c.o $(OUT)/libkvmt.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

# Expose just libbpf's headers (not all of its include directory).
$(OUT)/inc/bpf: $(LIBBPF)/include/bpf/libbpf.h
	$(Q)mkdir -p $(@D) && ln -sfn $(abspath $(LIBBPF))/include/bpf $@

# x86 KVM is a module: its types (kvm_pmu_policy_ops among them) are in
# kvm.ko's BTF, split from vmlinux's; dumping it with vmlinux as the base
# gives both.
ifeq ($(ARCH),x86_64)
BTF_SRC = $(shell find -L $(KDIR)/modules -name kvm.ko | head -1)
BTF_BASE := -B $(KDIR)/vmlinux
else
BTF_SRC := $(KDIR)/vmlinux
BTF_BASE :=
endif

$(OUT)/inc/vmlinux.h: $(KDIR)/vmlinux
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) $(BTF_BASE) btf dump file $(BTF_SRC) format c >$@.tmp && mv $@.tmp $@

$(OUT)/tests/%.bpf.o: %.bpf.c $(OUT)/inc/bpf $(OUT)/inc/vmlinux.h $(KHDR)/linux/kvm.h
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) $(OUT)/obj
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(OUT)/obj/$(notdir $@).d -c -o $@ $<

define gen_skel
	$(call msg,SKEL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name $* >$@.tmp && mv $@.tmp $@
endef

$(OUT)/inc/%.skel.h: $(OUT)/tests/%.bpf.o
	$(gen_skel)

include bpf/build.mk

$(patsubst $(BPF_OUT)/%.bpf.o,$(OUT)/inc/%.skel.h,$(SHIPPED_BPF)): $(OUT)/inc/%.skel.h: $(BPF_OUT)/%.bpf.o
	$(gen_skel)

$(OUT)/tests/%: $(OUT)/obj/bpf/%.c.o $(OUT)/libkvmt.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

$(OUT)/unit/%: $(OUT)/obj/unit/%.c.o $(OUT)/libkvmt.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

# Benchmarks run on the host: built without the guest-code flags.
$(OUT)/bench/%: bench/%.c $(SHARED_SRCS) $(SKELS) $(OUT)/inc/bpf
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -isystem $(KHDR) -I$(OUT)/inc \
		-o $@ $< $(SHARED_SRCS) $(LIBBPF_LIBS)

$(OUT)/tests/tools/%: $(OUT)/obj/tools/$(ARCH)/%.c.o $(OUT)/libkvmt.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

$(OUT)/demo/%: $(OUT)/obj/demo/$(ARCH)/%.c.o $(OUT)/libkvmt.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

$(OUT)/tests/%.sh: selftests/kvm/$(ARCH)/%.sh
	$(Q)mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(OUT)/tests/%.sh: selftests/bpf/%.sh
	$(Q)mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(OUT)/bin/harness-exit: $(OUT)/obj/vm/guest/harness_exit.c.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

.PHONY: all
.SECONDARY:
-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)
