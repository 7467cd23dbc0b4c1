/* scalar_tape.c: a bound for W3 (bench/WORKLOADS.md) on a binding that
 * makes no userdata per operation, which adlua's does (see "Beyond the
 * floor" in docs/performance.md).
 *
 * A tape of one-number records: the operation, its one traced input, a
 * constant operand and the value.  bench/scalar_tape_w3.lua loads it
 * through LuaJIT's FFI, keeps each box as a Lua table holding its number
 * and its record's position, and runs W3's chain forward (one record per
 * operation) and backward (st_backward).  It covers W3's three operations
 * only (box + number, box * number, tanh): a measure of what the design
 * would cost, not an engine. */
#include <stdint.h>
#include <stdlib.h>

enum { ST_LEAF, ST_ADD_CONST, ST_MUL_CONST, ST_TANH };

typedef struct st_tape {
    int32_t n, cap;
    uint8_t *op;
    int32_t *in; /* the traced input's record, -1 for none */
    double *c;   /* the constant operand */
    double *v;   /* the value */
    double *g;   /* the gradient, during st_backward */
} st_tape;

st_tape *st_new(void) {
    return calloc(1, sizeof(st_tape));
}

void st_free(st_tape *t) {
    if (!t)
        return;
    free(t->op);
    free(t->in);
    free(t->c);
    free(t->v);
    free(t->g);
    free(t);
}

void st_clear(st_tape *t) {
    t->n = 0;
}

/* Doubles the room; 0 when out of memory (the tape keeps its entries and
 * its count; arrays already grown stay grown). */
static int grow(st_tape *t) {
    int32_t cap = t->cap ? 2 * t->cap : 4096;
    if (cap < t->cap)
        return 0;
#define RESIZE(field)                                                \
    do {                                                             \
        void *q = realloc(t->field, sizeof *t->field * (size_t)cap); \
        if (!q)                                                      \
            return 0;                                                \
        t->field = q;                                                \
    } while (0)
    RESIZE(op);
    RESIZE(in);
    RESIZE(c);
    RESIZE(v);
    RESIZE(g);
#undef RESIZE
    t->cap = cap;
    return 1;
}

/* Records one operation; returns its position, or -1 when out of memory. */
int32_t st_record(st_tape *t, int op, int32_t in, double c, double v) {
    if (t->n == t->cap && !grow(t))
        return -1;
    int32_t i = t->n++;
    t->op[i] = (uint8_t)op;
    t->in[i] = in;
    t->c[i] = c;
    t->v[i] = v;
    return i;
}

/* d out / d leaf: one sweep from `out` down to `leaf`. */
double st_backward(st_tape *t, int32_t out, int32_t leaf) {
    if (out < 0 || out >= t->n || leaf < 0 || leaf > out)
        return 0;
    for (int32_t i = leaf; i < out; i++)
        t->g[i] = 0;
    t->g[out] = 1;
    for (int32_t i = out; i > leaf; i--) {
        double g = t->g[i];
        int32_t in = t->in[i];
        if (in < 0)
            continue;
        switch (t->op[i]) {
        case ST_ADD_CONST:
            t->g[in] += g;
            break;
        case ST_MUL_CONST:
            t->g[in] += g * t->c[i];
            break;
        case ST_TANH:
            t->g[in] += g * (1 - t->v[i] * t->v[i]);
            break;
        default:
            break;
        }
    }
    return t->g[leaf];
}
