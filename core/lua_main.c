/* lua_main.c: the adlua program, a `lua`/`luajit` work-alike with the
 * runtime built in.
 *
 *   adlua [options] [script [args]]
 *
 * Options are handled in the order given; -e and -l run before the script.
 * The global `arg` holds the script's name at 0, its arguments at 1..n, and
 * the program and options at negative indices, as in `lua`. */
#include <lauxlib.h>
#include <lua.h>

#include "adlua.h"
#include "blas_detect.h"
#include "lua_console.h"
#include "lua_embed.h"
#include "lua_line_edit.h"
#include "lua_run.h"
#include "parallel.h"
#include "version.h"
#include "vmath.h"

#include <lualib.h>
#if defined(__has_include)
#if __has_include(<luajit.h>)
#include <luajit.h>
#endif
#endif

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if LUA_VERSION_NUM >= 502
#define table_length(L, i) lua_rawlen(L, i)
#else
#define table_length(L, i) lua_objlen(L, i)
#endif

static const char *progname = "adlua";

enum {
    HAS_ERROR = 1, /* bad option: usage, exit status 1 */
    HAS_I = 2,     /* -i */
    HAS_V = 4,     /* -v */
    HAS_E = 8,     /* -e */
    HAS_H = 16,    /* -h */
};

static void print_usage(FILE *f, const char *argv0, const char *badoption) {
    if (badoption != NULL) {
        if (badoption[1] == 'e' || badoption[1] == 'l')
            fprintf(f, "%s: '%s' needs an argument\n", progname, badoption);
        else
            fprintf(f, "%s: unrecognized option '%s'\n", progname, badoption);
    }
    fprintf(f,
            "usage: %s [options] [script [args]]\n"
            "Available options are:\n"
            "  -e stat   execute string 'stat'\n"
            "  -l mod    require library 'mod' into global 'mod' (-l g=mod: into global 'g')\n"
            "  -i        enter interactive mode after executing 'script'\n"
            "  -v        show version information\n"
            "  -h        show this help\n"
            "  --        stop handling options\n"
            "  -         execute stdin and stop handling options\n"
            "With no script, the console starts when stdin is a terminal, and stdin\n"
            "runs as a script otherwise.\n",
            argv0);
    fflush(f);
}

static void print_version(void) {
    const char *core = adl_blas_corename();
#ifdef LUAJIT_VERSION
    const char *lua = LUAJIT_VERSION;
#else
    const char *lua = LUA_RELEASE;
#endif
    printf("adlua %s (%s", ADLUA_VERSION, lua);
    if (core != NULL)
        printf(", OpenBLAS core: %s%s, %d threads", core, adl_blas_auto() ? " chosen by adlua" : "",
               adl_blas_threads());
    printf("; elementwise: %s, %d threads)\n", adl_vm_isa_name(adl_vm_get_isa()),
           adl_parallel_threads());
    fflush(stdout);
}

/* Scans the options; *script is the index of the script argument (argc when
 * there is none). Returns HAS_* flags; *bad is the offending option. */
static int collect_args(char **argv, int *script, const char **bad) {
    int flags = 0;
    int i;
    for (i = 1; argv[i] != NULL; i++) {
        const char *a = argv[i];
        *script = i;
        if (a[0] != '-')
            return flags; /* the script */
        if (strcmp(a, "-") == 0)
            return flags; /* script from stdin */
        if (strcmp(a, "--") == 0) {
            *script = i + 1;
            return flags;
        }
        if (strcmp(a, "-i") == 0) {
            flags |= HAS_I;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
            flags |= HAS_V;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            flags |= HAS_H;
        } else if (a[1] == 'e' || a[1] == 'l') {
            if (a[1] == 'e')
                flags |= HAS_E;
            if (a[2] == '\0' && argv[++i] == NULL) {
                *bad = a;
                return HAS_ERROR;
            }
        } else {
            *bad = a;
            return HAS_ERROR;
        }
    }
    *script = i;
    return flags;
}

static void create_arg_table(lua_State *L, char **argv, int argc, int script) {
    int i;
    if (script == argc)
        script = 0; /* no script: the program is arg[0] */
    lua_createtable(L, argc - script - 1 > 0 ? argc - script - 1 : 0, script + 1);
    for (i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int do_string(lua_State *L, const char *code, const char *name) {
    int status = luaL_loadbuffer(L, code, strlen(code), name);
    if (status == 0)
        status = adlua_docall(L, 0, 0);
    return adlua_report(L, progname, status);
}

/* -l mod or -l g=mod: g = require "mod" (g defaults to mod). */
static int do_library(lua_State *L, const char *spec) {
    const char *eq = strchr(spec, '=');
    const char *mod = eq != NULL ? eq + 1 : spec;
    const char *global;
    int status;
    if (eq != NULL)
        lua_pushlstring(L, spec, (size_t)(eq - spec));
    else
        lua_pushstring(L, spec);
    global = lua_tostring(L, -1); /* anchored on the stack until the end */
    lua_getglobal(L, "require");
    lua_pushstring(L, mod);
    status = adlua_docall(L, 1, 1);
    if (status == 0)
        lua_setglobal(L, global);
    lua_remove(L, status == 0 ? -1 : -2); /* the global's name */
    return adlua_report(L, progname, status);
}

/* Runs -e and -l in their order; returns 0 when all succeeded. */
static int run_args(lua_State *L, char **argv, int script) {
    int i;
    for (i = 1; i < script; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && (a[1] == 'e' || a[1] == 'l')) {
            const char *extra = a[2] != '\0' ? a + 2 : argv[++i];
            int status =
                a[1] == 'e' ? do_string(L, extra, "=(command line)") : do_library(L, extra);
            if (status != 0)
                return status;
        }
    }
    return 0;
}

/* Runs the file (NULL: stdin) with the script arguments arg[1..n]. */
static int do_script(lua_State *L, const char *fname) {
    int status = luaL_loadfile(L, fname);
    if (status == 0) {
        int n, i;
        lua_getglobal(L, "arg");
        n = lua_istable(L, -1) ? (int)table_length(L, -1) : 0;
        luaL_checkstack(L, n + 3, "too many arguments to script");
        for (i = 1; i <= n; i++)
            lua_rawgeti(L, -i, i);
        lua_remove(L, -n - 1);
        status = adlua_docall(L, n, 0);
    }
    return adlua_report(L, progname, status);
}

/* Is the module built into the program? Others are skipped: a search on
 * LUA_PATH/LUA_CPATH would find another copy of the runtime (adlua.so). */
static int embedded(lua_State *L, const char *name) {
    int found;
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_getfield(L, -1, name);
    found = !lua_isnil(L, -1);
    lua_pop(L, 3);
    return found;
}

/* Globals the console offers: np, ad, plt, help (those built in and not set). */
static void console_globals(lua_State *L) {
    static const char *const mods[][2] = {
        {"np", "adlua.numpy"},
        {"ad", "adlua"},
        {"plt", "adlua.plot"},
        {"help", "adlua.help"},
    };
    size_t i;
    for (i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        int status;
        lua_getglobal(L, mods[i][0]);
        if (!lua_isnil(L, -1) || !embedded(L, mods[i][1])) {
            lua_pop(L, 1);
            continue;
        }
        lua_pop(L, 1);
        lua_getglobal(L, "require");
        lua_pushstring(L, mods[i][1]);
        status = adlua_pcall_traceback(L, 1, 1);
        if (status == 0) {
            lua_setglobal(L, mods[i][0]);
        } else {
            const char *msg = lua_tostring(L, -1);
            const char *nl = msg != NULL ? strchr(msg, '\n') : NULL;
            fflush(stdout);
            fprintf(stderr, "%s: warning: %s not set: %.*s\n", progname, mods[i][0],
                    nl != NULL ? (int)(nl - msg) : (int)strlen(msg != NULL ? msg : ""),
                    msg != NULL ? msg : "");
            fflush(stderr);
            lua_pop(L, 1);
        }
    }
}

static int run_console(lua_State *L, int banner) {
    int status;
    int edited;
    if (banner && isatty(STDIN_FILENO))
        print_version();
    console_globals(L);
    edited = isatty(STDIN_FILENO) && adlua_line_edit_open(L);
    status = adlua_console(L, progname);
    if (edited)
        adlua_line_edit_close();
    return status;
}

struct main_args {
    int argc;
    char **argv;
    int flags;
    int script;
    int status; /* the program's exit status */
};

/* print and tostring show numbers with all their digits (adlua.numbers). */
static void install_number_format(lua_State *L) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "adlua.numbers");
    if (lua_pcall(L, 1, 1, 0) != 0) {
        lua_pop(L, 1); /* the program still runs, with Lua's own number text */
        return;
    }
    lua_getfield(L, -1, "install");
    if (lua_pcall(L, 0, 0, 0) != 0)
        lua_pop(L, 1);
    lua_pop(L, 1);
}

/* Turns off LuaJIT's "fuse" optimisation (memory operands fused into x86
 * instructions) for the program's scripts.  The LuaJIT of Debian 12
 * miscompiles loops over `pairs`/`next` with it: a key is read after the
 * next call has overwritten it, and a loop silently keeps a wrong key
 * (docs/luajit.md; the case is tests/lua/fixtures/stale_keys.lua).  It
 * costs W1 0.6% more instructions.  Nothing to do under PUC Lua (no
 * `jit`); the library leaves a host's JIT settings alone. */
static void avoid_next_miscompile(lua_State *L) {
    if (luaL_dostring(L, "if jit and jit.opt then jit.opt.start('-fuse') end") != 0)
        lua_pop(L, 1); /* an unusual jit module: run the scripts as it is */
}

static int pmain(lua_State *L) {
    struct main_args *m = (struct main_args *)lua_touserdata(L, 1);
    char **argv = m->argv;
    int script = m->script;
    int flags = m->flags;

    m->status = 1;
    luaL_openlibs(L);
    avoid_next_miscompile(L);
    adlua_openlibs(L);
    install_number_format(L);
    create_arg_table(L, argv, m->argc, script);
    if (flags & HAS_V)
        print_version();
    if (run_args(L, argv, script) != 0)
        return 0;
    if (script < m->argc) {
        const char *fname = argv[script];
        if (strcmp(fname, "-") == 0 && strcmp(argv[script - 1], "--") != 0)
            fname = NULL; /* stdin */
        if (do_script(L, fname) != 0)
            return 0;
    }
    if (flags & HAS_I) {
        run_console(L, !(flags & HAS_V));
    } else if (script == m->argc && !(flags & (HAS_E | HAS_V))) {
        if (isatty(STDIN_FILENO)) {
            run_console(L, 1);
        } else if (do_script(L, NULL) != 0) {
            return 0;
        }
    }
    m->status = 0;
    return 0;
}

/* Array results are freed when Lua's collector runs, a few at a time; by
 * default glibc then hands the top of its heap back to the kernel and maps
 * blocks over 32 MB afresh, so the next results land on new pages, which
 * fault at about 12 us per 4 kB on these machines (x + y on 10^6 numbers:
 * 7.5 ms instead of 0.8 ms, docs/performance.md). The program keeps up to
 * 256 MB of freed heap and maps only blocks over 64 MB; glibc's own
 * MALLOC_TRIM_THRESHOLD_ / MALLOC_MMAP_THRESHOLD_ still win. The library
 * leaves a host's allocator settings alone. */
static void keep_freed_memory(void) {
#ifdef __GLIBC__
    if (!getenv("MALLOC_MMAP_THRESHOLD_"))
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
    if (!getenv("MALLOC_TRIM_THRESHOLD_"))
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

/* The program's collector starts a cycle when its heap has grown to 3x
 * what the last cycle left (Lua's default: 2x).  Every traced operation
 * makes a userdata, so a loss loop runs a cycle every few gradient steps,
 * and each cycle walks the live heap and the dead userdata, out of the
 * caches by then: a third fewer cycles made W3 7-9% and W1 1-11% faster
 * (docs/performance.md, "The collector's pause").  Scripts may set their
 * own (collectgarbage("setpause", n)); the library leaves a host's
 * collector settings alone. */
#define GC_PAUSE 300

/* The program's Lua state: its small blocks (a userdata per traced
 * operation) from adlua's slabs (adlua_newstate), unless ADLUA_LUA_ALLOC
 * is "luajit" (LuaJIT's own allocator, for comparisons). */
static lua_State *new_state(void) {
    const char *choice = getenv("ADLUA_LUA_ALLOC");
    if (choice && strcmp(choice, "luajit") == 0)
        return luaL_newstate();
    return adlua_newstate();
}

int main(int argc, char **argv) {
    static char *no_args[] = {"adlua", NULL};
    struct main_args m;
    const char *bad = NULL;
    lua_State *L;
    int status;

    keep_freed_memory();
    if (argc < 1 || argv[0] == NULL) {
        argc = 1;
        argv = no_args;
    }
    /* OpenBLAS's generic fallback kernels on a CPU it does not know: run
     * again with the best ones the CPU supports (blas_detect.c). */
    adl_blas_reexec_if_better(argv);
    m.argc = argc;
    m.argv = argv;
    m.script = argc;
    m.flags = collect_args(argv, &m.script, &bad);
    m.status = 1;
    if (m.flags & HAS_ERROR) {
        print_usage(stderr, argv[0], bad);
        return 1;
    }
    if (m.flags & HAS_H) {
        print_usage(stdout, argv[0], NULL);
        return 0;
    }

    L = new_state();
    if (L == NULL) {
        fprintf(stderr, "%s: cannot create Lua state: not enough memory\n", progname);
        return 1;
    }
    lua_gc(L, LUA_GCSETPAUSE, GC_PAUSE);
    lua_pushcfunction(L, pmain);
    lua_pushlightuserdata(L, &m);
    status = adlua_pcall_traceback(L, 1, 0);
    adlua_report(L, progname, status);
    adlua_close(L);
    return status != 0 ? 1 : m.status;
}
