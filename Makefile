# adlua: GNU make build. See README.md.
#
#   make                 build/adlua (program), build/libadlua.{a,so}, build/adlua.so
#   make test            setup, build, lint, all test suites; last line "N passed, M failed"
#   make test-asan       the same suites under AddressSanitizer/UBSan, in build-asan/
#   make test-valgrind / fuzz / test-long / ci   see docs/reliability.md
#   make demo [OUT=dir]  run examples/train_iris.lua, write the blog's figures to out/
#   make api-doc         regenerate docs/api.md from the docstrings in lua/adlua/doc/
#   make ops-doc         regenerate docs/ops.md: every function, how it is differentiated, both modes checked
#   make bench [QUICK=1] [BENCH_ONLY=A]   run bench/run.sh (BENCH_ONLY=A: the array workloads only)
#   make lint / format   clang-format, cppcheck, layer check / reformat in place
#   make setup           install missing Debian packages
#   make install [PREFIX=/usr/local] [DESTDIR=]   program, libraries, adlua.h, adlua.pc, Lua modules
#   make uninstall [PREFIX=...]                   removes what install put there
#   make clean
#
# Variables: BUILD (output folder), SANITIZE=1, READLINE=1 (console with GNU
# readline instead of libedit), V=1 (show commands), CC,
# CFLAGS (default -O2 -g; -O1 -g with SANITIZE=1), LTO (default -flto=auto -ffat-lto-objects
# with GCC, none with clang or SANITIZE=1; LTO= builds without), LDFLAGS, PKG_CONFIG,
# LUAJIT (the build's Lua),
# LUA_PC (pkg-config name of the Lua to link: luajit, or lua5.4 with BUILD=build-lua54).

MAKEFLAGS += --no-print-directory
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

ifeq ($(SANITIZE),1)
BUILD      ?= build-asan
endif
BUILD      ?= build
PKG_CONFIG ?= pkg-config
LUAJIT     ?= luajit
QUICK      ?=

ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2)
endif

# Dependencies through pkg-config; quiet when it is missing (before `make setup`).
pc = $(shell $(PKG_CONFIG) $(1) 2>/dev/null)
LUA_PC     ?= luajit
LUA_CFLAGS  := $(call pc,--cflags $(LUA_PC))
LUA_LIBS    := $(call pc,--libs $(LUA_PC))
BLAS_CFLAGS := $(call pc,--cflags openblas)
BLAS_LIBS   := $(call pc,--libs openblas)
LAPACK_LIBS := $(or $(call pc,--libs lapacke),-llapacke)
# Open MPI when installed (adlua.mpi); MPI=0 builds without it.
MPI        ?= $(if $(call pc,--exists ompi-c && echo yes),1,0)
ifeq ($(MPI),1)
MPI_CFLAGS := -DADL_HAVE_MPI $(call pc,--cflags ompi-c)
MPI_LIBS   := $(call pc,--libs ompi-c)
endif
# Libraries of the runtime apart from Lua: the C module gets its Lua from the host.
SYS_LIBS    := $(BLAS_LIBS) $(LAPACK_LIBS) $(MPI_LIBS) -lm -ldl -pthread

ifeq ($(SANITIZE),1)
CFLAGS  ?= -O1 -g
SAN     := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined,float-cast-overflow
endif
CFLAGS  ?= -O2 -g
# Link-time optimisation outside the sanitizer builds: a traced operation
# crosses array.c, trace.c, ops.c and the binding, whose small functions
# (retain, release, header allocation) only inline across files at link
# time (docs/performance.md: with adl_array_release made inlinable, 4.5%
# fewer instructions per W1 sample, 6% per W3 link).  Fat
# objects keep ordinary code beside the compiler's, so the installed
# libadlua.a links with any compiler.  GCC only: clang's LTO needs its
# own linker plugin, which Debian's ld does not load.  LTO= turns it off.
ifeq ($(SANITIZE),1)
LTO     ?=
else ifneq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
LTO     ?=
else
LTO     ?= -flto=auto -ffat-lto-objects
endif
ALL_CFLAGS := -std=c11 $(CFLAGS) $(LTO) $(SAN) -Wall -Wextra -fPIC -pthread -D_POSIX_C_SOURCE=200809L \
              -Icore -Iinclude $(LUA_CFLAGS) $(BLAS_CFLAGS) $(MPI_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(CFLAGS) $(LTO) $(SAN) -pthread

# The console's line editor: libedit (BSD) by default, GNU readline with
# READLINE=1, none when neither is installed (plain stdin).
ifeq ($(READLINE),1)
EDIT_CFLAGS := -DADLUA_READLINE
EDIT_LIBS   := -lreadline
else ifneq ($(call pc,--libs libedit),)
EDIT_CFLAGS := -DADLUA_LIBEDIT $(call pc,--cflags libedit)
EDIT_LIBS   := $(call pc,--libs libedit)
endif

# Sources. Everything in core/ but the program's main goes into the library.
# lua_line_edit.c (the console's libedit/readline editor) is the program's too.
CORE_SRCS := $(sort $(filter-out core/lua_main.c core/lua_line_edit.c,$(wildcard core/*.c)))
LUA_SRCS  := $(shell find lua -name '*.lua' 2>/dev/null | LC_ALL=C sort)
TEST_SRCS := $(sort $(wildcard tests/c/*.c))

OBJ       := $(BUILD)/obj
GEN_SRC   := $(BUILD)/gen/lua_sources.c
LIB_OBJS  := $(CORE_SRCS:core/%.c=$(OBJ)/%.o) $(OBJ)/gen/lua_sources.o
MAIN_OBJ  := $(OBJ)/lua_main.o $(OBJ)/lua_line_edit.o
TEST_OBJS := $(TEST_SRCS:tests/c/%.c=$(OBJ)/tests/%.o)
ALL_OBJS  := $(LIB_OBJS) $(MAIN_OBJ) $(TEST_OBJS)

PROGRAM   := $(BUILD)/adlua
STATIC    := $(BUILD)/libadlua.a
SHARED    := $(BUILD)/libadlua.so
# The Lua C module "adlua.core". A file build/adlua/core.so cannot sit next to
# the program build/adlua, so it is build/adlua.so: with LUA_CPATH='build/?.so'
# require "adlua.core" finds it through Lua's all-in-one loader, which looks up
# luaopen_adlua_core in adlua.so.
CMODULE   := $(BUILD)/adlua.so
TEST_BIN  := $(BUILD)/test_core

.PHONY: api-doc ops-doc install uninstall all lib test-bin test test-asan demo bench lint format clean setup warnings FORCE

all: $(PROGRAM) $(STATIC) $(SHARED) $(CMODULE)
lib: $(STATIC) $(SHARED) $(CMODULE)
test-bin: $(TEST_BIN)

# Compiler diagnostics are also kept in <object>.log, so that `make warnings`
# (run by scripts/run_tests.sh) sees the warnings of objects built earlier.
define compile
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(1) -c $< -o $@ 2> $@.log; st=$$?; cat $@.log >&2; exit $$st
endef

$(OBJ)/lua_line_edit.o: core/lua_line_edit.c
	$(call compile,$(EDIT_CFLAGS))

# adlua_newstate gives a Lua state the small-block allocator (small_alloc.h)
# where LuaJIT takes one: built with GC64, as Debian's on x86-64 and arm64
# (without it lua_newstate refuses, with a message on stderr).
LUAJIT_GC64 := $(shell luajit -e "io.write(require('ffi').abi('gc64') and 1 or 0)" 2>/dev/null)
$(OBJ)/lua_api.o: core/lua_api.c
	$(call compile,-DADL_LUAJIT_GC64=$(or $(LUAJIT_GC64),0))

$(OBJ)/%.o: core/%.c
	$(call compile,)

# The array loops: -O3 lets GCC vectorise loops whose length is known only
# at run time (-O2 does not); floating-point order is unchanged (no
# -ffast-math), so results are bit for bit the same.
$(OBJ)/kernels.o $(OBJ)/reduce.o $(OBJ)/vmath.o $(OBJ)/rules_fast.o: ALL_CFLAGS += -O3
# vmath.c's loops select between a flagged element's stand-in and its value;
# GCC if-converts (and so vectorises) them only when it may assume that
# comparisons raise no floating-point exception.  Values are unchanged: the
# option only allows exception flags to differ, which nothing reads.
$(OBJ)/vmath.o: ALL_CFLAGS += -fno-trapping-math

$(OBJ)/gen/%.o: $(BUILD)/gen/%.c
	$(call compile,)

$(OBJ)/tests/%.o: tests/c/%.c
	$(call compile,-Itests/c)

# The list of Lua files, rewritten only when it changes, so that adding or
# removing a module regenerates the embedded sources.
$(BUILD)/gen/lua_files.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(LUA_SRCS)' | cmp -s - $@ || echo '$(LUA_SRCS)' > $@

$(GEN_SRC): $(LUA_SRCS) $(BUILD)/gen/lua_files.txt scripts/embed_lua.lua
	$(call say,EMBED,$@)
	@mkdir -p $(@D)
	$(Q)$(LUAJIT) scripts/embed_lua.lua $@.tmp lua $(LUA_SRCS) && mv $@.tmp $@

$(STATIC): $(LIB_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# For hosts that embed the runtime: links LuaJIT itself.
$(SHARED): $(LIB_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -shared $(ALL_LDFLAGS) -Wl,--no-undefined -o $@ $^ $(LUA_LIBS) $(SYS_LIBS)

# For the stock luajit: not linked against libluajit, the host provides Lua.
$(CMODULE): $(LIB_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -shared $(ALL_LDFLAGS) -o $@ $^ $(SYS_LIBS)

# The whole library goes in, and -E exports it with Lua's API, so that C
# modules loaded by scripts find the symbols they need.
$(PROGRAM): $(MAIN_OBJ) $(STATIC)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,-E -o $@ $(MAIN_OBJ) \
		-Wl,--whole-archive $(STATIC) -Wl,--no-whole-archive $(LUA_LIBS) $(SYS_LIBS) $(EDIT_LIBS)

$(TEST_BIN): $(TEST_OBJS) $(STATIC)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJS) $(STATIC) $(LUA_LIBS) $(SYS_LIBS)

# Fails, printing them, when the current objects were compiled with warnings.
warnings:
	@logs='$(wildcard $(ALL_OBJS:=.log))'; \
	if [ -n "$$logs" ] && grep -q 'warning:' $$logs; then cat $$logs; exit 1; fi

-include $(ALL_OBJS:.o=.d)

# ---- workflows -------------------------------------------------------------

setup:
	@scripts/setup.sh

# run_tests.sh builds (counting a failed build as a failed test) and prints
# the summary as the last line.
SETUP_OR_GO_ON = scripts/setup.sh || echo "setup.sh failed: testing with what is installed" >&2

test:
	@$(SETUP_OR_GO_ON)
	+@MAKE='$(MAKE)' scripts/run_tests.sh

test-asan:
	@$(SETUP_OR_GO_ON)
	+@MAKE='$(MAKE)' scripts/run_tests.sh --asan

demo:
	@scripts/setup.sh
	+@$(MAKE) all
	@$(PROGRAM) examples/train_iris.lua
	@$(PROGRAM) examples/figures.lua $(or $(OUT),out)

# docs/api.md from the docstrings (tests/lua/doc_spec.lua checks it is current)
api-doc: $(PROGRAM)
	@$(PROGRAM) scripts/gen_api_doc.lua docs/api.md

# docs/ops.md: every public function run in reverse and forward mode
# (tests/lua/ops_list_spec.lua checks it is current)
ops-doc: $(PROGRAM)
	@$(PROGRAM) scripts/gen_ops_list.lua docs/ops.md

bench:
	@scripts/setup.sh --bench
	+@$(MAKE) all
	@QUICK='$(QUICK)' ADLUA='$(PROGRAM)' bench/run.sh

lint:
	@scripts/lint.sh

format:
	@scripts/lint.sh format

clean:
	rm -rf build build-asan build-fuzz build-lua54

# ---- reliability: valgrind, fuzzing, long runs (docs/reliability.md) -------
#   make test-valgrind      C tests and a Lua subset under valgrind memcheck
#   make fuzz [FUZZ_TIME=s] every libFuzzer harness for FUZZ_TIME seconds (600)
#   make test-long          100,000 iris gradient steps: resident memory flat
#   make ci                 test, test-asan, test-valgrind, a minute of each
#                           fuzzer and test-long; one summary line (.ci/run)
FUZZ_BUILD := build-fuzz
FUZZ_SAN   := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
FUZZ_TIME  ?= 600
# fuzz_loaders needs the file readers (core/npyio.h), another branch's work:
# built once they are in the tree.
FUZZ_SRCS  := $(filter-out $(if $(wildcard core/npyio.h),,tests/fuzz/fuzz_loaders.c), \
                $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS    := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))

.PHONY: test-valgrind fuzz fuzz-bin fuzz-seeds test-long ci
test-valgrind:
	@$(SETUP_OR_GO_ON)
	+@MAKE='$(MAKE)' scripts/run_valgrind.sh

fuzz-bin:
	+@$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SANITIZE=1 SAN='$(FUZZ_SAN)' $(FUZZ_BUILD)/libadlua.a
	+@$(MAKE) BUILD=$(FUZZ_BUILD) $(FUZZERS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libadlua.a
	$(call say,LD,$@)
	$(Q)clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
		-Icore -Iinclude $(LUA_CFLAGS) -DFUZZ_DRIVER_DIR='"$(CURDIR)/tests/fuzz"' -o $@ $< \
		$(FUZZ_BUILD)/libadlua.a $(LUA_LIBS) $(SYS_LIBS)

fuzz:
	@$(SETUP_OR_GO_ON)
	+@MAKE='$(MAKE)' scripts/run_fuzz.sh $(FUZZ_TIME)

# Merges (minimises) build-fuzz/corpus/NAME into tests/fuzz/corpus/NAME.tar.gz.
fuzz-seeds: fuzz-bin
	@for f in $(FUZZERS); do n=$${f#$(FUZZ_BUILD)/fuzz_}; d=$(FUZZ_BUILD)/seeds/$$n; \
	rm -rf $$d && mkdir -p $$d && \
	ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=64:detect_leaks=0 \
		$$f -merge=1 $$d $(FUZZ_BUILD)/corpus/$$n >/dev/null 2>&1 && \
	tar -C $(FUZZ_BUILD)/seeds -czf tests/fuzz/corpus/$$n.tar.gz $$n && \
	echo "tests/fuzz/corpus/$$n.tar.gz: $$(ls $$d | wc -l) inputs"; done

test-long:
	@$(SETUP_OR_GO_ON)
	+@$(MAKE) all
	@scripts/run_long.sh

ci:
	@$(SETUP_OR_GO_ON)
	+@MAKE='$(MAKE)' scripts/run_ci.sh

FORCE:

# ---- installation (embedding, issue 6) --------------------------------------
# Lua modules go where the stock luajit looks under the prefix (its default
# package.path and package.cpath for /usr/local): share/lua/5.1 and
# lib/lua/5.1. The C module "adlua.core" is lib/lua/5.1/adlua/core.so.

PREFIX     ?= /usr/local
DESTDIR    ?=
INST       := $(DESTDIR)$(PREFIX)
# The Lua version the modules are for: 5.1 for LuaJIT, 5.4 with LUA_PC=lua5.4.
LUA_VER    := $(if $(findstring 5.4,$(LUA_PC)),5.4,5.1)
LUA_LMOD   := $(INST)/share/lua/$(LUA_VER)
LUA_CMOD   := $(INST)/lib/lua/$(LUA_VER)
INST_LUA   := $(LUA_SRCS:lua/%=%)

# adlua.pc is written at install time: it names the prefix.
install: all
	install -d $(INST)/bin $(INST)/lib/pkgconfig $(INST)/include $(LUA_CMOD)/adlua
	install -m 755 $(PROGRAM) $(INST)/bin/adlua
	install -m 644 $(STATIC) $(INST)/lib/libadlua.a
	install -m 755 $(SHARED) $(INST)/lib/libadlua.so
	install -m 644 include/adlua.h $(INST)/include/adlua.h
	sed -e 's|@PREFIX@|$(PREFIX)|' \
		-e "s|@VERSION@|$$(sed -n 's/^#define ADLUA_VERSION \"\(.*\)\"/\1/p' core/version.h)|" \
		-e 's|@LUA_PC@|$(LUA_PC)|' \
		-e 's|@LIBS_PRIVATE@|$(filter-out $(BLAS_LIBS),$(SYS_LIBS))|' \
		scripts/adlua.pc.in > $(INST)/lib/pkgconfig/adlua.pc
	install -m 755 $(CMODULE) $(LUA_CMOD)/adlua/core.so
	$(Q)for f in $(INST_LUA); do install -D -m 644 lua/$$f $(LUA_LMOD)/$$f || exit 1; done

uninstall:
	rm -f $(INST)/bin/adlua $(INST)/lib/libadlua.a $(INST)/lib/libadlua.so \
		$(INST)/include/adlua.h $(INST)/lib/pkgconfig/adlua.pc $(LUA_CMOD)/adlua/core.so
	$(Q)for f in $(INST_LUA); do rm -f $(LUA_LMOD)/$$f; done
	$(Q)for d in $(sort $(dir $(INST_LUA:%=$(LUA_LMOD)/%))) $(LUA_CMOD)/adlua; do \
		rmdir -p --ignore-fail-on-non-empty $$d 2>/dev/null || true; done
