# SPDX-License-Identifier: GPL-2.0
#
# Build vpmu-policyd and vpmuctl for one architecture, and (on the
# x86_64 build machine) the daemon's host unit tests, plain and with
# ASan+UBSan, and its libFuzzer targets:
#   make -f daemon/build.mk ARCH=arm64|x86_64 O=build [progs]
#
# From Debian packages only, no kernel tree: the engine and the VM
# iterator (bpf/build.mk) are embedded as objects (bpf_objects.S says why
# not as skeletons), and libbpf (libbpf-dev) and libsystemd are linked
# dynamically, as Debian's own packages link them.  libpfm4 is not
# linked: pfm.c dlopen()s it at the first "pfm:" name; its header
# (libpfm4-dev) is in /usr/include, which Debian's cross compiler searches
# too.  CPPFLAGS, CFLAGS and LDFLAGS (dpkg-buildflags) are honoured.

ARCH ?= x86_64
O ?= build
# One spelling of every path: the .d files name targets as the rules
# were given them, so a relative O after an absolute one (or the other
# way round) would lose every header dependency.
override O := $(abspath $(O))
OUT := $(O)/daemon/$(ARCH)
# debian/changelog's version, the one the package carries.
VERSION ?= $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)

ifeq ($(ARCH),arm64)
CC := aarch64-linux-gnu-gcc
PKG_LIBDIR := /usr/lib/aarch64-linux-gnu
else
CC := gcc
PKG_LIBDIR := /usr/lib/x86_64-linux-gnu
endif

CFLAGS ?= -O2 -g
DAEMON_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	  -Wno-format-truncation \
	  -D_GNU_SOURCE -DVPMU_VERSION='"$(VERSION)"' -Idaemon $(CPPFLAGS) $(CFLAGS)
LIBS := -L$(PKG_LIBDIR) -lbpf -lsystemd

# Everything but the two programs' mains and the engine's loader.
LIB_SRCS := json.c esc.c events.c diag.c schema.c policy.c config.c cgroup.c strmap.c \
	    u64map.c match.c tenant_index.c watch.c explain.c log.c pfm.c perms.c tenant_files.c \
	    presets.c metrics.c vm_status.c suggest.c suggest_preset.c
ENGINE_SRCS := engine.c bpf_objects.S policy_image.c key_form.c policy_maps.c
DAEMON_SRCS := policyd.c tenants.c vms.c records.c metrics_engine.c $(ENGINE_SRCS)
CTL_SRCS := vpmuctl.c ctl_status.c ctl_vms.c ctl_check.c ctl_explain.c ctl_match.c \
	    ctl_filters.c ctl_presets.c ctl_metrics.c ctl_audit.c ctl_suggest.c metrics_engine.c $(ENGINE_SRCS)

obj = $(patsubst %.S,$(OUT)/obj/%.o,$(patsubst %.c,$(OUT)/obj/%.o,$(1)))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2);
endif

PROGS := $(OUT)/vpmu-policyd $(OUT)/vpmuctl

# bpf/build.mk's rules must not become the default goal.
.DEFAULT_GOAL := all
include bpf/build.mk

# Host tests: selftests/daemon/test_*.c against the library sources.
ifeq ($(ARCH),x86_64)
TEST_SRCS := $(wildcard selftests/daemon/test_*.c)
# Not TESTS: `make check TESTS=...` sets that for the test runner.
HOST_TESTS := $(patsubst selftests/daemon/%.c,$(OUT)/tests/%,$(TEST_SRCS)) \
	 $(patsubst selftests/daemon/%.c,$(OUT)/tests-asan/%,$(TEST_SRCS))
FUZZ_SRCS := $(wildcard selftests/daemon/fuzz_*.c)
FUZZERS := $(patsubst selftests/daemon/%.c,$(OUT)/fuzz/%,$(FUZZ_SRCS))
TEST_LIB := $(addprefix daemon/,$(LIB_SRCS)) selftests/lib/tap.c
endif

all: $(PROGS) $(HOST_TESTS) $(FUZZERS)

# vpmu-policyd and vpmuctl alone (make daemon, the package).
progs: $(PROGS)

# The BPF objects alone (the selftests build makes skeletons of them).
shipped-bpf: $(SHIPPED_BPF)

# The fuzz targets alone: they need no kernel, BTF or skeleton.
fuzzers: $(FUZZERS)

$(OUT)/obj/%.o: daemon/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DAEMON_CFLAGS) -MMD -MP -c -o $@ $<

$(OUT)/obj/bpf_objects.o: daemon/bpf_objects.S $(SHIPPED_BPF)
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -c -o $@ $< \
		-DVPMU_ENGINE_OBJ='"$(abspath $(BPF_OUT)/vpmu_engine.bpf.o)"' \
		-DVPMU_VMS_OBJ='"$(abspath $(BPF_OUT)/vpmu_vms.bpf.o)"'

# The policy layout shared with the tests and the benchmark (lib/).
$(OUT)/obj/%.o: lib/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DAEMON_CFLAGS) -MMD -MP -c -o $@ $<

$(OUT)/vpmu-policyd: $(call obj,$(LIB_SRCS) $(DAEMON_SRCS))
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(OUT)/vpmuctl: $(call obj,$(LIB_SRCS) $(CTL_SRCS))
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

TEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	       -Wno-format-truncation \
	       -D_GNU_SOURCE -Idaemon
$(OUT)/tests/%: selftests/daemon/%.c $(TEST_LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB) -lsystemd

$(OUT)/tests-asan/%: selftests/daemon/%.c $(TEST_LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -o $@ $< $(TEST_LIB) -lsystemd

# libFuzzer: clang's runtime (clang-14 and libclang-rt-14-dev).
FUZZ_CC ?= clang-14
$(OUT)/fuzz/%: selftests/daemon/%.c $(TEST_LIB)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) -std=gnu11 -g -O1 -D_GNU_SOURCE -Idaemon \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(filter-out selftests/lib/tap.c daemon/log.c,$(TEST_LIB)) -lsystemd

.PHONY: all progs shipped-bpf fuzzers
.SECONDARY:
-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)
