/* trace.c: recording on a tape and the backward sweep; forward traces.
 *
 * A forward trace (forward mode) keeps no tape to sweep: each of its nodes
 * holds an operation's value and its tangent, computed as the operation
 * runs by the operation's forward rule (jvp.c).
 *
 * A trace owns its nodes and everything they retain until adl_trace_end;
 * boxes keep the trace struct itself alive (refcount) so that a box which
 * outlives its trace can see that it has ended and stand for its value. */
#include "trace.h"

#include "alloc.h"
#include "iter.h"

#include <stdlib.h>
#include <string.h>

/* Nodes live in fixed chunks (they never move, so a node may point into
 * itself), and what they hold besides in an arena freed all at once. */
#define CHUNK_BITS  8
#define CHUNK_NODES (1 << CHUNK_BITS)
#define ARENA_BLOCK (64 * 1024)

typedef struct arena_block {
    struct arena_block *next;
    size_t used;
    _Alignas(16) char data[ARENA_BLOCK];
} arena_block;

struct adl_trace {
    int64_t refcount; /* the stack's reference plus one per box */
    int level;
    int live;
    int forward;   /* a forward trace: nodes hold tangents, not gradients */
    int recording; /* a recording for replay (jit.c): keeps every constant */
    int broken;    /* a guard could not be noted: the recording cannot be replayed */
    int32_t nguards, capguards;
    int32_t *guard_node; /* values read out of the recording, and what they were */
    adl_array **guard_seen;
    adl_trace *below; /* the next trace down the stack */
    adl_node **chunks;
    int32_t n, nchunks;
    arena_block *arena;
    /* the 0-d constant of the latest `box * number` or `box / number`
     * (adl_apply_scalar), shared by the next such nodes with the same
     * number: a loop multiplying by one constant saves an array per step */
    adl_array *last_constant;
};

static adl_node *node_at(adl_trace *t, int32_t i) {
    return &t->chunks[i >> CHUNK_BITS][i & (CHUNK_NODES - 1)];
}

static void *arena_alloc(adl_trace *t, size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (size > ARENA_BLOCK)
        return NULL;
    if (!t->arena || t->arena->used + size > ARENA_BLOCK) {
        arena_block *b = adl_malloc(sizeof *b);
        if (!b)
            return NULL;
        b->next = t->arena;
        b->used = 0;
        t->arena = b;
    }
    void *p = t->arena->data + t->arena->used;
    t->arena->used += size;
    return p;
}

int adl_trace_live(const adl_trace *t) {
    return t->live;
}

int adl_trace_level(const adl_trace *t) {
    return t->level;
}

int adl_trace_is_forward(const adl_trace *t) {
    return t->forward;
}

void adl_trace_release(adl_trace *t) {
    if (t && --t->refcount == 0)
        adl_free(t);
}

adl_status adl_trace_begin(adl_ctx *ctx, adl_trace **out) {
    adl_trace *t = adl_calloc(1, sizeof *t);
    if (!t)
        return adl_error_nomem(ctx, "grad");
    t->refcount = 1;
    t->level = ctx->top ? ctx->top->level + 1 : 1;
    t->live = 1;
    t->below = ctx->top;
    ctx->top = t;
    ctx->depth++;
    *out = t;
    return ADL_OK;
}

adl_status adl_trace_begin_recording(adl_ctx *ctx, adl_trace **out) {
    if (ctx->top)
        return adl_error(ctx, ADL_ERR_VALUE, "jit: a recording must be the outermost trace");
    adl_status st = adl_trace_begin(ctx, out);
    if (st == ADL_OK) {
        (*out)->recording = 1;
        ctx->recording = *out;
    }
    return st;
}

adl_status adl_trace_begin_forward(adl_ctx *ctx, adl_trace **out) {
    adl_status st = adl_trace_begin(ctx, out);
    if (st == ADL_OK)
        (*out)->forward = 1;
    return st;
}

static void node_clear(adl_node *n) {
    for (int i = 0; i < n->nin; i++) {
        adl_mark_saved(n->in[i], n->op, -1);
        adl_array_release(n->in[i]);
    }
    adl_mark_saved(n->out, n->op, -1);
    adl_array_release(n->out);
    adl_array_release(n->grad);
}

void adl_trace_end(adl_ctx *ctx, adl_trace *t) {
    if (!t->live)
        return;
    for (adl_trace **p = &ctx->top; *p; p = &(*p)->below)
        if (*p == t) {
            *p = t->below;
            ctx->depth--;
            break;
        }
    t->live = 0;
    if (ctx->recording == t)
        ctx->recording = NULL;
    for (int32_t i = 0; i < t->nguards; i++)
        adl_array_release(t->guard_seen[i]);
    adl_free(t->guard_node);
    adl_free(t->guard_seen);
    t->guard_node = NULL;
    t->guard_seen = NULL;
    t->nguards = t->capguards = 0;
    /* chunk by chunk: a pointer step per node instead of node_at's index
     * arithmetic */
    for (int32_t c = 0; c * CHUNK_NODES < t->n; c++) {
        int32_t left = t->n - c * CHUNK_NODES;
        adl_node *n = t->chunks[c], *end = n + (left < CHUNK_NODES ? left : CHUNK_NODES);
        for (; n < end; n++)
            node_clear(n);
    }
    for (int32_t c = 0; c < t->nchunks; c++)
        adl_free(t->chunks[c]);
    adl_free(t->chunks);
    while (t->arena) {
        arena_block *next = t->arena->next;
        adl_free(t->arena);
        t->arena = next;
    }
    t->chunks = NULL;
    t->n = t->nchunks = 0;
    adl_array_release(t->last_constant);
    t->last_constant = NULL;
    adl_trace_release(t);
}

/* A new node's operation, operands and output (its in and parent arrays
 * set already), taking references to the inputs and the output. */
static inline void fill_node(const adl_trace *t, adl_node *n, adl_opcode op, int nin,
                             adl_array *const *in, const int32_t *parent, adl_array *out) {
    n->grad = NULL;
    n->op = op;
    n->nin = nin;
    /* a node saves only what its rule reads: the rules of + and - never read
     * a constant operand (a gradient only needs the shapes of inputs that
     * have one); a recording keeps them for the replay */
    int drop_constants = (op == ADL_OP_ADD || op == ADL_OP_SUB) && !t->recording;
    n->last_parent = -1;
    for (int i = 0; i < nin; i++) {
        if (parent[i] >= 0)
            n->last_parent = i;
        n->parent[i] = parent[i];
        n->in[i] = drop_constants && parent[i] < 0 ? NULL : in[i];
        if (n->in[i]) {
            adl_array_retain(n->in[i]);
            adl_mark_saved(n->in[i], op, 1);
        }
    }
    n->out = out;
    adl_array_retain(out);
    adl_mark_saved(out, op, 1);
}

/* record for a node that needs more than its own fields: a new chunk, more
 * than 3 operands, parameters, or NaN debugging's place in the user's
 * code.  Out of line: record's common path stays short. */
static __attribute__((noinline)) adl_status
record_general(adl_ctx *ctx, adl_trace *t, adl_opcode op, int nin, adl_array *const *in,
               const int32_t *parent, adl_array *out, const adl_params *p, int32_t *index) {
    if (t->n == t->nchunks * CHUNK_NODES) {
        adl_node **chunks = adl_realloc(t->chunks, sizeof *chunks * (size_t)(t->nchunks + 1));
        if (!chunks)
            return adl_error_nomem(ctx, adl_op_name(op));
        t->chunks = chunks;
        chunks[t->nchunks] = adl_malloc(sizeof(adl_node) * CHUNK_NODES);
        if (!chunks[t->nchunks])
            return adl_error_nomem(ctx, adl_op_name(op));
        t->nchunks++;
    }
    adl_node *n = node_at(t, t->n);
    n->in = n->in_store;
    n->parent = n->parent_store;
    n->params = NULL;
    if (nin > 3) {
        n->in = arena_alloc(t, sizeof(adl_array *) * (size_t)nin);
        n->parent = arena_alloc(t, sizeof(int32_t) * (size_t)nin);
        if (!n->in || !n->parent)
            return adl_error_nomem(ctx, adl_op_name(op));
    }
    if (ctx->debug_nans && ctx->where) {
        /* NaN debugging keeps where the user's code recorded each node */
        static const adl_params none;
        char where[256];
        ctx->where(ctx->host, where, sizeof where);
        size_t len = strlen(where) + 1;
        adl_params *q = arena_alloc(t, sizeof *q);
        char *w = arena_alloc(t, len);
        if (!q || !w)
            return adl_error_nomem(ctx, adl_op_name(op));
        *q = p ? *p : none;
        memcpy(w, where, len);
        q->where = w;
        p = q;
    }
    if (p) {
        n->params = arena_alloc(t, sizeof *p);
        if (!n->params)
            return adl_error_nomem(ctx, adl_op_name(op));
        *n->params = *p;
        if (p->index) {
            /* the index lives in the caller's frame: keep a copy */
            adl_index *copy = arena_alloc(t, sizeof *copy);
            if (!copy)
                return adl_error_nomem(ctx, adl_op_name(op));
            *copy = *p->index;
            n->params->index = copy;
        }
    }
    fill_node(t, n, op, nin, in, parent, out);
    *index = t->n++;
    return ADL_OK;
}

/* Appends a node; takes references to the inputs and the output.  Inline:
 * the common node (room in the current chunk, at most 3 operands, no
 * parameters) is a few stores per operation of a per-sample loop. */
static inline adl_status record(adl_ctx *ctx, adl_trace *t, adl_opcode op, int nin,
                                adl_array *const *in, const int32_t *parent, adl_array *out,
                                const adl_params *p, int32_t *index) {
    if (__builtin_expect(
            p != NULL || nin > 3 || ctx->debug_nans || t->n == t->nchunks * CHUNK_NODES, 0))
        return record_general(ctx, t, op, nin, in, parent, out, p, index);
    adl_node *n = node_at(t, t->n);
    n->in = n->in_store;
    n->parent = n->parent_store;
    n->params = NULL;
    fill_node(t, n, op, nin, in, parent, out);
    *index = t->n++;
    return ADL_OK;
}

/* Wraps value (taking over the caller's reference) in a box of trace t. */
static adl_status box_new(adl_ctx *ctx, adl_trace *t, int32_t node, adl_array *value,
                          adl_array **out) {
    adl_array *b = adl_array_new_box(value);
    if (!b) {
        adl_array_release(value);
        return adl_error_nomem(ctx, "grad");
    }
    b->level = t->level;
    b->inner = value;
    b->trace = t;
    t->refcount++;
    b->node = node;
    *out = b;
    return ADL_OK;
}

/* Records value (its reference taken over: released on failure) as the
 * result of op on `in` and boxes it: the end of every traced operation. */
static inline adl_status record_boxed(adl_ctx *ctx, adl_trace *t, adl_opcode op, int nin,
                                      adl_array *const *in, const int32_t *parent, adl_array *value,
                                      const adl_params *p, adl_array **out) {
    int32_t node;
    adl_status st = record(ctx, t, op, nin, in, parent, value, p, &node);
    if (st) {
        adl_array_release(value);
        return st;
    }
    return box_new(ctx, t, node, value, out);
}

adl_status adl_trace_leaf(adl_ctx *ctx, adl_trace *t, adl_array *x, adl_array **box) {
    int32_t node;
    adl_status st = record(ctx, t, ADL_OP_LEAF, 0, NULL, NULL, x, NULL, &node);
    if (st)
        return st;
    adl_array_retain(x);
    return box_new(ctx, t, node, x, box);
}

adl_status adl_trace_dual(adl_ctx *ctx, adl_trace *t, adl_array *x, adl_array *tangent,
                          adl_array **box) {
    adl_status st = adl_trace_leaf(ctx, t, x, box);
    if (st == ADL_OK && tangent) {
        adl_array_retain(tangent);
        node_at(t, (*box)->node)->grad = tangent;
    }
    return st;
}

/* An operation on a forward trace t: the value from the inputs' values (one
 * level down), the tangent from their tangents by the forward rule; the
 * node keeps both.  `live` holds the inputs with dead boxes skipped. */
static adl_status forward_apply(adl_ctx *ctx, adl_trace *t, adl_opcode op, int nin,
                                adl_array *const *live, const adl_params *p, adl_array **out) {
    enum { INLINE = 4 };
    adl_array *inner_in[INLINE], *tangent_in[INLINE];
    adl_array **inner = inner_in, **tangent = tangent_in;
    adl_status st = ADL_OK;
    if (nin > INLINE) {
        inner = adl_malloc(sizeof *inner * (size_t)nin);
        tangent = adl_malloc(sizeof *tangent * (size_t)nin);
        if (!inner || !tangent) {
            st = adl_error_nomem(ctx, adl_op_name(op));
            goto done;
        }
    }
    for (int i = 0; i < nin; i++) {
        int mine = live[i]->level == t->level;
        inner[i] = mine ? live[i]->inner : live[i];
        tangent[i] = mine ? node_at(t, live[i]->node)->grad : NULL;
    }
    adl_array *value = NULL, *tan = NULL;
    st = adl_apply(ctx, op, nin, inner, p, &value);
    if (st == ADL_OK)
        st = adl_jvp(ctx, op, nin, inner, tangent, p, value, &tan);
    int32_t node;
    if (st == ADL_OK)
        st = record(ctx, t, op, 0, NULL, NULL, value, NULL, &node);
    if (st) {
        adl_array_release(value);
        adl_array_release(tan);
        goto done;
    }
    node_at(t, node)->grad = tan;
    st = box_new(ctx, t, node, value, out);
done:
    if (inner != inner_in) {
        adl_free(inner);
        adl_free(tangent);
    }
    return st;
}

/* op on plain arrays, with debug_nans's check of the result. */
static adl_status plain_forward(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                                const adl_params *p, adl_array **out) {
    adl_status st = adl_forward(ctx, op, nin, in, p, out);
    if (st == ADL_OK && ctx->debug_nans == 1 &&
        (st = adl_nan_check(ctx, adl_op_name(op), 0, nin, in, *out, NULL)))
        adl_array_release(*out);
    return st;
}

#define SCALAR_FAST_MAX 4096 /* elements: far below the streaming stores */

/* An elementwise primitive on small contiguous float64 values (of one
 * shape, or with a 0-d operand): the kernel's own loop called directly,
 * without its dispatch and checks, so the same bits.  Returns 0 when the
 * general path is needed. */
static int small_elementwise(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                             adl_array **out, adl_status *status) {
    adl_unary_op u;
    adl_binary_op b;
    int kind = adl_op_kernel(op, &u, &b);
    if (kind == 0 || kind != nin || ctx->debug_nans)
        return 0;
    const adl_array *x = in[0], *y = nin == 2 ? in[1] : in[0];
    if (x->dtype != ADL_FLOAT64 || y->dtype != ADL_FLOAT64 || x->size > SCALAR_FAST_MAX ||
        y->size > SCALAR_FAST_MAX || !adl_contiguous(x) || !adl_contiguous(y))
        return 0;
    const adl_array *shape_of = x;
    if (nin == 2 && !adl_shape_equal(x->ndim, x->shape, y->ndim, y->shape)) {
        if (x->ndim != 0 && y->ndim != 0)
            return 0; /* broadcasting: the general path */
        shape_of = x->ndim == 0 ? y : x;
    }
    adl_array *r =
        adl_array_alloc(ctx, adl_op_name(op), ADL_FLOAT64, shape_of->ndim, shape_of->shape);
    if (!r) {
        *status = ctx->status;
        return 1;
    }
    if (kind == 1)
        adl_k_unary_flat(ADL_FLOAT64, u, r->size, adl_f64(r), adl_first_elem(x), 1);
    else
        adl_k_binary_flat(ADL_FLOAT64, b, r->size, adl_f64(r), adl_first_elem(x),
                          x->size == r->size ? 1 : 0, adl_first_elem(y),
                          y->size == r->size ? 1 : 0);
    *out = r;
    *status = ADL_OK;
    return 1;
}

/* A 0-d array holding s (one reference): the trace's latest one when it
 * holds the same bits (a constant is never written into: nodes only read
 * it), else a new one that becomes the latest. */
static adl_array *trace_constant(adl_ctx *ctx, adl_trace *t, double s) {
    adl_array *c = t->last_constant;
    if (c && memcmp(adl_f64(c), &s, sizeof s) == 0) {
        adl_array_retain(c);
        return c;
    }
    c = adl_array_scalar(ctx, s);
    if (c) {
        adl_array_release(t->last_constant);
        adl_array_retain(c);
        t->last_constant = c;
    }
    return c;
}

/* `a op s`, or `s op a` when s_first, for + - * / of a box of one live
 * reverse trace over a small plain float64 value and a number: the most
 * common step of loss loops, computed and recorded here without the
 * general path's layers (a 0-d array for s, which + and - do not keep,
 * and the kernel's dispatch).  The same arithmetic as the kernels' loops,
 * so the same bits.  Returns 0, doing nothing, when the general path is
 * needed.  flatten: the fast paths of what it calls (adl_array_alloc,
 * record, box_new) inlined; the calls themselves were 5% of a scalar
 * chain's work (docs/performance.md, "Flattened hot paths"). */
__attribute__((flatten)) int adl_apply_scalar(adl_ctx *ctx, adl_opcode op, adl_array *a, double s,
                                              int s_first, adl_array **out, adl_status *status) {
    if ((op != ADL_OP_ADD && op != ADL_OP_SUB && op != ADL_OP_MUL && op != ADL_OP_DIV) ||
        a->level == 0 || ctx->debug_nans || !a->trace->live || a->trace->forward ||
        a->trace->recording)
        return 0;
    adl_array *v = a->inner;
    if (v->level != 0 || v->dtype != ADL_FLOAT64 || v->size > SCALAR_FAST_MAX || !adl_contiguous(v))
        return 0;
    adl_trace *t = a->trace;
    adl_array *value = adl_array_alloc(ctx, adl_op_name(op), ADL_FLOAT64, v->ndim, v->shape);
    if (!value) {
        *status = ctx->status;
        return 1;
    }
    const double *x = adl_first_elem(v);
    double *o = adl_f64(value);
    int64_t n = v->size;
    switch (op) {
    case ADL_OP_ADD:
        for (int64_t i = 0; i < n; i++)
            o[i] = s_first ? s + x[i] : x[i] + s;
        break;
    case ADL_OP_SUB:
        for (int64_t i = 0; i < n; i++)
            o[i] = s_first ? s - x[i] : x[i] - s;
        break;
    case ADL_OP_MUL:
        for (int64_t i = 0; i < n; i++)
            o[i] = s_first ? s * x[i] : x[i] * s;
        break;
    default:
        for (int64_t i = 0; i < n; i++)
            o[i] = s_first ? s / x[i] : x[i] / s;
        break;
    }
    /* the rules of * and / read the constant; those of + and - do not */
    adl_array *c = NULL;
    if (op == ADL_OP_MUL || op == ADL_OP_DIV) {
        c = trace_constant(ctx, t, s);
        if (!c) {
            adl_array_release(value);
            *status = ctx->status;
            return 1;
        }
    }
    adl_array *inputs[2] = {s_first ? c : v, s_first ? v : c};
    int32_t parents[2] = {s_first ? -1 : a->node, s_first ? a->node : -1};
    *status = record_boxed(ctx, t, op, 2, inputs, parents, value, NULL, out);
    adl_array_release(c); /* the node holds its own reference */
    return 1;
}

/* adl_apply's common case: a small elementwise primitive on the plain
 * values of one trace's boxes, computed, recorded and boxed, with the
 * fast paths of what it calls inlined (flatten, as adl_apply_scalar).
 * Returns 0, doing nothing, when the general path is needed. */
static __attribute__((flatten)) int small_traced(adl_ctx *ctx, adl_trace *t, adl_opcode op, int nin,
                                                 adl_array *const *inner, const int32_t *parent,
                                                 const adl_params *p, adl_array **out,
                                                 adl_status *status) {
    adl_array *value = NULL;
    if (op == ADL_OP_DOT
            ? ctx->debug_nans || !adl_k_dot_small(ctx, inner[0], inner[1], &value, status)
            : !small_elementwise(ctx, op, nin, inner, &value, status))
        return 0;
    if (*status)
        return 1;
    *status = record_boxed(ctx, t, op, nin, inner, parent, value, p, out);
    return 1;
}

/* noinline: the binding's flattened operators (arith, unary) call it, and
 * inlined there it would bring its whole general path along */
__attribute__((noinline)) adl_status adl_apply(adl_ctx *ctx, adl_opcode op, int nin,
                                               adl_array *const *in, const adl_params *p,
                                               adl_array **out) {
    enum { INLINE = 4 };
    adl_array *live_in[INLINE], *inner_in[INLINE];
    int32_t parent_in[INLINE];
    adl_array **live = live_in, **inner = inner_in;
    int32_t *parent = parent_in;
    adl_status st = ADL_OK;
    if (nin > INLINE) {
        live = adl_malloc(sizeof *live * (size_t)nin);
        inner = adl_malloc(sizeof *inner * (size_t)nin);
        parent = adl_malloc(sizeof *parent * (size_t)nin);
        if (!live || !inner || !parent) {
            st = adl_error_nomem(ctx, adl_op_name(op));
            goto done;
        }
    }
    int level = 0;
    adl_trace *t = NULL;
    for (int i = 0; i < nin; i++) {
        live[i] = adl_live(in[i]);
        if (live[i]->level > level) {
            level = live[i]->level;
            t = live[i]->trace;
        }
    }
    if (level == 0) {
        st = plain_forward(ctx, op, nin, live, p, out);
        goto done;
    }
    if (t->forward) {
        st = forward_apply(ctx, t, op, nin, live, p, out);
        goto done;
    }
    for (int i = 0; i < nin; i++) {
        int mine = live[i]->level == level;
        inner[i] = mine ? live[i]->inner : live[i];
        parent[i] = mine ? live[i]->node : -1;
    }
    adl_array *value;
    int plain = 1; /* the common case: one level of tracing, plain values inside */
    for (int i = 0; i < nin; i++)
        plain &= inner[i]->level == 0;
    if (plain && small_traced(ctx, t, op, nin, inner, parent, p, out, &st))
        goto done;
    if (!plain)
        st = adl_apply(ctx, op, nin, inner, p, &value);
    else
        st = plain_forward(ctx, op, nin, inner, p, &value);
    if (st)
        goto done;
    st = record_boxed(ctx, t, op, nin, inner, parent, value, p, out);
done:
    if (live != live_in) {
        adl_free(live);
        adl_free(inner);
        adl_free(parent);
    }
    return st;
}

/* accumulate's other case: the sum as a traced operation (out of line:
 * sweep is flattened). */
static __attribute__((noinline)) adl_status accumulate_traced(adl_ctx *ctx, adl_node *target,
                                                              adl_array *g) {
    adl_array *sum;
    adl_status st = adl_binary(ctx, ADL_OP_ADD, target->grad, g, &sum);
    adl_array_release(g);
    if (st)
        return st;
    adl_array_release(target->grad);
    target->grad = sum;
    return ADL_OK;
}

/* gk (its reference taken over) fitted to input k of n: summed to its
 * shape and converted to its dtype, as traced operations, and checked
 * under debug_nans (out of line: sweep is flattened, and these are rare). */
static __attribute__((noinline)) adl_status fit_gradient(adl_ctx *ctx, const adl_node *n, int k,
                                                         adl_array *gk, adl_array **fitted) {
    adl_status st;
    if (adl_shape_equal(gk->ndim, gk->shape, n->in[k]->ndim, n->in[k]->shape)) {
        *fitted = gk;
    } else {
        st = adl_sum_to(ctx, gk, n->in[k]->ndim, n->in[k]->shape, fitted);
        adl_array_release(gk);
        if (st)
            return st;
    }
    if ((*fitted)->dtype != n->in[k]->dtype) {
        /* a gradient has its input's dtype (a float32 input met a
         * float64 operand): converted, as a traced operation */
        adl_array *cast;
        st = adl_astype(ctx, *fitted, n->in[k]->dtype, &cast);
        adl_array_release(*fitted);
        if (st)
            return st;
        *fitted = cast;
    }
    if (ctx->debug_nans && (st = adl_nan_check(ctx, adl_op_name(n->op), 1, 1, &n->grad, *fitted,
                                               n->params ? n->params->where : NULL))) {
        adl_array_release(*fitted);
        return st;
    }
    return ADL_OK;
}

/* nodes[k].grad += g (g's reference taken over). */
static adl_status accumulate(adl_ctx *ctx, adl_node *target, adl_array *g) {
    if (!target->grad) {
        target->grad = g;
        return ADL_OK;
    }
    adl_array *acc = target->grad;
    /* in place when nothing else can see the accumulator and no outer trace
     * needs to record the sum */
    if (acc->level == 0 && g->level == 0 && acc->refcount == 1 && acc->buf->refcount == 1 &&
        adl_shape_equal(acc->ndim, acc->shape, g->ndim, g->shape) && adl_contiguous(acc)) {
        adl_status st = adl_k_add_into(ctx, acc, g);
        adl_array_release(g);
        return st;
    }
    return accumulate_traced(ctx, target, g);
}

/* flatten: adl_vjp's fast paths and the in-place accumulation inlined
 * (docs/performance.md, "Flattened hot paths"); the rare cases are out of
 * line (fit_gradient, accumulate_traced, general_vjp). */
static __attribute__((flatten)) adl_status sweep(adl_ctx *ctx, adl_trace *t, adl_array *out,
                                                 adl_array *seed) {
    out = adl_live(out);
    if (out->level != t->level || out->trace != t)
        return ADL_OK; /* the output does not depend on the leaves */
    adl_node *top = node_at(t, out->node);
    if (seed) {
        adl_array_retain(seed);
    } else {
        seed = adl_array_alloc(ctx, "grad", out->dtype, out->ndim, out->shape);
        if (!seed)
            return ctx->status;
        adl_k_fill(seed, 1.0);
    }
    adl_array_release(top->grad);
    top->grad = seed;
    /* a node's last rule may spend its gradient, except under debug_nans,
     * which compares each rule's result with the gradient it was given */
    int spend_last = !ctx->debug_nans;
    adl_node *n = node_at(t, out->node) + 1;
    for (int32_t i = out->node; i >= 0; i--) {
        /* a pointer step within a chunk, node_at at each chunk's end */
        n = (i & (CHUNK_NODES - 1)) == CHUNK_NODES - 1 ? node_at(t, i) : n - 1;
        if (!n->grad || n->op == ADL_OP_LEAF)
            continue;
        int last = n->last_parent; /* n->grad's last reader */
        for (int k = 0; k <= last; k++) {
            if (n->parent[k] < 0)
                continue;
            adl_array *gk, *fitted;
            adl_status st = adl_vjp(ctx, n, k, n->grad, spend_last && k == last, &gk);
            if (st)
                return st;
            if (adl_shape_equal(gk->ndim, gk->shape, n->in[k]->ndim, n->in[k]->shape) &&
                gk->dtype == n->in[k]->dtype && !ctx->debug_nans)
                fitted = gk; /* the common case: nothing to sum, convert or check */
            else if ((st = fit_gradient(ctx, n, k, gk, &fitted)))
                return st;
            st = accumulate(ctx, node_at(t, n->parent[k]), fitted);
            if (st)
                return st;
        }
        /* only leaves' gradients are asked for afterwards */
        adl_array_release(n->grad);
        n->grad = NULL;
    }
    return ADL_OK;
}

adl_status adl_trace_backward(adl_ctx *ctx, adl_trace *t, adl_array *out, adl_array *seed) {
    /* with debug_nans, a sweep blames the rule of the node (and the line that
     * recorded it), not the operation inside the rule that hit the NaN */
    if (t->forward)
        return adl_error(ctx, ADL_ERR_INTERNAL, "grad: a forward trace has no backward sweep");
    int debug = ctx->debug_nans;
    if (debug)
        ctx->debug_nans = 2;
    adl_status st = sweep(ctx, t, out, seed);
    ctx->debug_nans = debug;
    return st;
}

void adl_trace_zero_grads(adl_trace *t) {
    for (int32_t i = 0; i < t->n; i++) {
        adl_node *n = node_at(t, i);
        adl_array_release(n->grad);
        n->grad = NULL;
    }
}

adl_status adl_trace_grad(adl_ctx *ctx, adl_trace *t, adl_array *box, adl_array **g) {
    if (box->level == t->level && box->trace == t && t->live && node_at(t, box->node)->grad) {
        *g = node_at(t, box->node)->grad;
        adl_array_retain(*g);
        return ADL_OK;
    }
    *g = adl_array_zeros(ctx, "grad", box->dtype, box->ndim, box->shape);
    return *g ? ADL_OK : ctx->status;
}

int32_t adl_trace_size(const adl_trace *t) {
    return t->n;
}

const adl_node *adl_trace_node(adl_trace *t, int32_t i) {
    return node_at(t, i);
}

int adl_trace_guards(const adl_trace *t, const int32_t **node, adl_array *const **seen) {
    *node = t->guard_node;
    *seen = t->guard_seen;
    return t->broken ? -1 : t->nguards;
}

/* Notes that the recording's node `node` was read as `value`. */
static void note_guard(adl_ctx *ctx, adl_trace *t, int32_t node, const adl_array *value) {
    if (t->broken)
        return;
    if (t->nguards == t->capguards) {
        int32_t cap = t->capguards ? 2 * t->capguards : 16;
        int32_t *nodes = adl_realloc(t->guard_node, sizeof *nodes * (size_t)cap);
        if (nodes)
            t->guard_node = nodes;
        adl_array **seen = adl_realloc(t->guard_seen, sizeof *seen * (size_t)cap);
        if (seen)
            t->guard_seen = seen;
        if (!nodes || !seen) {
            t->broken = 1;
            return;
        }
        t->capguards = cap;
    }
    adl_array *copy = NULL;
    adl_status status = ctx->status;
    char msg[sizeof ctx->msg];
    memcpy(msg, ctx->msg, sizeof msg);
    if (adl_k_copy(ctx, value, &copy) != ADL_OK) {
        /* the read itself goes on: only the replay is given up */
        ctx->status = status;
        memcpy(ctx->msg, msg, sizeof msg);
        t->broken = 1;
        return;
    }
    t->guard_node[t->nguards] = node;
    t->guard_seen[t->nguards++] = copy;
}

adl_array *adl_recording_layer(adl_ctx *ctx, const adl_array *a) {
    adl_trace *rec = ctx->recording;
    if (rec)
        for (const adl_array *b = a; b->level > 0; b = b->inner)
            if (b->trace == rec)
                return (adl_array *)b;
    return NULL;
}

const adl_array *adl_value_read(adl_ctx *ctx, const adl_array *a) {
    const adl_array *value = adl_array_value(a);
    const adl_array *layer = adl_recording_layer(ctx, a);
    if (layer)
        note_guard(ctx, ctx->recording, layer->node, value);
    return value;
}

adl_array *adl_constant_of(adl_ctx *ctx, adl_array *a) {
    adl_array *layer = adl_recording_layer(ctx, a);
    return layer ? layer : (adl_array *)adl_array_value(a);
}

adl_status adl_constant_kernel(adl_ctx *ctx, adl_opcode op, int kernel, int nin,
                               adl_array *const *in, adl_array **out) {
    adl_params p = {0};
    p.kernel = kernel;
    adl_array *value[2] = {NULL, NULL};
    int32_t parent[2] = {-1, -1};
    int recorded = 0;
    for (int i = 0; i < nin && i < 2; i++) {
        adl_array *layer = adl_recording_layer(ctx, in[i]);
        recorded |= layer != NULL;
        parent[i] = layer ? layer->node : -1;
        value[i] = (adl_array *)adl_array_value(in[i]);
    }
    adl_array *r;
    adl_status st = adl_forward(ctx, op, nin, value, &p, &r);
    if (st || !recorded) {
        if (st == ADL_OK)
            *out = r;
        return st;
    }
    return record_boxed(ctx, ctx->recording, op, nin, value, parent, r, &p, out);
}
