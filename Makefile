# hikyaku — one static binary, built with musl-gcc and BearSSL.
#
#   make            build ./hikyaku
#   make check      run every test (unit + integration) with prove
#   make demo       build and walk a self-contained instance under ./demo
#   make bench      benchmarks against the real peers (installs them)
#   make size       the stripped size and the biggest symbols
#   make check-asan the same tests on a glibc build with ASan and UBSan

CC       = musl-gcc
BEARSSL_INC ?= /usr/include/bearssl
BEARSSL_LIB ?= /usr/lib/x86_64-linux-gnu/libbearssl.a
WARN     = -std=c11 -Wall -Wextra -Wformat=2 -Wvla -Wshadow -Werror
CFLAGS   = $(WARN) -Os -ffunction-sections -fdata-sections -D_GNU_SOURCE \
           -iquote core -I$(BEARSSL_INC)
LDFLAGS  = -static -Wl,--gc-sections
B       ?= build
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
BIN        = hikyaku

all: $(BIN)

$(B)/%.o: %.c $(wildcard core/*.h) tests/tap.h Makefile
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

check: deps $(BIN) units
	HIKYAKU=$(CURDIR)/$(BIN) UNITDIR=$(CURDIR)/$(B)/tests/unit \
	    prove --exec '' $(PROVE_FLAGS) $(UNIT_BIN) tests/integ/*.t

# The same tests on a glibc build with AddressSanitizer and UBSan.
check-asan:
	$(MAKE) B=build-asan CC=gcc BIN=hikyaku-asan \
	    LDFLAGS= FORTIFY= \
	    CFLAGS="$(WARN) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -D_GNU_SOURCE -iquote core -I$(BEARSSL_INC)" \
	    LDLIBS="-fsanitize=address,undefined $(BEARSSL_LIB)" \
	    check

demo: deps $(BIN)
	scripts/demo

bench: deps $(BIN)
	scripts/bench

size: $(BIN)
	@strip -o $(B)/hikyaku.stripped $(BIN)
	@printf 'stripped: %s bytes (budget 614400)\n' $$(stat -c %s $(B)/hikyaku.stripped)
	@nm --size-sort -r -S $(BIN) | head -25

install: $(BIN)
	install -d $(DESTDIR)/usr/sbin
	install -m 0755 $(BIN) $(DESTDIR)/usr/sbin/hikyaku
	$(DESTDIR)/usr/sbin/hikyaku --install -s $(DESTDIR)/usr/sbin

clean:
	rm -rf build build-asan $(BIN) hikyaku-asan demo

.PHONY: all units deps check check-asan demo bench size install clean
