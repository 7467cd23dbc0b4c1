# adlua: GNU make build. See README.md.
#
#   make                 build/adlua (program), build/libadlua.{a,so}, build/adlua.so
#   make test            setup, build, lint, all test suites; last line "N passed, M failed"
#   make test-asan       the same suites under AddressSanitizer/UBSan, in build-asan/
#   make demo [OUT=dir]  run examples/train_iris.lua, write the blog's figures to out/
#   make api-doc         regenerate docs/api.md from the docstrings in lua/adlua/doc/
#   make bench [QUICK=1] run bench/run.sh
#   make lint / format   clang-format, cppcheck, layer check / reformat in place
#   make setup           install missing Debian packages
#   make clean
#
# Variables: BUILD (output folder), SANITIZE=1, READLINE=1 (console with GNU
# readline instead of libedit), V=1 (show commands), CC,
# CFLAGS (default -O2 -g; -O1 -g with SANITIZE=1), LDFLAGS, PKG_CONFIG, LUAJIT (the build's Lua).

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
LUA_CFLAGS  := $(call pc,--cflags luajit)
LUA_LIBS    := $(call pc,--libs luajit)
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
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=c11 $(CFLAGS) $(SAN) -Wall -Wextra -fPIC -pthread -D_POSIX_C_SOURCE=200809L \
              -Icore $(LUA_CFLAGS) $(BLAS_CFLAGS) $(MPI_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SAN) -pthread

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

.PHONY: api-doc all lib test-bin test test-asan demo bench lint format clean setup warnings FORCE

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

$(OBJ)/%.o: core/%.c
	$(call compile,)

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

bench:
	@scripts/setup.sh --bench
	+@$(MAKE) all
	@QUICK='$(QUICK)' ADLUA='$(PROGRAM)' bench/run.sh

lint:
	@scripts/lint.sh

format:
	@scripts/lint.sh format

clean:
	rm -rf build build-asan

FORCE:
