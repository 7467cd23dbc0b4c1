/* jit.h: replaying a recorded tape without the tracer (jit.c). */
#ifndef ADL_JIT_H
#define ADL_JIT_H

#include "trace.h"

typedef struct adl_program adl_program;

/* Compiles recording t (adl_trace_begin_recording, still live) whose
 * independent variables are `leaves` (boxes of t, in the order the replay
 * will be given them) into a program computing `results` (boxes of t, or
 * values that do not depend on the leaves) from new leaves of the same
 * shapes and dtypes. */
adl_status adl_program_compile(adl_ctx *ctx, adl_trace *t, int nleaves, adl_array *const *leaves,
                               int nresults, adl_array *const *results, adl_program **out);
/* Runs p on `leaves` (plain arrays of the recorded shapes and dtypes).
 * *valid is 1 when every guard held, and then `results` holds new
 * references; otherwise (a guard's value changed, or an error, returned)
 * nothing is returned and the caller records again. */
adl_status adl_program_run(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                           adl_array **results, int *valid);
int32_t adl_program_steps(const adl_program *p);
int32_t adl_program_guards(const adl_program *p);
void adl_program_free(adl_program *p);

#endif
