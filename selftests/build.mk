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

LIB_SRCS := selftests/lib/tap.c selftests/lib/kvmt.c \
	    $(wildcard selftests/lib/$(ARCH)/*.c selftests/lib/$(ARCH)/*.S)
LIB_OBJS := $(patsubst selftests/%,$(OUT)/obj/%.o,$(LIB_SRCS))
TEST_SRCS := $(wildcard selftests/kvm/$(ARCH)/*.c)
TESTS := $(patsubst selftests/kvm/$(ARCH)/%.c,$(OUT)/tests/%,$(TEST_SRCS))
SCRIPTS := $(patsubst selftests/kvm/$(ARCH)/%,$(OUT)/tests/%,\
	     $(wildcard selftests/kvm/$(ARCH)/*.sh))
# BPF: objects for the target kernel, and libbpf programs linked static.
CLANG ?= clang-19
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -isystem $(KHDR) -I$(OUT)/inc
BPF_PROGS := $(patsubst selftests/bpf/progs/%.bpf.c,$(OUT)/tests/%.bpf.o,\
	       $(wildcard selftests/bpf/progs/*.bpf.c))
BPF_TESTS := $(patsubst selftests/bpf/%.c,$(OUT)/tests/%,$(wildcard selftests/bpf/*.c)) \
	     $(patsubst selftests/bpf/%,$(OUT)/tests/%,$(wildcard selftests/bpf/*.sh))
LIBBPF_LIBS := -l:libbpf.a -l:libelf.a -l:libz.a -l:libzstd.a

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

all: $(TESTS) $(SCRIPTS) $(DEMOS) $(GUEST_TOOLS) $(BPF_PROGS) $(BPF_TESTS)

$(KHDR)/linux/kvm.h:
	$(error no kernel headers in $(KHDR): run 'make kernel' first)

$(OUT)/obj/%.c.o: selftests/%.c $(KHDR)/linux/kvm.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

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
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# libbpf's headers live in /usr/include/bpf, which a cross compiler does
# not search; expose just that directory.
$(OUT)/inc/bpf:
	$(Q)mkdir -p $(@D) && ln -sfn /usr/include/bpf $@

$(OUT)/tests/%.bpf.o: selftests/bpf/progs/%.bpf.c $(OUT)/inc/bpf $(KHDR)/linux/kvm.h
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(OUT)/obj/bpf/%.c.o: selftests/bpf/%.c $(OUT)/inc/bpf $(KHDR)/linux/kvm.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/inc -MMD -MP -c -o $@ $<

$(OUT)/tests/%: $(OUT)/obj/bpf/%.c.o $(OUT)/libkvmt.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

$(OUT)/demo/%: $(OUT)/obj/demo/$(ARCH)/%.c.o $(OUT)/libkvmt.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

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
