/* blas_detect.c: the best OpenBLAS kernels the CPU supports.
 *
 * Debian's OpenBLAS 0.3.21 is a DYNAMIC_ARCH build: at load time it reads
 * CPUID and picks a kernel set ("core").  On CPUs it does not recognise
 * (new models, some hypervisors' CPUID) it falls back to the generic
 * "Prescott" SSE3 kernels, about 5x slower for dgemm than the AVX-512 ones
 * the CPU could run; OPENBLAS_CORETYPE overrides the choice.  Here we rank
 * the core OpenBLAS chose by the instruction set it needs and compare it with
 * what the CPU and OS support (__builtin_cpu_supports checks XGETBV too):
 * only a core strictly below the CPU's level is replaced, so CPUs where the
 * detection works, unknown core names and user settings are left alone.
 *
 * The adlua program re-executes itself with OPENBLAS_CORETYPE set
 * (lua_main.c), so OpenBLAS initialises once, as designed.  A module loaded
 * into a running luajit cannot; it uses gotoblas_dynamic_quit/init, which
 * OpenBLAS exports: init re-reads OPENBLAS_CORETYPE and sets the kernel
 * parameters, and nothing depends on the old table while no BLAS call runs.
 */
#include "blas_detect.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* OpenBLAS's own functions, not in cblas.h; weak so that another BLAS links. */
extern char *openblas_get_corename(void) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

/* Instruction-set levels; a core needs its level, a CPU offers one. */
enum { LVL_SSE3 = 1, LVL_SSE42, LVL_AVX, LVL_AVX2, LVL_AVX512 };

/* OpenBLAS 0.3.21's x86-64 core names (driver/others/dynamic.c) and the
 * level their kernels use. */
static const struct {
    const char *name;
    int level;
} cores[] = {
    {"Prescott", LVL_SSE3},      {"Core2", LVL_SSE3},        {"Penryn", LVL_SSE3},
    {"Dunnington", LVL_SSE3},    {"Atom", LVL_SSE3},         {"Opteron", LVL_SSE3},
    {"Opteron(SSE3)", LVL_SSE3}, {"Nano", LVL_SSE3},         {"Barcelona", LVL_SSE3},
    {"Bobcat", LVL_SSE3},        {"Nehalem", LVL_SSE42},     {"Sandybridge", LVL_AVX},
    {"Bulldozer", LVL_AVX},      {"Piledriver", LVL_AVX},    {"Steamroller", LVL_AVX},
    {"Excavator", LVL_AVX},      {"Haswell", LVL_AVX2},      {"Zen", LVL_AVX2},
    {"SkylakeX", LVL_AVX512},    {"Cooperlake", LVL_AVX512}, {"SapphireRapids", LVL_AVX512},
};

/* The core to ask for at each CPU level (SkylakeX: measured correct and
 * fastest on AVX-512 CPUs OpenBLAS 0.3.21 does not know). */
static const char *const best_core[] = {NULL,          "Prescott", "Nehalem",
                                        "Sandybridge", "Haswell",  "SkylakeX"};

static int upgraded; /* adl_blas_upgrade_in_process switched the kernels */

static int core_level(const char *name) {
    size_t i;
    for (i = 0; i < sizeof cores / sizeof cores[0]; i++)
        if (strcasecmp(name, cores[i].name) == 0)
            return cores[i].level;
    return 0;
}

static int cpu_level(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return LVL_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return LVL_AVX2;
    if (__builtin_cpu_supports("avx"))
        return LVL_AVX;
    if (__builtin_cpu_supports("sse4.2"))
        return LVL_SSE42;
    return LVL_SSE3;
#else
    return 0; /* not x86-64: OpenBLAS's choice stands */
#endif
}

const char *adl_blas_corename(void) {
    return openblas_get_corename != NULL ? openblas_get_corename() : NULL;
}

int adl_blas_threads(void) {
    return openblas_get_num_threads != NULL ? openblas_get_num_threads() : 0;
}

const char *adl_blas_better_coretype(void) {
    const char *core = adl_blas_corename();
    int have, can;
    if (core == NULL || getenv("OPENBLAS_CORETYPE") != NULL)
        return NULL;
    have = core_level(core);
    can = cpu_level();
    if (have == 0 || can <= have)
        return NULL;
    return best_core[can];
}

int adl_blas_upgrade_in_process(void) {
    const char *better = adl_blas_better_coretype();
    void (*quit)(void), (*init)(void);
    if (better == NULL)
        return 0;
    /* POSIX allows converting dlsym's result to a function pointer. */
    *(void **)&quit = dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    *(void **)&init = dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (quit == NULL || init == NULL)
        return 0;
    if (setenv("OPENBLAS_CORETYPE", better, 0) != 0)
        return 0;
    setenv("ADLUA_BLAS_AUTO", better, 1);
    quit();
    init();
    upgraded = 1;
    return 1;
}

void adl_blas_reexec_if_better(char **argv) {
    const char *better = adl_blas_better_coretype();
    if (better == NULL || argv == NULL || argv[0] == NULL)
        return;
    if (setenv("OPENBLAS_CORETYPE", better, 0) != 0 || setenv("ADLUA_BLAS_AUTO", better, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc?): go on; the module upgrades in process */
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv("ADLUA_BLAS_AUTO");
}

int adl_blas_auto(void) {
    const char *picked = getenv("ADLUA_BLAS_AUTO");
    const char *env = getenv("OPENBLAS_CORETYPE");
    if (upgraded)
        return 1;
    /* re-executed by us, and the user's environment has not changed since */
    return picked != NULL && env != NULL && strcmp(picked, env) == 0;
}
