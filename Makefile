# fscrypt-provision — see README.md. `make` builds the static helper,
# `make check` runs every test, `make install` honours DESTDIR and PREFIX.

VERSION    := 0.1.0
PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DRACUTDIR  ?= $(PREFIX)/lib/dracut/modules.d
HOOKDIR    ?= $(PREFIX)/lib/fscrypt-provision/hooks
LIBEXECDIR ?= $(PREFIX)/lib/fscrypt-provision
DOCDIR     ?= $(PREFIX)/share/doc/fscrypt-provision
GENERATORDIR ?= $(PREFIX)/lib/systemd/system-generators
ITOOLSDIR  ?= $(PREFIX)/share/initramfs-tools
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=
# install strips; packaging sets it empty and strips on its own (-dbgsym).
INSTALL_STRIP ?= -s

CC         ?= gcc

# ARCH: the Debian architecture to build for, by dpkg's name: this
# machine's (the default), or arm64 or armhf with Debian's cross
# toolchains and multiarch libraries (`make deps-cross`; README, "Other
# architectures"). A cross build goes to build/ARCH/, has no TPM
# companion (the TSS is shared libraries only), and its unit tests are
# static so that qemu-user runs them.
HOST_ARCH  := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
ARCH       ?= $(HOST_ARCH)
CROSS_ARCHES := arm64 armhf
# Control-flow protection: CET on x86-64, PAC and BTI on arm64.
ARCH_HARDEN_amd64 := -fcf-protection
ARCH_HARDEN_arm64 := -mbranch-protection=standard
ifeq ($(ARCH),$(HOST_ARCH))
B          := build
CROSS      :=
else
B          := build/$(ARCH)
CROSS      := 1
# The GNU triplet, from dpkg (dpkg-dev): aarch64-linux-gnu for arm64...
TRIPLET    := $(shell dpkg-architecture -a$(ARCH) -qDEB_HOST_GNU_TYPE 2>/dev/null)
ifeq ($(TRIPLET),)
$(error ARCH=$(ARCH): dpkg-architecture knows no such Debian architecture, or is missing (make deps-cross); arm64 and armhf are tested)
endif
ifeq ($(origin CC),default)
CC         := $(TRIPLET)-gcc
endif
endif

WARN       := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
              -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wpointer-arith
HARDEN     := -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
              -fstack-clash-protection $(ARCH_HARDEN_$(ARCH)) -fPIE
CPPFLAGS   += -DFSP_VERSION='"$(VERSION)"' -DFSP_LIBEXECDIR='"$(LIBEXECDIR)"'
CFLAGS     ?= -O2 -g
LIBS       := -l:libkeyutils.a -l:libsodium.a
# static-pie keeps ASLR; tests/host/test_static.sh checks that the result
# has no PT_INTERP and no DT_NEEDED.
# LINK_HARDEN: both static builds' link flags (glibc here, musl in small).
# Debian's glibc has no static-PIE start file (rcrt1.o) on every
# architecture (not on Debian 12's armhf): there the glibc build is static
# and not PIE; `make small` is static-PIE on each.
LINK_HARDEN    := -Wl,-z,relro,-z,now,-z,noexecstack -Wl,--gc-sections
STATIC_PIE     := $(if $(filter /%,$(shell $(CC) -print-file-name=rcrt1.o 2>/dev/null)),-static-pie,-static)
STATIC_LDFLAGS := $(STATIC_PIE) $(LINK_HARDEN)

# src/ holds one folder per layer and one per program (docs/design.md);
# includes name the folder, from src/.
CPPFLAGS += -Isrc
COMPANION_DIR := src/fscrypt-provision-tpm2
P11_DIR := src/fscrypt-provision-pkcs11
SRCS := $(filter-out $(COMPANION_DIR)/% $(P11_DIR)/%,$(wildcard src/*/*.c))
LIB_SRCS := $(filter-out src/fscrypt-provision/main.c,$(SRCS))
HDRS := $(filter-out $(COMPANION_DIR)/% $(P11_DIR)/%,$(wildcard src/*/*.h))

.PHONY: unit-objs all small cover-build install-small check check-build cross-build fuzz deps deps-demo deps-build deps-small deps-cross unit-test host-test guide-test qemu-test format \
        format-check install uninstall install-paths debian-install-lists clean bench bench-boot demo demo-host

# The TPM companion (src/shared/companion_protocol.h): linked with the
# TSS, which Debian ships as shared libraries only. It links only its own
# folder, the protocol header, read_full.c and hex.c.
COMPANION := fscrypt-provision-tpm2
COMPANION_SRCS := $(wildcard $(COMPANION_DIR)/*.c) src/basic/read_full.c src/basic/hex.c
COMPANION_HDRS := $(wildcard $(COMPANION_DIR)/*.h) \
                  src/shared/companion_protocol.h src/basic/read_full.h src/basic/hex.h
TSS_LIBS := -ltss2-esys -ltss2-mu -ltss2-rc -ltss2-tctildr

# The PKCS#11 companion (src/shared/pkcs11_protocol.h): on p11-kit, which
# loads a token's module with dlopen. The same rules as the TPM's.
P11_COMPANION := fscrypt-provision-pkcs11
P11_SRCS := $(wildcard $(P11_DIR)/*.c) src/basic/read_full.c src/basic/hex.c
P11_HDRS := $(wildcard $(P11_DIR)/*.h) \
            src/shared/pkcs11_protocol.h src/basic/read_full.h src/basic/hex.h
P11_CFLAGS = $(shell pkg-config --cflags p11-kit-1)
P11_LIBS = $(shell pkg-config --libs p11-kit-1)

# The boot steps that every generator puts in the image (initramfs/).
BOOT_STEPS := fscrypt-provision-lib.sh

# What each build of the helper gets beside it (a cross build: no
# companion).
BESIDE = $(B)/$(1)$(BOOT_STEPS) $(if $(CROSS),,$(B)/$(1)$(COMPANION) $(B)/$(1)$(P11_COMPANION))

all: $(B)/fscrypt-provision $(call BESIDE,)

$(B)/$(COMPANION): $(COMPANION_SRCS) $(COMPANION_HDRS) Makefile
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(HARDEN) $(COMPANION_SRCS) -o $@ \
	    -pie -Wl,-z,relro,-z,now,-z,noexecstack $(TSS_LIBS)

$(B)/$(P11_COMPANION): $(P11_SRCS) $(P11_HDRS) Makefile
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(P11_CFLAGS) $(CFLAGS) $(WARN) $(HARDEN) $(P11_SRCS) \
	    -o $@ -pie -Wl,-z,relro,-z,now,-z,noexecstack $(P11_LIBS)

# The helper looks for the companion beside itself first, and embed
# --manifest for the boot steps too: each build of it gets a copy of both.
$(B)/dyn/$(COMPANION) $(B)/asan/$(COMPANION) $(B)/small/$(COMPANION): $(B)/$(COMPANION)
	@mkdir -p $(@D)
	cp $< $@
$(B)/dyn/$(P11_COMPANION) $(B)/small/$(P11_COMPANION): $(B)/$(P11_COMPANION)
	@mkdir -p $(@D)
	cp $< $@

$(B)/$(BOOT_STEPS) $(B)/dyn/$(BOOT_STEPS) $(B)/asan/$(BOOT_STEPS) $(B)/small/$(BOOT_STEPS): initramfs/$(BOOT_STEPS)
	@mkdir -p $(@D)
	cp $< $@

# What the static builds leave out of libsodium (src/slots/crypto_trim.c).
SODIUM_TRIM := -DFSP_SODIUM_TRIM

$(B)/fscrypt-provision: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(SODIUM_TRIM) $(CFLAGS) $(WARN) $(HARDEN) -ffunction-sections \
	    -fdata-sections $(SRCS) -o $@ $(STATIC_LDFLAGS) $(LIBS)

# The small helper: the same sources on musl, static-PIE, with libkeyutils
# and libsodium built from Debian's source packages (tools/musl-libs.sh;
# README, "Binary"). Under a third of the glibc build's size. Its specs
# make the link static-PIE, so it takes LINK_HARDEN without -static-pie.
MUSL     := $(B)/musl
MUSL_PFX := $(MUSL)/prefix
SMALL    := $(B)/small/fscrypt-provision
SMALL_CFLAGS ?= -Os -g
# No unwind tables: nothing in a C program without threads unwinds its
# stack (a debugger reads .debug_frame): 24 KB of the arm64 helper.
NO_UNWIND := -fno-asynchronous-unwind-tables -fno-unwind-tables

small: $(SMALL) $(call BESIDE,small/)

$(MUSL_PFX)/VERSIONS: tools/musl-libs.sh
	tools/musl-libs.sh $(MUSL) $(ARCH)

# musl wraps statx(2) from 1.2.5 (Debian 13) on, not in 1.2.3 (Debian 12):
# asked of its headers when the small build runs (basic/libc_compat.h).
MUSL_HAS_STATX = $(shell $(CC) -specs $(MUSL_PFX)/static-pie.specs -D_GNU_SOURCE \
	-include sys/stat.h -E -x c /dev/null 2>/dev/null | grep -q 'int statx' && \
	echo -DFSP_LIBC_HAS_STATX)

$(SMALL): $(SRCS) $(HDRS) Makefile $(MUSL_PFX)/VERSIONS
	@mkdir -p $(@D)
	$(CC) -specs $(MUSL_PFX)/static-pie.specs -isystem $(MUSL_PFX)/include \
	    -DFSP_LIBC_COMPAT $(MUSL_HAS_STATX) $(SODIUM_TRIM) $(CPPFLAGS) $(SMALL_CFLAGS) \
	    $(NO_UNWIND) $(WARN) $(HARDEN) \
	    -ffunction-sections -fdata-sections $(SRCS) -o $@ $(LINK_HARDEN) \
	    -L$(MUSL_PFX)/lib $(LIBS)

# A dynamically linked debug build, for valgrind (which cannot follow
# malloc in a static glibc binary).
$(B)/dyn/fscrypt-provision: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(B)/dyn
	$(CC) $(CPPFLAGS) -O1 -g $(WARN) $(SRCS) -o $@ -lkeyutils -lsodium

# gcov builds of the helper and both companions, for tools/host-cover.py,
# which picks the host tests that valgrind runs (tests/host/valgrind.list).
# One object per source: two sources share the name file.c.
COVER := --coverage -O0 -g
COV := $(B)/cover
cover-build: $(COV)/fscrypt-provision $(COV)/$(COMPANION) $(COV)/$(P11_COMPANION) $(COV)/$(BOOT_STEPS)
$(COV)/obj/%.o: %.c $(HDRS) $(COMPANION_HDRS) $(P11_HDRS) Makefile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(P11_CFLAGS) $(COVER) $(WARN) -c $< -o $@
$(COV)/fscrypt-provision: $(SRCS:%.c=$(COV)/obj/%.o)
	$(CC) $(COVER) $^ -o $@ -lkeyutils -lsodium
$(COV)/$(COMPANION): $(COMPANION_SRCS:%.c=$(COV)/obj/%.o)
	$(CC) $(COVER) $^ -o $@ $(TSS_LIBS)
$(COV)/$(P11_COMPANION): $(P11_SRCS:%.c=$(COV)/obj/%.o)
	$(CC) $(COVER) $^ -o $@ $(P11_LIBS)
$(COV)/$(BOOT_STEPS): initramfs/$(BOOT_STEPS)
	@mkdir -p $(@D)
	cp $< $@

# ASan + UBSan; halts on the first report so that a test fails.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
       -fno-omit-frame-pointer
$(B)/asan/fscrypt-provision: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(B)/asan
	$(CC) $(CPPFLAGS) -O1 -g $(WARN) $(SAN) $(SRCS) -o $@ -lkeyutils -lsodium
# The PKCS#11 companion under them too: it parses what the token gives.
$(B)/asan/$(P11_COMPANION): $(P11_SRCS) $(P11_HDRS) Makefile
	@mkdir -p $(B)/asan
	$(CC) $(CPPFLAGS) $(P11_CFLAGS) -O1 -g $(WARN) $(SAN) $(P11_SRCS) -o $@ $(P11_LIBS)

# tests/unit/ has the folders of src/. The PKCS#11 companion's tests link
# its own files and p11-kit, and are built for this machine only.
P11_UNIT   := $(B)/unit/fscrypt-provision-pkcs11/test_token
UNIT_SRCS  := $(filter-out tests/unit/fscrypt-provision-pkcs11/%,$(wildcard tests/unit/*/test_*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRCS)) $(if $(CROSS),,$(P11_UNIT))
UNIT_ASAN  := $(patsubst tests/unit/%.c,$(B)/unit-asan/%,$(UNIT_SRCS))
# The library's objects, compiled once per flavour and linked into every
# unit test (compiling them per test cost 24 compilations of the library).
UNIT_OBJS  := $(patsubst src/%.c,$(B)/obj/unit/%.o,$(LIB_SRCS))
ASAN_OBJS  := $(patsubst src/%.c,$(B)/obj/asan/%.o,$(LIB_SRCS))

# Kept between runs: as pattern-rule intermediates, make would delete them.
.SECONDARY: $(UNIT_OBJS) $(ASAN_OBJS) $(FUZZ_OBJS)

# A cross build's unit tests are static: qemu-user then needs no sysroot.
UNIT_LIBS := $(if $(CROSS),-static -l:libkeyutils.a -l:libsodium.a,-lkeyutils -lsodium)

$(P11_UNIT): tests/unit/fscrypt-provision-pkcs11/test_token.c tests/unit/unit.h \
             $(P11_DIR)/token.c $(P11_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(P11_CFLAGS) -O1 -g $(WARN) -Itests/unit $< $(P11_DIR)/token.c \
	    -o $@ $(P11_LIBS)

# The library's objects alone: tools/c-layers.py reads their symbols.
unit-objs: $(UNIT_OBJS)

$(B)/obj/unit/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -O1 -g $(WARN) -c $< -o $@

$(B)/obj/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -O1 -g $(WARN) $(SAN) -c $< -o $@

$(B)/unit/%: tests/unit/%.c tests/unit/unit.h $(UNIT_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -O1 -g $(WARN) -Itests/unit $< $(UNIT_OBJS) -o $@ $(UNIT_LIBS)

$(B)/unit-asan/%: tests/unit/%.c tests/unit/unit.h $(ASAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -O1 -g $(WARN) $(SAN) -Itests/unit $< $(ASAN_OBJS) -o $@ -lkeyutils -lsodium

# libFuzzer harnesses (clang): tests/fuzz/fuzz_*.c, each linked with the
# library once built with coverage, ASan and UBSan.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
# clang warns about vprintf wrappers that gcc accepts (-Wformat=2).
FUZZ_WARN    := $(WARN) -Wno-format-nonliteral
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS      := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJS    := $(patsubst src/%.c,$(B)/fuzz/obj/%.o,$(LIB_SRCS))

$(B)/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) $(FUZZ_WARN) -c $< -o $@

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(FUZZ_WARN) -Isrc $< \
	    $(FUZZ_OBJS) -o $@ -lkeyutils -lsodium

BENCH_BIN := $(B)/bench/bare_syscalls
$(BENCH_BIN): bench/bare_syscalls.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(B)/bench
	$(CC) $(CPPFLAGS) -O2 $(WARN) -Isrc $< $(LIB_SRCS) -o $@ -lkeyutils -lsodium

# The Debian packages each target needs (tools/packages). `make demo` and
# `make check` install theirs first (as root; otherwise they print the
# command and stop), so that a fresh Debian 12 needs only git and make.
deps deps-check:
	@tools/install-deps.sh check
deps-demo:
	@tools/install-deps.sh demo
deps-build:
	@tools/install-deps.sh build
deps-small:
	@tools/install-deps.sh small
deps-cross:
	@tools/install-deps.sh build small cross

# Everything: unit tests, host tests on the real kernel, the same under
# ASan/UBSan and valgrind, lint, fuzzing, QEMU boots, a short run of each
# other documented target (tests/smoke.sh), the guide. Ends with
# "N passed, N failed".
# The packages come first, in a recipe of their own, so that nothing is
# compiled before the compiler is there.
# The builds run in parallel (JOBS, default: every CPU), the tests after them.
JOBS ?= $(shell nproc)
check: deps-check
	@$(MAKE) --no-print-directory -j$(JOBS) check-build
	@for a in $(CROSS_ARCHES); do \
	    $(MAKE) --no-print-directory -j$(JOBS) ARCH=$$a cross-build || exit 1; done
	@tests/run-all.sh

check-build: all small $(B)/dyn/fscrypt-provision $(B)/asan/fscrypt-provision \
       $(B)/dyn/$(COMPANION) $(B)/asan/$(COMPANION) \
       $(B)/dyn/$(P11_COMPANION) $(B)/asan/$(P11_COMPANION) \
       $(B)/dyn/$(BOOT_STEPS) $(B)/asan/$(BOOT_STEPS) \
       $(UNIT_TESTS) $(UNIT_ASAN) $(FUZZERS) $(BENCH_BIN)

# One architecture's helpers (glibc and musl) and unit tests: make check
# builds it for each of CROSS_ARCHES (ARCH=...), and its cross part checks
# the binaries and runs the unit tests under qemu-user (tests/cross/).
cross-build: $(B)/fscrypt-provision $(SMALL) $(call BESIDE,) $(call BESIDE,small/) $(UNIT_TESTS)

# Each harness for FUZZ_SECONDS (make check runs 30 s each); fails on a
# crash, leaving the input in build/fuzz/artifacts/.
fuzz: $(FUZZERS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

unit-test: $(UNIT_TESTS)
	@tests/run-all.sh unit

host-test: all
	@tests/run-all.sh host

# docs/getting-started.md, every command block, in an overlay copy of this
# machine (tests/guide/test_guide.sh; about 5 minutes; make check runs it too).
guide-test: deps-check
	@tests/run-all.sh guide

# Boots Debian's kernel with a dracut initramfs holding our module (TCG).
qemu-test: all
	@tests/run-all.sh qemu qemu-dist

# The other architectures' musl helpers too, where their toolchains are
# (make deps-cross), for the size table.
bench: all small $(BENCH_BIN)
	@for a in $(CROSS_ARCHES); do \
	    if command -v "$$(dpkg-architecture -a$$a -qDEB_HOST_GNU_TYPE 2>/dev/null)-gcc" >/dev/null; then \
	    $(MAKE) --no-print-directory ARCH=$$a small >/dev/null || exit 1; fi; done
	@bench/run.sh
	@bench/slots.sh
	@FSP=$(CURDIR)/$(SMALL) bench/slots.sh
	@bench/size.sh

# The main demo: a narrated QEMU boot (dracut initramfs, switch_root,
# an update's remount, re-provisioning by key id). demo-host runs on the
# host kernel with a loop device instead.
demo: deps-demo
	@$(MAKE) --no-print-directory all
	@tests/qemu/demo.sh

demo-host: all
	@tests/demo-host.sh

# Boot time with and without the module (not a test).
bench-boot: all
	@bench/boot.sh

FORMAT_FILES = $(SRCS) $(HDRS) $(COMPANION_SRCS) $(COMPANION_HDRS) $(P11_SRCS) $(P11_HDRS) \
               $(wildcard tests/unit/*.h tests/unit/*/*.c tests/fuzz/*.c bench/*.c)

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES)

# HELPER: the helper binary to install; install-small puts the musl one.
HELPER ?= $(B)/fscrypt-provision

install-small: small
	@$(MAKE) --no-print-directory install HELPER=$(SMALL)

# What goes where is tools/install.list, the one list (the Debian
# packages' .install files are made from it too).
INSTALL_ENV = DESTDIR='$(DESTDIR)' SBINDIR='$(SBINDIR)' MANDIR='$(MANDIR)' \
    LIBEXECDIR='$(LIBEXECDIR)' DOCDIR='$(DOCDIR)' HOOKDIR='$(HOOKDIR)' \
    GENERATORDIR='$(GENERATORDIR)' ITOOLSDIR='$(ITOOLSDIR)' \
    DRACUTDIR='$(DRACUTDIR)' BASHCOMPDIR='$(BASHCOMPDIR)' \
    HELPER='$(HELPER)' COMPANION='$(B)/$(COMPANION)' \
    P11_COMPANION='$(B)/$(P11_COMPANION)' \
    INSTALL_STRIP='$(INSTALL_STRIP)'

install: all
	$(INSTALL_ENV) tools/install.sh install

uninstall:
	$(INSTALL_ENV) tools/install.sh uninstall

install-paths:
	@$(INSTALL_ENV) tools/install.sh paths

# debian/rules: the packages' .install files, from the same list.
debian-install-lists: all
	$(INSTALL_ENV) tools/install.sh debian debian

clean:
	rm -rf $(B)
