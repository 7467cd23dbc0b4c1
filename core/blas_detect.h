/* blas_detect.h: the OpenBLAS kernels in use, and the best ones the CPU
 * supports when OpenBLAS's own detection falls short. See blas_detect.c. */
#ifndef ADL_BLAS_DETECT_H
#define ADL_BLAS_DETECT_H

/* OpenBLAS's core name ("SkylakeX", "Haswell", ...), or NULL for another BLAS. */
const char *adl_blas_corename(void);

/* OpenBLAS's thread count, or 0 when unknown. */
int adl_blas_threads(void);

/* The OPENBLAS_CORETYPE this CPU should get, or NULL when the kernels in use
 * are already as good as the CPU allows, the user set OPENBLAS_CORETYPE, the
 * core name is unknown to the table, or the BLAS is not OpenBLAS. */
const char *adl_blas_better_coretype(void);

/* For a library loaded into a running process (the Lua module under a stock
 * luajit): switches OpenBLAS to adl_blas_better_coretype() through its
 * dynamic-arch entry points, before any BLAS call of ours. Returns 1 when it
 * switched, 0 when nothing needed doing or the entry points are missing.
 * Sets OPENBLAS_CORETYPE so that child processes get the same kernels. */
int adl_blas_upgrade_in_process(void);

/* The program's way (lua_main.c): when better kernels exist, sets
 * OPENBLAS_CORETYPE and ADLUA_BLAS_AUTO and re-executes /proc/self/exe with
 * argv, so that OpenBLAS initialises once with them. Returns only when
 * nothing needed doing or the exec failed. */
void adl_blas_reexec_if_better(char **argv);

/* Did adlua choose the kernels (in this process or before a re-exec)? */
int adl_blas_auto(void);

#endif
