# hikyaku — one static binary, built with musl-gcc and BearSSL.
#
#   make            build ./hikyaku
#   make check      run every test (unit + integration) with prove
#   make demo       build and walk a self-contained instance under ./demo
#   make bench      benchmarks against the real peers (installs them)
#   make size       the stripped size and the biggest symbols
#   make check-asan the same tests on a glibc build with ASan and UBSan
#   make fuzz       libFuzzer on every parser of outside input (clang)
#   make charset-tables  regenerate core/charset_tables.h (Python 3)
#   make bcrypt-tables   regenerate core/bcrypt_tables.h (Python 3)
#
#   make ARCH=aarch64, make ARCH=armhf
#                   the same static binary for 64-bit or 32-bit ARM, as
#                   build-ARCH/hikyaku (Debian's cross compilers, musl and
#                   BearSSL from a private sysroot: scripts/deps cross);
#                   check, size and install take ARCH too, and check runs
#                   the tests on the binary under qemu-user
#   make check-cross  unit tests on both ARM machines, then the armhf
#                   integration tests (all under emulation)

ARCH    ?=
ifeq ($(ARCH),)
CC       = musl-gcc
BEARSSL_INC ?= /usr/include/bearssl
BEARSSL_LIB ?= /usr/lib/x86_64-linux-gnu/libbearssl.a
B       ?= build
BIN      = hikyaku
STRIP    = strip
NM       = nm
MACHINE  = x86-64
else
# A cross build: Debian's cross gcc with musl's specs file, both from the
# sysroot scripts/deps makes in build-ARCH/sysroot; tests run the binary
# through RUN (qemu-user: there is no binfmt_misc to do it for us).
ifeq ($(ARCH),aarch64)
CROSS    = aarch64-linux-gnu-
MUSL     = aarch64-linux-musl
QEMU     = qemu-aarch64-static
else ifeq ($(ARCH),armhf)
CROSS    = arm-linux-gnueabihf-
MUSL     = arm-linux-musleabihf
QEMU     = qemu-arm-static
else
$(error ARCH=$(ARCH): the machines are aarch64 and armhf)
endif
B        = build-$(ARCH)
SYSROOT  = $(CURDIR)/$(B)/sysroot
SPECS    = $(SYSROOT)/usr/lib/$(MUSL)/musl-gcc.specs
CC       = $(CROSS)gcc -specs $(SPECS)
BEARSSL_INC = $(SYSROOT)/usr/include/bearssl
BEARSSL_LIB = $(SYSROOT)/usr/lib/$(CROSS:-=)/libbearssl.a
BIN      = $(B)/hikyaku
STRIP    = $(CROSS)strip
NM       = $(CROSS)nm
MACHINE  = $(ARCH)
RUN      = $(QEMU)
endif
WARN     = -std=c11 -Wall -Wextra -Wformat=2 -Wvla -Wshadow -Werror
# Nothing unwinds the stack (C, no backtraces), so no .eh_frame tables:
# they were 35 KB of the aarch64 binary, and their page padding 30 KB.
CFLAGS   = $(WARN) -Os -ffunction-sections -fdata-sections -D_GNU_SOURCE \
           -fno-asynchronous-unwind-tables -fno-unwind-tables \
           -iquote core -I$(BEARSSL_INC)
# No RELRO segment: in a static musl binary nothing ever makes it
# read-only (no dynamic linker; strace shows no mprotect at start-up),
# so it bought nothing but its padding to aarch64's 64 KiB pages.
LDFLAGS  = -static -Wl,--gc-sections -Wl,-z,norelro
# libbearssl.a calls glibc's checked copies; core/fortify.c provides them
# for musl, so it is linked after BearSSL, outside the library archive.
FORTIFY  = $(B)/core/fortify.o
LDLIBS   = $(BEARSSL_LIB) $(FORTIFY)

CORE_SRC   = $(sort $(wildcard core/*.c))
APPLET_SRC = $(sort $(wildcard applets/*.c))
UNIT_SRC   = $(sort $(wildcard tests/unit/t_*.c))
CORE_OBJ   = $(CORE_SRC:%.c=$(B)/%.o)
APPLET_OBJ = $(APPLET_SRC:%.c=$(B)/%.o)
UNIT_BIN   = $(UNIT_SRC:%.c=$(B)/%)
LIB        = $(B)/libhikyaku.a

all: $(BIN)

$(B)/%.o: %.c $(wildcard core/*.h) tests/tap.h Makefile | $(SPECS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# core/main.c holds main(); the unit tests link the library without it.
$(LIB): $(filter-out $(B)/core/main.o $(B)/core/fortify.o,$(CORE_OBJ))
	rm -f $@ && ar rcs $@ $^

$(BIN): $(B)/core/main.o $(APPLET_OBJ) $(LIB) $(FORTIFY)
	$(CC) $(LDFLAGS) -o $@ $(B)/core/main.o $(APPLET_OBJ) $(LIB) $(LDLIBS)

$(B)/tests/unit/%: tests/unit/%.c $(LIB) $(FORTIFY) tests/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -iquote tests $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

units: $(UNIT_BIN)

deps:
	@scripts/deps

ifeq ($(ARCH),)
check: deps $(BIN) units
	HIKYAKU=$(CURDIR)/$(BIN) UNITDIR=$(CURDIR)/$(B)/tests/unit \
	    prove --exec '' $(PROVE_FLAGS) $(UNIT_BIN) tests/integ/*.t
else
# The sysroot (and with it the cross compiler and qemu-user) comes first.
$(SPECS):
	@scripts/deps cross $(ARCH)

# prove runs the unit programs through qemu, the scripts as they are; the
# scripts put $$HIKYAKU_RUN before every run of the binary.
check-units: deps $(SPECS) units
	prove --exec '$(RUN)' $(PROVE_FLAGS) $(UNIT_BIN)

check: check-units $(BIN)
	HIKYAKU=$(CURDIR)/$(BIN) HIKYAKU_RUN='$(RUN)' \
	    UNITDIR=$(CURDIR)/$(B)/tests/unit \
	    prove --exec '' $(PROVE_FLAGS) tests/integ/*.t
endif

# Both ARM machines' unit tests, and the armhf integration tests (the
# 32-bit machine is where types too narrow would show).
check-cross:
	$(MAKE) ARCH=aarch64 check-units
	$(MAKE) ARCH=armhf check

# The same tests on a glibc build with AddressSanitizer and UBSan.
check-asan:
	$(MAKE) B=build-asan CC=gcc BIN=hikyaku-asan \
	    LDFLAGS= FORTIFY= \
	    CFLAGS="$(WARN) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -D_GNU_SOURCE -iquote core -I$(BEARSSL_INC)" \
	    LDLIBS="-fsanitize=address,undefined $(BEARSSL_LIB)" \
	    check

# Coverage-guided fuzzing (clang, libFuzzer, ASan, UBSan) of every parser
# that takes outside input, each target FUZZ_SECONDS long, in turn; the
# corpus grows in build-fuzz/corpus/NAME from tests/fuzz/seeds/NAME.  A
# crash or a broken property stops it, with the input saved in
# build-fuzz/crash/NAME/ (UBSan too: it is made fatal).  One target:
# make fuzz FUZZ_TARGETS=smtp.
# core/fortify.c is for musl only: glibc has the checked copies.
FUZZ_CC      = clang
FUZZ_B       = build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= addr msg smtp bdat conf env aliases procnet charset mime mbox wire dns smtpc
FUZZ_CFLAGS  = $(WARN) -g -O1 \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -D_GNU_SOURCE -iquote core -I$(BEARSSL_INC)
FUZZ_OBJ     = $(patsubst %.c,$(FUZZ_B)/%.o,\
               $(filter-out core/main.c core/fortify.c,$(CORE_SRC)))

fuzz-deps:
	@scripts/deps fuzz

$(FUZZ_B)/core/%.o: core/%.c $(wildcard core/*.h) Makefile | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

.SECONDARY: $(FUZZ_OBJ)

$(FUZZ_B)/f_%: tests/fuzz/f_%.c $(FUZZ_OBJ) | fuzz-deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(BEARSSL_LIB)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_B)/f_%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/corpus/$$t $(FUZZ_B)/crash/$$t && \
	    cp tests/fuzz/seeds/$$t/* $(FUZZ_B)/corpus/$$t/ && \
	    echo "fuzz: f_$$t for $(FUZZ_SECONDS)s" && \
	    $(FUZZ_B)/f_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_B)/crash/$$t/ \
	        $(FUZZ_B)/corpus/$$t || exit 1; \
	done

# core/charset_tables.h is generated from Python's codecs and committed;
# run this after changing scripts/gen-charset-tables.
charset-tables:
	scripts/gen-charset-tables core/charset_tables.h

# Blowfish's initial state for bcrypt: pi's digits, computed.
bcrypt-tables:
	scripts/gen-bcrypt-tables core/bcrypt_tables.h

demo: deps $(BIN)
	scripts/demo

bench: deps $(BIN)
	scripts/bench

size: $(BIN)
	@$(STRIP) -o $(B)/hikyaku.stripped $(BIN)
	@printf '%s stripped: %s bytes (budget 614400)\n' $(MACHINE) $$(stat -c %s $(B)/hikyaku.stripped)
	@$(NM) --size-sort -r -S $(BIN) | head -25

# DESTDIR: a staged tree (a device's root file system) to copy from;
# the binary is stripped, as make size measures it;
# with ARCH the links are made by the binary under qemu-user.
# mtad's systemd unit and SysV init script come along; no configuration
# is installed (every key has a default), so /etc/hikyaku.conf is never
# overwritten.
install: $(BIN)
	install -d $(DESTDIR)/usr/sbin $(DESTDIR)/lib/systemd/system \
	    $(DESTDIR)/etc/init.d
	install -m 0755 -s --strip-program=$(STRIP) $(BIN) $(DESTDIR)/usr/sbin/hikyaku
	$(RUN) $(DESTDIR)/usr/sbin/hikyaku --install -s $(DESTDIR)/usr/sbin
	install -m 0644 scripts/hikyaku.service \
	    $(DESTDIR)/lib/systemd/system/hikyaku.service
	install -m 0755 scripts/init.d/hikyaku $(DESTDIR)/etc/init.d/hikyaku

clean:
	rm -rf build build-asan build-fuzz hikyaku hikyaku-asan demo \
	    build-aarch64 build-armhf

.PHONY: all units deps check check-units check-cross check-asan fuzz fuzz-deps charset-tables bcrypt-tables demo bench size install clean
