# kaioretry: build, test, demo.  `make` builds build/libkaioretry.so,
# `make demo` shows it at work, `make check` runs every test.

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes
BASE_CFLAGS = -std=gnu11 -D_GNU_SOURCE -U_FORTIFY_SOURCE -fPIC \
	-fvisibility=hidden -pthread $(WARNINGS)
PYTHON = /usr/bin/python3

BUILD = build
LIB = $(BUILD)/libkaioretry.so
SHIM_SRC = $(wildcard shim/*.c)
CONFIG_SRC = $(wildcard config/*.c)
SHIM_OBJ = $(SHIM_SRC:%.c=$(BUILD)/obj/%.o)
CONFIG_OBJ = $(CONFIG_SRC:%.c=$(BUILD)/obj/%.o)
EXPORTS = $(BUILD)/exports.map
# kaioretry-config: the helper behind `kaioretry --check/--explain`,
# built from the shim's own config code (config/cli/ stays out of the .so).
HELPER = $(BUILD)/kaioretry-config
HELPER_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard config/cli/*.c)) \
	$(CONFIG_OBJ) $(BUILD)/obj/shim/delay.o $(BUILD)/obj/shim/text.o

all: $(LIB) $(HELPER)

$(BUILD)/obj/%.o: %.c $(wildcard shim/*.h config/*.h config/cli/*.h) shim/calls.def
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@

# Only the wrapped libc functions are exported; the map is generated
# from calls.def so it cannot fall out of step with the wrappers.
$(EXPORTS): shim/calls.def Makefile
	@mkdir -p $(BUILD)
	{ echo '{ global:'; \
	  printf '#define CALL(name, ...) name;\n#include "calls.def"\n' | \
	    $(CC) -E -P -Ishim -x c - ; \
	  echo 'sigaction; freeaddrinfo; local: *; };'; } > $@

$(LIB): $(SHIM_OBJ) $(CONFIG_OBJ) $(EXPORTS)
	$(CC) -shared -pthread -o $@ $(SHIM_OBJ) $(CONFIG_OBJ) \
		-Wl,--version-script=$(EXPORTS) -Wl,-z,now -Wl,-z,relro -ldl

$(HELPER): $(HELPER_OBJ)
	$(CC) -pthread -o $@ $(HELPER_OBJ)

# --- install -----------------------------------------------------------

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
PKGLIBDIR = $(LIBDIR)/kaioretry
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/kaioretry
INSTALLED = $(BINDIR)/kaioretry $(PKGLIBDIR)/libkaioretry.so \
	$(PKGLIBDIR)/kaioretry-config $(MANDIR)/man1/kaioretry.1 \
	$(MANDIR)/man5/kaioretry.ini.5 $(DOCDIR)/kaioretry.ini

# The installed command is told where the installed library lives.
install: $(LIB) $(HELPER)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)
	sed "s|^installed_libdir=.*|installed_libdir='$(PKGLIBDIR)'|" \
		scripts/kaioretry > $(DESTDIR)$(BINDIR)/kaioretry
	chmod 755 $(DESTDIR)$(BINDIR)/kaioretry
	install -m 755 $(LIB) $(HELPER) $(DESTDIR)$(PKGLIBDIR)/
	install -m 644 scripts/kaioretry.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 config/kaioretry.ini.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 config/kaioretry.ini $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# --- tests -------------------------------------------------------------

UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BIN = $(BUILD)/unit-tests
PROG_SRC = $(wildcard tests/progs/*.c)
PROG_BIN = $(PROG_SRC:tests/progs/%.c=$(BUILD)/progs/%)
BENCH_BIN = $(BUILD)/bench/bench $(BUILD)/bench/stamp.so $(BUILD)/bench/empty.so

deps:
	@scripts/install-deps

UNIT_SHIM_OBJ = $(BUILD)/obj/shim/delay.o $(BUILD)/obj/shim/text.o \
	$(BUILD)/obj/shim/budget.o $(BUILD)/obj/shim/localclock.o \
	$(BUILD)/obj/shim/tzfile.o $(BUILD)/obj/shim/tzrule.o \
	$(BUILD)/obj/shim/addrmatch.o

$(UNIT_BIN): $(UNIT_SRC) $(CONFIG_OBJ) $(UNIT_SHIM_OBJ)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iconfig -Ishim -o $@ $(UNIT_SRC) \
		$(CONFIG_OBJ) $(UNIT_SHIM_OBJ) \
		$$(pkg-config --cflags --libs check)

$(BUILD)/progs/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O1 -g -pthread $(WARNINGS) -o $@ $< -ldl

unit: deps $(UNIT_BIN)
	$(UNIT_BIN)

integration: deps $(LIB) $(HELPER) $(PROG_BIN) $(BENCH_BIN)
	$(PYTHON) tests/integration/run.py

check: deps
	$(MAKE) unit
	$(MAKE) integration

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

demo: deps $(LIB) $(HELPER)
	@scripts/demo

clean:
	rm -rf $(BUILD)

.PHONY: all deps unit integration check demo clean install uninstall \
	bench bench-budget
