# SPDX-License-Identifier: GPL-2.0
#
# Build tools/testing/selftests/bpf's test_progs runner with only the
# series' tests in it (prog_tests/kvm_pmu_policy.c and the progs it
# includes), from the patched tree's own sources: the runner, its helpers
# and test_loader (RUN_TESTS), libbpf and bpftool.  The whole selftests/bpf
# build compiles hundreds of programs and kernel modules this job does not
# need; the runner and the tests are the same.
#
#   make -f selftests/intree/test_progs.mk TREE=... ARCH=arm64|x86 \
#	CROSS_COMPILE=... OUT=... KHDR=... VMLINUX_BTF=... [KVM_BTF=...] \
#	BPFTOOL=... CLANG=...
#
# Linked static: the test initramfs has no shared libraries.

BPFSRC := $(TREE)/tools/testing/selftests/bpf
TESTS ?= kvm_pmu_policy
CC := $(CROSS_COMPILE)gcc

TEST_SRCS := $(addprefix $(BPFSRC)/prog_tests/,$(addsuffix .c,$(TESTS)))
# The BPF objects a test includes the skeletons of: NAME.skel.h.
PROGS := $(sort $(foreach t,$(TEST_SRCS),$(shell sed -n 's/^\#include "\(.*\)\.skel\.h"/\1/p' $(t))))

RUNNER_SRCS := test_progs.c cgroup_helpers.c trace_helpers.c \
	       network_helpers.c testing_helpers.c btf_helpers.c \
	       cap_helpers.c unpriv_helpers.c sysctl_helpers.c \
	       netlink_helpers.c jit_disasm_helpers.c io_helpers.c \
	       test_loader.c disasm.c disasm_helpers.c json_writer.c \
	       bpftool_helpers.c
RUNNER_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(RUNNER_SRCS)) \
	       $(patsubst %,$(OUT)/obj/prog_tests/%.o,$(TESTS))

LIBBPF := $(OUT)/libbpf/libbpf.a
INC := $(OUT)/include

CFLAGS := -g -O0 -D_GNU_SOURCE= -std=gnu11 -Wall -Werror -fno-omit-frame-pointer \
	  -Wno-unused-but-set-variable \
	  -I$(BPFSRC) -I$(INC) -I$(TREE)/tools/lib \
	  -I$(TREE)/tools/include -I$(TREE)/tools/arch/$(ARCH)/include \
	  -I$(TREE)/tools/include/uapi -I$(OUT) -isystem $(KHDR)
LDLIBS := $(LIBBPF) -lelf -lz -lzstd -lrt -lpthread

BPF_CFLAGS := -g -O2 -Wall -Werror -D__TARGET_ARCH_$(ARCH) -mlittle-endian \
	      -I$(INC) -I$(BPFSRC) -I$(TREE)/tools/include/uapi \
	      -I$(TREE)/tools/include -std=gnu11 -fno-strict-aliasing \
	      -Wno-microsoft-anon-tag -fms-extensions \
	      -Wno-compare-distinct-pointer-types

all: $(OUT)/test_progs

$(LIBBPF):
	@mkdir -p $(OUT)/libbpf
	$(MAKE) -C $(TREE)/tools/lib/bpf OUTPUT=$(OUT)/libbpf/ \
		CROSS_COMPILE=$(CROSS_COMPILE) DESTDIR=$(OUT) prefix= \
		$(LIBBPF) install_headers

$(INC)/vmlinux.h: $(VMLINUX_BTF) | $(LIBBPF)
	$(BPFTOOL) $(if $(KVM_BTF),-B $(VMLINUX_BTF)) btf dump file \
		$(or $(KVM_BTF),$(VMLINUX_BTF)) format c > $@

$(OUT)/%.bpf.o: $(BPFSRC)/progs/%.c $(INC)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -O2 --target=bpf -mcpu=v3 -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen object $(@:.skel.h=.linked.o) $<
	$(BPFTOOL) gen skeleton $(@:.skel.h=.linked.o) name $* > $@

# What test_progs.c includes: the tests it runs, and the certificate it
# registers for signed loaders (generated the way selftests/bpf does).
$(OUT)/prog_tests/tests.h: $(TEST_SRCS)
	@mkdir -p $(@D)
	(echo '/* Generated header, do not edit */'; \
	 sed -n -E 's/^void (serial_)?test_([a-zA-Z0-9_]+)\((void)?\).*/DEFINE_TEST(\2)/p' $^) > $@

$(OUT)/signing_key.der:
	$(BPFSRC)/verify_sig_setup.sh genkey $(OUT) >/dev/null

$(OUT)/verification_cert.h: $(OUT)/signing_key.der
	(echo "unsigned char test_progs_verification_cert[] = {"; \
	 od -v -t 'xC' -w12 $< | sed 's/ \(\S\+\)/ 0x\1,/g;s/^\S\+/ /;$$d'; \
	 echo "};"; \
	 echo "unsigned int test_progs_verification_cert_len = $$(wc -c < $<);") > $@

$(OUT)/obj/%.o: $(BPFSRC)/%.c $(OUT)/prog_tests/tests.h $(OUT)/verification_cert.h \
		$(patsubst %,$(OUT)/%.skel.h,$(PROGS)) | $(LIBBPF)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/test_progs: $(RUNNER_OBJS) $(LIBBPF)
	$(CC) -static $(CFLAGS) $(RUNNER_OBJS) $(LDLIBS) -o $@

.SECONDARY:
