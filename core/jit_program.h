/* jit_program.h: what jit.c (compiling, replay through adl_forward) and
 * jit_plan.c (the replay without allocations) share. */
#ifndef ADL_JIT_PROGRAM_H
#define ADL_JIT_PROGRAM_H

#include "jit.h"

/* One primitive of the program.  Slots: the leaves first, then the
 * constants, then the steps' outputs. */
typedef struct step {
    adl_opcode op;
    int nin;
    int32_t out;
    int32_t node;     /* its node on the recording (while compiling) */
    int32_t *in;      /* the inputs' slots */
    int32_t *release; /* slots whose last use this step is */
    int32_t nrelease;
    adl_params *params; /* NULL, or a copy (its index and custom op included) */
} step;

typedef struct adl_plan adl_plan;

struct adl_program {
    int32_t nleaves, nconstants, nslots, nsteps, nresults, nguards;
    int maxnin;           /* the most inputs of one step */
    adl_plan *plan;       /* NULL: replay through adl_forward (jit_plan.c) */
    adl_array **constant; /* retained */
    step *steps;
    int32_t *result;    /* slot of each result */
    int32_t *guard;     /* slot of each guard ... */
    adl_array **seen;   /* ... and the value it held (retained) */
    int32_t *workspace; /* one int32 per input of all steps, and release lists */
};

/* Whether two values of the same shape hold the same numbers (NaN equals NaN). */
int adl_jit_same_values(const adl_array *a, const adl_array *b);
/* The results from the replay's values `v` (NULL: leaves, constants and the
 * plan's headers): new references, computed values copied out of the plan's
 * arena. */
adl_status adl_jit_take_results(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                                adl_array *const *v, adl_array **results);

/* jit_plan.c: builds p->plan from the recorded value of each slot, or
 * leaves it NULL when some value's layout is not known in advance. */
adl_status adl_plan_build(adl_ctx *ctx, adl_program *p, adl_array *const *rec);
void adl_plan_free(adl_plan *pl);
/* The header of slot s (a computed value in the arena, a view ...). */
const adl_array *adl_plan_header(const adl_plan *pl, int32_t s);
/* Whether the leaves have the layouts the plan was made for. */
int adl_plan_fits(const adl_program *p, adl_array *const *leaves);
adl_status adl_plan_run(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                        adl_array **results, int *valid);

/* Out of memory while compiling or replaying. */
static inline adl_status adl_jit_nomem(adl_ctx *ctx) {
    return adl_error_nomem(ctx, "jit");
}

#endif
