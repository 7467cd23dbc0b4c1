/* trace.h: traced operations and the tape of one nesting level (trace.c,
 * ops.c, rules.c, jvp.c).
 *
 * Each active differentiation opens a trace with its own level (1 for the
 * outermost).  adl_apply() runs a primitive: it unboxes the arguments at the
 * highest live level present, computes on their inner values (which records
 * at lower levels, recursively), and boxes the result with a node on that
 * level's tape.  The backward sweep walks a tape in reverse and calls each
 * node's rule, written with adl_apply() itself, so a sweep run inside an
 * outer trace is recorded there and can be differentiated again.  A forward
 * trace (forward mode) computes each node's tangent as the node is made.
 */
#ifndef ADL_TRACE_H
#define ADL_TRACE_H

#include "adl_core.h"

typedef enum {
#define ADL_OP(id, name, nin) ADL_OP_##id,
#include "ops.def"
#undef ADL_OP
    ADL_OP_COUNT
} adl_opcode;

const char *adl_op_name(adl_opcode op);

/* A normalised index: one item per leading axis of the input (0-based). */
typedef struct adl_index_item {
    int64_t start, count, step; /* the positions start + k*step, k < count */
    int keep;                   /* 0: an integer index, the axis is dropped */
} adl_index_item;

typedef struct adl_index {
    int n;
    adl_index_item item[ADL_MAX_DIMS];
} adl_index;

struct adl_node;
struct adl_custom;

/* Parameters of the shape-aware operations. */
typedef struct adl_params {
    int naxes; /* SUM MAX MIN: reduced axes (0-based); TRANSPOSE: permutation */
    int axes[ADL_MAX_DIMS];
    int keepdims;
    int ndim; /* RESHAPE BROADCAST_TO SCATTER: target shape */
    int64_t shape[ADL_MAX_DIMS];
    const adl_index *index;          /* GETITEM SCATTER */
    const struct adl_custom *custom; /* CUSTOM: the user's operation */
    const char *where;               /* with debug_nans: where the user's code recorded it */
    adl_dtype dtype;                 /* ASTYPE: the target dtype */
    int kernel; /* KERNEL_UNARY, KERNEL_BINARY: the adl_unary_op or adl_binary_op */
} adl_params;

/* A user's operation (custom.c): its forward computation and its rule live
 * outside the core (the binding calls Lua), behind opaque callbacks. */
typedef struct adl_custom {
    adl_status (*forward)(adl_ctx *ctx, const struct adl_custom *c, int nin, adl_array *const *in,
                          adl_array **out);
    /* the gradient with respect to input k of node n, given g */
    adl_status (*vjp)(adl_ctx *ctx, const struct adl_custom *c, const struct adl_node *n, int k,
                      adl_array *g, adl_array **out);
    /* the output's tangent for input k's tangent t; *out stays NULL when the
     * user gave no forward rule for k (forward mode then transposes vjp) */
    adl_status (*jvp)(adl_ctx *ctx, const struct adl_custom *c, int nin, adl_array *const *in,
                      adl_array *ans, int k, adl_array *t, adl_array **out);
    void *data;
} adl_custom;

typedef struct adl_trace adl_trace;

/* One record on a tape. */
typedef struct adl_node {
    adl_opcode op;
    int nin;
    adl_array **in;  /* the inputs' values one level down (retained) */
    int32_t *parent; /* the inputs' nodes on this tape, -1 for constants */
    adl_array *out;  /* the output's value one level down (retained) */
    adl_params *params;
    adl_array *grad;        /* accumulated during the sweep */
    adl_array *in_store[3]; /* room for `in` and `parent` of small nodes */
    int32_t parent_store[3];
    int32_t last_parent; /* the last input with a parent, -1 for none (the sweep's last rule) */
} adl_node;

/* Runs primitive `op` on any mix of plain arrays and boxes. */
adl_status adl_apply(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                     const adl_params *p, adl_array **out);
/* The fast path of adl_binary_scalar and adl_scalar_binary: `a op s` (`s op
 * a` when s_first) for + - * / of a small float64 box; returns 0 when the
 * general path must run, 1 with *status (and *out) set otherwise. */
int adl_apply_scalar(adl_ctx *ctx, adl_opcode op, adl_array *a, double s, int s_first,
                     adl_array **out, adl_status *status);
/* The forward computation of `op` on plain arrays (ops.c). */
adl_status adl_forward(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                       const adl_params *p, adl_array **out);
/* The same into `out`, a contiguous plain array of the result's shape and
 * dtype, for the elementwise operations and dot; returns 0, having done
 * nothing, for other operations or operands (trace replay, jit.c). */
int adl_forward_into(adl_ctx *ctx, adl_opcode op, adl_array *const *in, adl_array *out,
                     adl_status *st);
/* The kernel of an elementwise primitive: 1 (unary, *u set), 2 (binary, *b
 * set) or 0 (not elementwise). */
int adl_op_kernel(adl_opcode op, adl_unary_op *u, adl_binary_op *b);
/* The gradient with respect to input k of node n, given the output's
 * gradient g; the result may need summing back to the input's shape (rules.c).
 * `spend_g`: the caller reads g no more after this call (the sweep's last
 * input of a node), so a fused rule may write its result into g's own
 * numbers when nothing else holds them. */
adl_status adl_vjp(adl_ctx *ctx, const adl_node *n, int k, adl_array *g, int spend_g,
                   adl_array **out);
/* The forward rule: the tangent of op's output `ans` at inputs `in` (values
 * one level below the forward trace) given the inputs' tangents (NULL:
 * zero); *out is NULL when the tangent is zero.  Written with traced
 * operations, so forward mode nests with itself and with reverse mode
 * (jvp.c). */
adl_status adl_jvp(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                   adl_array *const *tangent, const adl_params *p, adl_array *ans, adl_array **out);
/* Whether op has a forward rule of its own; the others transpose their
 * reverse rule, one operation at a time (jvp.c). */
int adl_jvp_has_rule(adl_opcode op);
/* The same rule as one fused loop when nothing will record it (plain
 * contiguous float64 operands); *out stays NULL when not covered (rules_fast.c). */
adl_status adl_vjp_fused(adl_ctx *ctx, const adl_node *n, int k, adl_array *g, int spend_g,
                         adl_array **out);

/* Counts (d = +1) or uncounts (-1) a hold on plain array a's buffer by a
 * tape record of operation `by` (or ADL_SAVED_BY_JIT), so that writing into
 * the buffer in place while the hold lives can be refused (setitem), naming
 * who holds it.  Boxes and NULL are ignored. */
static inline void adl_mark_saved(adl_array *a, int32_t by, int32_t d) {
    if (a && a->level == 0 && a->buf) {
        a->buf->saved += d;
        if (d > 0)
            a->buf->saved_op = by;
    }
}
/* Opens a trace one level above the innermost live one. */
adl_status adl_trace_begin(adl_ctx *ctx, adl_trace **t);
/* Opens a forward trace (forward mode): operations on its boxes compute
 * their tangents as they run; adl_trace_grad reads a box's tangent. */
adl_status adl_trace_begin_forward(adl_ctx *ctx, adl_trace **t);
int adl_trace_is_forward(const adl_trace *t);
/* Opens a recording for replay (jit.c): a reverse trace that must be the
 * outermost, whose nodes keep every constant operand, and which notes each
 * value read out of it (adl_value_read) as a guard. */
adl_status adl_trace_begin_recording(adl_ctx *ctx, adl_trace **t);
/* The nodes recorded so far, and node i of them. */
int32_t adl_trace_size(const adl_trace *t);
const adl_node *adl_trace_node(adl_trace *t, int32_t i);
/* The values read out of recording t: the nodes read and copies of what
 * they held; -1 when one could not be noted (out of memory). */
int adl_trace_guards(const adl_trace *t, const int32_t **node, adl_array *const **seen);
/* a's plain value, read for use outside traced operations (a Lua number, a
 * constant such as a comparison's mask): when a live recording recorded a,
 * the value is noted as a guard of the replay. */
const adl_array *adl_value_read(adl_ctx *ctx, const adl_array *a);
/* The layer of a recorded on the live recording (a box of it), or NULL. */
adl_array *adl_recording_layer(adl_ctx *ctx, const adl_array *a);
/* a as a constant to differentiation: its plain value, or its layer on the
 * live recording, which a replay computes afresh (ad.jit). */
adl_array *adl_constant_of(adl_ctx *ctx, adl_array *a);
/* A kernel whose result is a constant to differentiation (op KERNEL_UNARY
 * or KERNEL_BINARY, `kernel` an adl_unary_op or adl_binary_op) on the
 * inputs' plain values; when an input depends on the live recording, the
 * result is recorded there (a box of it), so that a replay computes it. */
adl_status adl_constant_kernel(adl_ctx *ctx, adl_opcode op, int kernel, int nin,
                               adl_array *const *in, adl_array **out);
/* Boxes x as an independent variable of forward trace t with the given
 * tangent (x's shape and dtype; NULL: zero). */
adl_status adl_trace_dual(adl_ctx *ctx, adl_trace *t, adl_array *x, adl_array *tangent,
                          adl_array **box);
/* Boxes x as an independent variable of t. */
adl_status adl_trace_leaf(adl_ctx *ctx, adl_trace *t, adl_array *x, adl_array **box);
/* Sweeps t backwards from `out` with the output gradient `seed` (NULL: ones).
 * `out` not recorded on t means nothing depends on the leaves. */
adl_status adl_trace_backward(adl_ctx *ctx, adl_trace *t, adl_array *out, adl_array *seed);
/* The gradient accumulated for leaf `box` (zeros when nothing reached it). */
adl_status adl_trace_grad(adl_ctx *ctx, adl_trace *t, adl_array *box, adl_array **g);
/* Closes t (wherever it is on the stack): its boxes behave as their values. */
void adl_trace_end(adl_ctx *ctx, adl_trace *t);
/* Forgets every accumulated gradient, so that t can be swept again with
 * another seed (Jacobians: one forward pass, one sweep per row). */
void adl_trace_zero_grads(adl_trace *t);
void adl_trace_release(adl_trace *t);
int adl_trace_live(const adl_trace *t);
int adl_trace_level(const adl_trace *t);

/* A box whose trace has ended stands for its value: skip such layers. */
static inline adl_array *adl_live(adl_array *a) {
    while (a->level > 0 && !adl_trace_live(a->trace))
        a = a->inner;
    return a;
}

/* ---- traced operations (ops.c): the API the binding and the rules use ---- */
adl_status adl_unary(adl_ctx *ctx, adl_opcode op, adl_array *a, adl_array **out);
adl_status adl_binary(adl_ctx *ctx, adl_opcode op, adl_array *a, adl_array *b, adl_array **out);
/* a (op) s and s (op) a with a number s. */
adl_status adl_binary_scalar(adl_ctx *ctx, adl_opcode op, adl_array *a, double s, adl_array **out);
adl_status adl_scalar_binary(adl_ctx *ctx, adl_opcode op, double s, adl_array *a, adl_array **out);
/* Comparisons and sign: constants, computed on the plain values. */
adl_status adl_compare(adl_ctx *ctx, adl_binary_op op, adl_array *a, adl_array *b, adl_array **out);
adl_status adl_sign(adl_ctx *ctx, adl_array *a, adl_array **out);
adl_status adl_constant_unary(adl_ctx *ctx, adl_unary_op op, adl_array *a, adl_array **out);
adl_status adl_where(adl_ctx *ctx, adl_array *cond, adl_array *a, adl_array *b, adl_array **out);
/* Reductions over 0-based axes (naxes -1: all axes). */
adl_status adl_reduce(adl_ctx *ctx, adl_opcode op, adl_array *a, int naxes, const int *axes,
                      int keepdims, adl_array **out);
adl_status adl_mean(adl_ctx *ctx, adl_array *a, int naxes, const int *axes, int keepdims,
                    adl_array **out);
adl_status adl_dot(adl_ctx *ctx, adl_array *a, adl_array *b, adl_array **out);
/* Shape may hold one -1 (inferred); `op` names the caller in errors. */
adl_status adl_reshape(adl_ctx *ctx, const char *op, adl_array *a, int ndim, const int64_t *shape,
                       adl_array **out);
/* perm NULL: reverse the axes. */
adl_status adl_transpose(adl_ctx *ctx, adl_array *a, const int *perm, adl_array **out);
adl_status adl_broadcast_to(adl_ctx *ctx, adl_array *a, int ndim, const int64_t *shape,
                            adl_array **out);
/* Sums g down to `shape` (undoes broadcasting). */
adl_status adl_sum_to(adl_ctx *ctx, adl_array *g, int ndim, const int64_t *shape, adl_array **out);
adl_status adl_getitem(adl_ctx *ctx, adl_array *a, const adl_index *idx, adl_array **out);
/* The shape, strides and offset of the view of a that idx selects (what
 * adl_getitem makes of a plain array); returns its ndim. */
int adl_index_geometry(const adl_array *a, const adl_index *idx, int64_t *shape, int64_t *strides,
                       int64_t *offset);
adl_status adl_concatenate(adl_ctx *ctx, int n, adl_array *const *arrays, int axis,
                           adl_array **out);
adl_status adl_copy(adl_ctx *ctx, adl_array *a, adl_array **out);
/* A copy of a converted to dtype dt (a plain copy when a has it already);
 * differentiable: the gradient is converted back to a's dtype. */
adl_status adl_astype(adl_ctx *ctx, adl_array *a, adl_dtype dt, adl_array **out);
/* Runs the user's operation c on any mix of plain arrays and boxes (custom.c). */
adl_status adl_custom_apply(adl_ctx *ctx, const adl_custom *c, int nin, adl_array *const *in,
                            adl_array **out);
/* With ctx->debug_nans: fails naming operation `op` (its derivative when
 * `backward`) when `out` holds NaN or Inf while all of `in` are finite;
 * `where` (NULL: ask ctx->where) is the user's line (debug_nans.c). */
adl_status adl_nan_check(adl_ctx *ctx, const char *op, int backward, int nin, adl_array *const *in,
                         const adl_array *out, const char *where);

#endif
