/* parallel.h: one loop split over the machine's cores (parallel.c).
 *
 * For work that is large and costs the same per element (np.tanh, np.exp
 * and np.log on big arrays): the range is cut into one contiguous chunk per
 * thread, the calling thread runs the first and workers the others, and
 * the call returns when all are done.  Each element is computed as the
 * serial loop would, so results are the same to the bit.  The workers start
 * at the first split; one split runs at a time in the process, and a caller
 * that finds the workers busy (another lua_State in another thread) runs
 * its loop alone.  The workers never call back into Lua or the allocator. */
#ifndef ADL_PARALLEL_H
#define ADL_PARALLEL_H

#include <stdint.h>

/* fn(arg, begin, end) computes elements [begin, end). */
typedef void (*adl_par_fn)(void *arg, int64_t begin, int64_t end);

/* Runs fn over [0, n): split when n >= 2 * min_chunk and more than one
 * thread is allowed, each chunk at least min_chunk long and (except the
 * last) a multiple of 8 elements; otherwise fn(arg, 0, n) on this thread. */
void adl_parallel_for(int64_t n, int64_t min_chunk, adl_par_fn fn, void *arg);

/* The number of threads a split may use (1: never split).  By default the
 * number of online cores, at most ADL_PAR_MAX_THREADS, or the environment's
 * ADLUA_NUM_THREADS when set.  Setting takes effect at the next split and
 * returns the previous value; n is clamped to [1, ADL_PAR_MAX_THREADS]. */
#define ADL_PAR_MAX_THREADS 8
int adl_parallel_threads(void);
int adl_parallel_set_threads(int n);

#endif
