# SPDX-License-Identifier: GPL-2.0
#
# vpmu-policy: per-tenant BPF policy for KVM guest PMU events.
#
#   make deps       install build and test dependencies (Debian 12, root)
#   make daemon     vpmu-policyd and vpmuctl for this machine's arch, from
#                   Debian packages only (no kernel tree): build/daemon/ARCH
#   make deb        vpmu-policyd_VERSION_amd64.deb and _arm64.deb with
#                   debhelper, checked by lintian: build/deb/
#   make kernel     build the patched Linux 7.3 test kernels (arm64, x86_64)
#   make kernel-deb Debian packages of the patched kernel for a real host:
#                   KCONFIG=/boot/config-... (default: the running
#                   kernel's) + kernel/configs/vpmu-policy*.config, by
#                   the kernel's bindeb-pkg, into KDEB_OUT (default
#                   build/kernel-deb); ARCH=arm64 cross-builds;
#                   KDEB_LOCALVERSION (default -vpmu); hours on 2 cores
#   make kernel-deb-config  only the config stage of kernel-deb (seconds):
#                   merge, olddefconfig, check every option survived
#   make selftests  build the in-guest test binaries
#   make check      run every test; ends with "N passed, N failed, N skipped"
#   make demo       the main job: boot the arm64 kernel with vpmu-policyd and
#                   two tenant policies, run a guest per tenant, show the
#                   decisions
#   make install    vpmu-policyd, vpmuctl, unit, man pages (PREFIX, DESTDIR,
#                   ARCH=arm64 for the arm64 build; the package is `make deb`)
#   make stress     the stress and fault campaign (not part of make check):
#                   kill -9 of vpmu-policyd at random moments while guests
#                   count, VM create/destroy cycles, a guest flooding
#                   decisions (STRESS_KILLS, STRESS_CYCLES, STRESS_SEED)
#   make fuzz-long  10^6 inputs through each libFuzzer target (ASan+UBSan),
#                   some minutes; make check runs them for 20 s each
#   make bench      benchmarks (numbers, not tests): the engine's decision
#                   cost against KVM's filter in C; vpmu-policyd's latencies,
#                   load time and idle footprint
#   make bench-kernel  the series' cost in KVM: per hot function, stock 7.3
#                   vs patched instructions (objdump, both arches); arm64
#                   L1 kernel instructions per KVM_RUN and per PMEVTYPER
#                   write under -icount, stock vs patched (nothing attached,
#                   allow-all, engine at 300 rules); builds stock kernels
#
# O=DIR puts build outputs in DIR (default: build/).  KSRC=DIR builds from
# your own Linux 7.3 tree instead of Debian's linux-source-7.3.  V=1 shows
# full compiler command lines.  TESTS="a b" limits make check to the
# named tests.  VPMU_CACHE=DIR moves the download and kernel cache
# (default: /var/cache/vpmu-policy).

O ?= build
override O := $(abspath $(O))
export O KSRC VPMU_CACHE V

ARCHES := arm64 x86_64
HOST_ARCH := $(subst aarch64,arm64,$(shell uname -m))
SHELL := /bin/bash

.PHONY: all deps deps-daemon deps-deb bpf deb daemon-tests source kernel $(addprefix kernel-,$(ARCHES)) selftests \
	kernel-deb kernel-deb-config \
	$(addprefix libbpf-,$(ARCHES)) $(addprefix intree-,$(ARCHES)) \
	$(addprefix selftests-,$(ARCHES)) $(addprefix daemon-,$(ARCHES)) \
	daemon check stress fuzz-long demo bench bench-kernel install install-test-arm64 \
	clean help

all: kernel selftests

help:
	@sed -n 's/^#   //p' Makefile

deps:
	@scripts/deps.sh

# What make daemon and make deb need, without the test kernels' tools.
deps-daemon:
	@scripts/deps.sh --daemon

deps-deb:
	@scripts/deps.sh --deb

source: deps
	@scripts/linux-source.sh >/dev/null

kernel: $(addprefix kernel-,$(ARCHES))

# build-kernel.sh is a no-op for an unchanged tree; it prints the cached
# result directory, which $(O)/kernel-ARCH points to.
$(addprefix kernel-,$(ARCHES)): kernel-%: deps
	@mkdir -p $(O)
	@dir=$$(scripts/build-kernel.sh $*) && ln -sfn "$$dir" $(O)/kernel-$*

# Packages for a real host.  No `deps`: on a host only the kernel's own
# build dependencies are needed (scripts/kernel-deb.sh names any missing).
KCONFIG ?= $(if $(filter $(ARCH),$(HOST_ARCH)),$(wildcard /boot/config-$(shell uname -r)))
KDEB_OUT ?= $(O)/kernel-deb
KDEB_LOCALVERSION ?= -vpmu
kernel-deb kernel-deb-config:
	@scripts/kernel-deb.sh --arch $(ARCH) --config "$(KCONFIG)" --out "$(KDEB_OUT)" \
		--localversion "$(KDEB_LOCALVERSION)" $(if $(filter %-config,$@),--config-only)

selftests: $(addprefix selftests-,$(ARCHES))

$(addprefix libbpf-,$(ARCHES)): libbpf-%: deps
	@mkdir -p $(O)
	@dir=$$(scripts/build-libbpf.sh $*) && ln -sfn "$$dir" $(O)/libbpf-$*

# The series' own selftests (tools/testing/selftests), built from the
# patched tree; cached like the kernels.
$(addprefix intree-,$(ARCHES)): intree-%: kernel-%
	@dir=$$(scripts/build-intree-tests.sh $* $(O)/kernel-$*) && ln -sfn "$$dir" $(O)/intree-$*

# The BPF objects the daemon ships (bpf/build.mk), built once before the
# per-arch builds that use them, so that two of those never race on them.
bpf: deps-daemon
	@$(MAKE) --no-print-directory -f daemon/build.mk O=$(O) shipped-bpf

$(addprefix selftests-,$(ARCHES)): selftests-%: kernel-% libbpf-% intree-% bpf
	@$(MAKE) --no-print-directory -f selftests/build.mk ARCH=$* O=$(O)

daemon: daemon-$(HOST_ARCH)

# vpmu-policyd and vpmuctl: Debian's libbpf and libsystemd, the engine
# embedded; no kernel tree (daemon/build.mk).
$(addprefix daemon-,$(ARCHES)): daemon-%: deps-daemon bpf
	@$(MAKE) --no-print-directory -f daemon/build.mk ARCH=$* O=$(O) progs

# The daemon's host unit tests (plain, ASan+UBSan) and fuzzers; after
# daemon-x86_64, whose objects the same sub-make builds.
daemon-tests: deps daemon-x86_64
	@$(MAKE) --no-print-directory -f daemon/build.mk ARCH=x86_64 O=$(O) all

deb: deps-deb
	@scripts/build-deb.sh

# What the systemd end-to-end tests add to their guest: the arm64 package
# (the tests install it with dpkg) and the test VM program.
install-test-arm64: deb selftests-arm64
	@rm -rf $(O)/install-arm64
	@install -D -m 0644 $(O)/deb/vpmu-policyd_*_arm64.deb -t \
		$(O)/install-arm64/usr/local/lib/vpmu-test/
	@install -D -m 0755 $(O)/selftests/arm64/tests/tools/vm_count \
		$(O)/install-arm64/usr/local/lib/vpmu-test/vm_count

check: deps kernel selftests $(addprefix daemon-,$(ARCHES)) daemon-tests install-test-arm64
	@selftests/run.sh $(if $(TESTS),--only "$(TESTS)")

# Stress suites (selftests/vm/suites/*.stress) only; make check skips them.
stress: deps kernel-arm64 selftests-arm64 daemon-arm64
	@selftests/run.sh --stress

# The fuzzers are built as for make check, but alone: no kernel needed.
FUZZ_RUNS ?= 1000000
fuzz-long: deps bpf
	@$(MAKE) --no-print-directory -f daemon/build.mk ARCH=x86_64 O=$(O) fuzzers
	@rc=0; for f in $(O)/daemon/x86_64/fuzz/fuzz_*; do \
		FUZZ_RUNS=$(FUZZ_RUNS) selftests/daemon/fuzz-short.sh "$$f" || rc=1; \
	done; exit $$rc

demo: deps kernel-arm64 selftests-arm64 daemon-arm64
	@scripts/demo.sh

# Benchmarks print numbers; they are not tests.
bench: selftests-x86_64 daemon-arm64
	@$(O)/selftests/x86_64/bench/decide_bench
	@scripts/bench-daemon.sh

bench-kernel: deps selftests-arm64
	@scripts/bench-kernel.sh

# make install [ARCH=arm64] [PREFIX=/usr/local] [DESTDIR=...]: the daemon,
# vpmuctl, the unit, tmpfiles.d, man pages and examples.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
ARCH ?= $(HOST_ARCH)
SBINDIR := $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MANDIR := $(PREFIX)/share/man
DOCDIR := $(PREFIX)/share/doc/vpmu-policy

install: daemon-$(ARCH)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR)/examples/tenants.d \
		$(DESTDIR)$(SYSCONFDIR)/vpmu-policyd/tenants.d
	install -m 0755 $(O)/daemon/$(ARCH)/vpmu-policyd $(O)/daemon/$(ARCH)/vpmuctl \
		$(DESTDIR)$(SBINDIR)/
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/vpmu-policyd.service.in \
		>$(DESTDIR)$(UNITDIR)/vpmu-policyd.service
	install -m 0644 systemd/vpmu-policyd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/vpmu-policyd.conf
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 examples/vpmu-policyd.json examples/README.md $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 examples/tenants.d/*.json $(DESTDIR)$(DOCDIR)/examples/tenants.d/

clean:
	rm -rf $(O)
