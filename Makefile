# kaioretry: build, test, demo.  `make` builds build/libkaioretry.so,
# `make demo` shows it at work, `make check` runs every test.

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes
BASE_CFLAGS = -std=gnu11 -D_GNU_SOURCE -U_FORTIFY_SOURCE -fPIC \
	-fvisibility=hidden -pthread $(WARNINGS)
PYTHON = /usr/bin/python3

# A musl compiler (`make CC=musl-gcc`, or `make musl`) builds into
# build/musl; see "musl" below.
ifneq ($(findstring musl,$(notdir $(CC))),)
BUILD = build/musl
MUSL_CFLAGS = -isystem $(BUILD)/kernel-headers
MUSL_HEADERS = $(BUILD)/kernel-headers
endif
BUILD ?= build
LIB = $(BUILD)/libkaioretry.so
# common/: the pure code config/ and shim/ both use (delay rule, text
# formatting, glob, the call table), below both.
COMMON_SRC = $(wildcard common/*.c)
SHIM_SRC = $(wildcard shim/*.c)
CONFIG_SRC = $(wildcard config/*.c)
COMMON_OBJ = $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
SHIM_OBJ = $(SHIM_SRC:%.c=$(BUILD)/obj/%.o)
CONFIG_OBJ = $(CONFIG_SRC:%.c=$(BUILD)/obj/%.o)
HEADERS = $(wildcard common/*.h shim/*.h config/*.h config/cli/*.h) \
	common/calls.def shim/hooks.def shim/exports.def
EXPORTS = $(BUILD)/exports.map
# kaioretry-config: the helper behind `kaioretry --check/--explain`,
# built from the shim's own config/ and common/ code (config/cli/ stays
# out of the .so).
HELPER = $(BUILD)/kaioretry-config
HELPER_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard config/cli/*.c)) \
	$(CONFIG_OBJ) $(COMMON_OBJ)

all: $(LIB) $(HELPER)

$(BUILD)/obj/%.o: %.c $(HEADERS) | $(MUSL_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(MUSL_CFLAGS) $(CFLAGS) -c $< -o $@

# Only the wrapped libc functions are exported; the map is generated
# from calls.def, hooks.def and exports.def so it cannot fall out of
# step with the wrappers.
$(EXPORTS): common/calls.def shim/hooks.def shim/exports.def Makefile
	@mkdir -p $(BUILD)
	{ echo '{ global:'; \
	  printf '#define CALL(name, ...) name;\n#include "calls.def"\n' | \
	    $(CC) -E -P -Icommon -x c - ; \
	  printf '#define HOOK(type, name, ...) name;\n#include "hooks.def"\n' | \
	    $(CC) -E -P -Ishim -x c - ; \
	  printf '#define EXPORT(name) name;\n#include "exports.def"\n' | \
	    $(CC) -E -P -Ishim -x c - ; \
	  echo 'kaioretry_instance; local: *; };'; } > $@

# -z nodelete: a dlclose never unmaps our code, which fork handlers,
# threads inside a wrapper and a program's saved function pointers may
# still reach.
$(LIB): $(SHIM_OBJ) $(CONFIG_OBJ) $(COMMON_OBJ) $(EXPORTS)
	$(CC) -shared -pthread -o $@ $(SHIM_OBJ) $(CONFIG_OBJ) $(COMMON_OBJ) \
		-Wl,--version-script=$(EXPORTS) -Wl,-z,now -Wl,-z,relro \
		-Wl,-z,nodelete -ldl

$(HELPER): $(HELPER_OBJ)
	$(CC) -pthread -o $@ $(HELPER_OBJ) -Wl,-z,now -Wl,-z,relro

# --- install -----------------------------------------------------------

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
PKGLIBDIR = $(LIBDIR)/kaioretry
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/kaioretry
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALLED = $(BINDIR)/kaioretry $(PKGLIBDIR)/libkaioretry.so \
	$(PKGLIBDIR)/kaioretry-config $(MANDIR)/man1/kaioretry.1 \
	$(MANDIR)/man5/kaioretry.ini.5 $(DOCDIR)/kaioretry.ini \
	$(COMPLETIONDIR)/kaioretry
# The one version: the kaioretry command's, which --version prints; the
# installed man pages and the Debian package take it from there.
VERSION := $(shell sed -n 's/^version=//p' scripts/kaioretry)
MAN_VERSION = sed '/^\.TH /s/"kaioretry [^"]*"/"kaioretry $(VERSION)"/'

# The installed command is told where the installed library lives.
install: $(LIB) $(HELPER)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(COMPLETIONDIR)
	sed "s|^installed_libdir=.*|installed_libdir='$(PKGLIBDIR)'|" \
		scripts/kaioretry > $(DESTDIR)$(BINDIR)/kaioretry
	chmod 755 $(DESTDIR)$(BINDIR)/kaioretry
	install -m 755 $(LIB) $(HELPER) $(DESTDIR)$(PKGLIBDIR)/
	$(MAN_VERSION) scripts/kaioretry.1 > $(DESTDIR)$(MANDIR)/man1/kaioretry.1
	$(MAN_VERSION) config/kaioretry.ini.5 > $(DESTDIR)$(MANDIR)/man5/kaioretry.ini.5
	chmod 644 $(DESTDIR)$(MANDIR)/man1/kaioretry.1 \
		$(DESTDIR)$(MANDIR)/man5/kaioretry.ini.5
	install -m 644 config/kaioretry.ini $(DESTDIR)$(DOCDIR)/
	install -m 644 scripts/kaioretry.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/kaioretry

# A Debian package of the same install: build/kaioretry_VERSION_ARCH.deb
# (scripts/deb, packaging/debian).
deb:
	scripts/deb

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(COMPLETIONDIR) \
		2>/dev/null || true

# --- tests -------------------------------------------------------------

UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BIN = $(BUILD)/unit-tests
PROG_SRC = $(wildcard tests/progs/*.c)
PROG_BIN = $(PROG_SRC:tests/progs/%.c=$(BUILD)/progs/%)
BENCH_BIN = $(BUILD)/bench/bench $(BUILD)/bench/stamp.so $(BUILD)/bench/empty.so \
	$(BUILD)/bench/floor.so

deps:
	@scripts/install-deps

UNIT_SHIM_OBJ = $(BUILD)/obj/shim/budget.o $(BUILD)/obj/shim/localclock.o \
	$(BUILD)/obj/shim/ready_protocols.o \
	$(BUILD)/obj/shim/tzfile.o $(BUILD)/obj/shim/tzrule.o \
	$(BUILD)/obj/shim/addrmatch.o $(BUILD)/obj/shim/target.o \
	$(BUILD)/obj/shim/progmem.o $(BUILD)/obj/shim/sink_journal.o \
	$(BUILD)/obj/shim/sink_rfc5424.o

$(UNIT_BIN): $(UNIT_SRC) $(CONFIG_OBJ) $(COMMON_OBJ) $(UNIT_SHIM_OBJ)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iconfig -Ishim -Icommon -o $@ \
		$(UNIT_SRC) $(CONFIG_OBJ) $(COMMON_OBJ) $(UNIT_SHIM_OBJ) \
		$$(pkg-config --cflags --libs check)

$(BUILD)/progs/%: tests/progs/%.c $(wildcard tests/progs/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O1 -g -pthread $(WARNINGS) \
		$(MUSL_PROG_FLAGS) -o $@ $< -ldl

# Libraries the integration tests preload next to ours.
TEST_LIBS = $(patsubst tests/libs/%.c,$(BUILD)/libs/lib%.so,$(wildcard tests/libs/*.c))

$(BUILD)/libs/lib%.so: tests/libs/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O1 -g -fPIC -shared $(WARNINGS) -o $@ $<

unit: deps $(UNIT_BIN)
	$(UNIT_BIN)

# Everything the integration tests run, built but not run; then
# `python3 tests/integration/run.py NAME` runs the tests matching NAME.
test-programs: $(LIB) $(HELPER) $(PROG_BIN) $(BENCH_BIN) $(TEST_LIBS)

integration: deps test-programs musl-test-programs
	$(PYTHON) tests/integration/run.py

# Someone else's tests: modules of CPython's own regression suite, raw
# and under the library with each policy, must end the same way test by
# test (tests/peers/cpython.py; intended differences are listed in
# tests/peers/cpython-intended.txt).
check-peers: deps $(LIB)
	$(PYTHON) tests/peers/cpython.py

check: deps
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) check-peers
	$(MAKE) check-sanitize
	$(MAKE) fuzz

# --- sanitizers -------------------------------------------------------
# check-sanitize builds the unit tests and the library with clang's
# AddressSanitizer and UndefinedBehaviorSanitizer (any finding aborts)
# and runs the unit tests and the whole integration suite with them.
# The library is preloaded into programs that are not built with ASan,
# so the ASan runtime must come first in LD_PRELOAD (it has to
# intercept malloc before anything else runs); run.py's harness puts
# KAIORETRY_TEST_PRELOAD_FIRST in front of the library under test.
# Leak checking stays off for the preloaded runs: it would report the
# host programs' (python's) own leaks; the unit tests run with it on.
# ODR checking is off because one test loads two copies of the library
# on purpose (each defines kaioretry_instance; see shim/instance.c).
# The preloaded runs cover the modules whose programs exercise the
# library itself (SAN_SUITES); the others drive third-party daemons and
# clients (dnsmasq, curl, psql) that hang or time out under the ASan
# runtime with or without us, or check the kaioretry command's choice
# of library path, which the ASan build does not share.
SAN_SUITES = test_core. test_hardening. test_bad_input. test_inject. test_signals. \
	test_syslog.

SAN = $(BUILD)/san
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
SAN_LIB = $(SAN)/libkaioretry.so
SAN_OBJ = $(SHIM_SRC:%.c=$(SAN)/obj/%.o) $(CONFIG_SRC:%.c=$(SAN)/obj/%.o) \
	$(COMMON_SRC:%.c=$(SAN)/obj/%.o)
ASAN_RUNTIME = $$($(CLANG) -print-file-name=libclang_rt.asan-x86_64.so)

$(SAN)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -c $< -o $@

$(SAN_LIB): $(SAN_OBJ) $(EXPORTS)
	$(CLANG) -shared -shared-libasan $(SAN_FLAGS) -pthread -o $@ \
		$(SAN_OBJ) -Wl,--version-script=$(EXPORTS) -Wl,-z,now \
		-Wl,-z,nodelete -ldl

SAN_UNIT_SHIM = $(UNIT_SHIM_OBJ:$(BUILD)/obj/%.o=%.c)
$(SAN)/unit-tests: $(UNIT_SRC) $(CONFIG_SRC) $(COMMON_SRC) $(SAN_UNIT_SHIM) \
		$(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -Iconfig -Ishim -Icommon \
		-o $@ $(UNIT_SRC) $(CONFIG_SRC) $(COMMON_SRC) $(SAN_UNIT_SHIM) \
		$$(pkg-config --cflags --libs check)

check-sanitize: deps $(SAN)/unit-tests $(SAN_LIB) $(PROG_BIN) $(TEST_LIBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(SAN)/unit-tests
	rm -rf $(SAN)/reports && mkdir -p $(SAN)/reports
	KAIORETRY_TEST_LIB=$(CURDIR)/$(SAN_LIB) \
	KAIORETRY_TEST_PRELOAD_FIRST=$(ASAN_RUNTIME) \
	ASAN_OPTIONS=detect_leaks=0:detect_odr_violation=0:verify_asan_link_order=0:abort_on_error=1:log_path=$(CURDIR)/$(SAN)/reports/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(CURDIR)/$(SAN)/reports/ubsan \
		$(PYTHON) tests/integration/run.py $(SAN_SUITES)
	@# A finding in a child the tests did not notice still fails the run.
	@if ls $(SAN)/reports | grep -q .; then \
		cat $(SAN)/reports/*; echo "sanitizer findings above"; exit 1; fi
	@echo "check-sanitize: no sanitizer findings"

# --- fuzzing (tests/fuzz) ---------------------------------------------
# Each target runs FUZZ_SECONDS: 30 under CI (CI=true), 5 otherwise, so
# `make check` stays quick on a laptop.  `make fuzz-long` is the long
# run whose result docs/hardening.md records.

FUZZ_TARGETS = ini env values errnames inject
FUZZ_BIN = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SECONDS ?= $(if $(filter true,$(CI)),30,5)
FUZZ_LONG_SECONDS ?= 1800
CLANG = clang

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/invariants.h \
		$(CONFIG_SRC) $(COMMON_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) -O1 -g -Iconfig -Ishim -Icommon \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(CONFIG_SRC) $(COMMON_SRC) -lm

fuzz: deps $(FUZZ_BIN)
	scripts/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-long: deps $(FUZZ_BIN)
	scripts/fuzz $(FUZZ_LONG_SECONDS) $(FUZZ_TARGETS) | tee $(BUILD)/fuzz/last-long-run

# Benchmarks: tests/bench holds the workloads, scripts/bench drives them.

$(BUILD)/bench/bench: tests/bench/bench.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -U_FORTIFY_SOURCE -O2 -g -pthread \
		$(WARNINGS) -o $@ $< -ldl

$(BUILD)/bench/%.so: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -fPIC -shared $(WARNINGS) -o $@ $< -ldl

bench: deps $(LIB) $(BENCH_BIN)
	$(PYTHON) scripts/bench

# The quick, deterministic parts that `make check` also runs (through
# tests/integration/test_bench.py and test_startup.py): instructions
# added per call, and to a program's start-up.
bench-budget: deps $(LIB) $(BENCH_BIN)
	$(PYTHON) scripts/bench --budget
	$(PYTHON) scripts/bench --startup-budget

# --- musl -------------------------------------------------------------
# `make musl` builds build/musl/libkaioretry.so and its helper with
# musl-gcc (Debian's musl-tools), as `make CC=musl-gcc` does; glibc-only
# names stay out by `#ifdef __GLIBC__` in the .def tables.  musl-gcc's
# include path holds musl's headers only: the kernel's own (uapi) ones
# that signals.c needs are linked in from the system's.  The musl tests
# (tests/integration/test_musl.py) run programs built with musl-gcc
# under musl's own loader, with the musl library preloaded; the
# programs take strerrorname_np from tests/progs/musl_names.h.
MUSL_CC = musl-gcc
MUSL_PROGS = probe gmtoff sigflags
MUSL_PROG_FLAGS = $(if $(MUSL_HEADERS),-include tests/progs/musl_names.h)
KERNEL_INCLUDE = /usr/include

$(BUILD)/kernel-headers:
	@mkdir -p $@
	ln -sfn $(KERNEL_INCLUDE)/linux $@/linux
	ln -sfn $(KERNEL_INCLUDE)/asm-generic $@/asm-generic
	ln -sfn $(KERNEL_INCLUDE)/$$(gcc -dumpmachine)/asm $@/asm

musl:
	$(MAKE) CC=$(MUSL_CC) all

# What test_musl.py runs: the musl library, its test programs and the
# benchmark program the budget counts with.
musl-test-programs:
	$(MAKE) CC=$(MUSL_CC) all $(MUSL_PROGS:%=build/musl/progs/%) \
		build/musl/bench/bench

demo: deps $(LIB) $(HELPER)
	@scripts/demo

# The code shim/wrappers.c generates from common/calls.def, formatted:
# the argument structs, then each row's _failed function and wrapper.
WRAPPERS_STYLE = {BasedOnStyle: LLVM, IndentWidth: 8, UseTab: Always, \
	BreakBeforeBraces: Linux, AllowShortFunctionsOnASingleLine: None}
show-wrappers: deps
	@$(CC) -E -P $(BASE_CFLAGS) shim/wrappers.c | \
		sed -n '/^struct [a-z_0-9]*_args {/,$$p' | \
		clang-format --style='$(WRAPPERS_STYLE)'

clean:
	rm -rf $(BUILD)

.PHONY: all deps unit integration test-programs check check-peers demo clean install uninstall \
	musl musl-test-programs deb \
	bench bench-budget fuzz fuzz-long check-sanitize show-wrappers
