/* jit.c: a recorded tape compiled into a program that replays it.
 *
 * A recording (adl_trace_begin_recording) is the outermost reverse trace of
 * one call of the user's function: its nodes are every primitive computed
 * from the leaves, the function's forward pass and the backward sweeps of
 * the grads inside it alike, since those sweeps run on its boxes.  A
 * program keeps the nodes the results and the guards depend on, in
 * recording order, and runs them on new leaves with adl_forward: no Lua,
 * no boxes, no tape.  A guard is a value the recording let out of traced
 * operations (a Lua number, a comparison's mask); the replay is valid only
 * when each guard's value comes out the same, otherwise the caller records
 * again.  Each intermediate value is released after its last use. */
#include "jit.h"

#include "alloc.h"
#include "iter.h"

#include <math.h>
#include <string.h>

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

/* The replay without allocations, when every value's layout is known:
 * each slot has a header made once, computed values live in one arena
 * (a region per value, reused after its last read), views are headers
 * onto their root's memory and cost nothing at replay.  Steps run into
 * their headers (adl_forward_into), or compute and copy in. */
enum { PS_VIEW, PS_UNARY, PS_BINARY, PS_SCALAR, PS_COPY, PS_GENERAL };

/* How a step runs: nothing (a view), a flat loop (elementwise on operands
 * that are contiguous or single values), or into its header. */
typedef struct plan_step {
    unsigned char kind, kernel;
    int64_t n, sa, sb; /* flat loops: the length and the operands' strides */
    /* where the flat loops write and read; NULL: on a leaf's memory, found
     * from the header at each replay */
    void *o;
    const void *a, *b;
} plan_step;

typedef struct plan {
    adl_array *hdr;     /* per slot; never freed through refcounts */
    int64_t *dims;      /* shapes and strides of more than ADL_INLINE_DIMS axes */
    plan_step *ps;      /* per step */
    adl_buffer arena;   /* the computed values' memory (borrowed by headers) */
    int32_t *leaf_view; /* view slots on a leaf's memory: re-pointed per replay */
    int64_t *leaf_rel;  /* ... at this offset from the leaf's */
    int32_t *leaf_root;
    int32_t nleaf_views;
} plan;

struct adl_program {
    int32_t nleaves, nconstants, nslots, nsteps, nresults, nguards;
    int maxnin;           /* the most inputs of one step */
    plan *plan;           /* NULL: replay through adl_forward */
    adl_array **constant; /* retained */
    step *steps;
    int32_t *result;    /* slot of each result */
    int32_t *guard;     /* slot of each guard ... */
    adl_array **seen;   /* ... and the value it held (retained) */
    int32_t *workspace; /* one int32 per input of all steps, and release lists */
};

static adl_status nomem(adl_ctx *ctx) {
    return adl_error_nomem(ctx, "jit");
}

/* A program's hold on a constant's buffer: assigning into it in place
 * (setitem) is refused while the program lives, as it is while a tape
 * saved it, since the recording computed from its numbers then. */
static void mark_constant(adl_array *c, int32_t d) {
    if (c->buf) {
        c->buf->saved += d;
        if (d > 0)
            c->buf->saved_op = ADL_SAVED_BY_JIT;
    }
}

static void plan_free(plan *pl) {
    if (!pl)
        return;
    adl_free(pl->hdr);
    adl_free(pl->dims);
    adl_free(pl->ps);
    adl_free(pl->arena.data);
    adl_free(pl->leaf_view);
    adl_free(pl->leaf_rel);
    adl_free(pl->leaf_root);
    adl_free(pl);
}

void adl_program_free(adl_program *p) {
    if (!p)
        return;
    plan_free(p->plan);
    for (int32_t i = 0; i < p->nconstants; i++) {
        mark_constant(p->constant[i], -1);
        adl_array_release(p->constant[i]);
    }
    for (int32_t i = 0; i < p->nguards; i++)
        adl_array_release(p->seen[i]);
    for (int32_t i = 0; i < p->nsteps; i++)
        if (p->steps[i].params) {
            adl_free((void *)p->steps[i].params->index);
            adl_free(p->steps[i].params);
        }
    adl_free(p->constant);
    adl_free(p->steps);
    adl_free(p->result);
    adl_free(p->guard);
    adl_free(p->seen);
    adl_free(p->workspace);
    adl_free(p);
}

int32_t adl_program_steps(const adl_program *p) {
    return p->nsteps;
}

int32_t adl_program_guards(const adl_program *p) {
    return p->nguards;
}

/* The node of recording t that x is, or -1 (x does not depend on the leaves). */
static int32_t node_of_box(adl_trace *t, adl_array *x) {
    x = adl_live(x);
    return x->level > 0 && x->trace == t ? x->node : -1;
}

static adl_status copy_params(adl_ctx *ctx, const adl_params *from, adl_params **to) {
    *to = NULL;
    if (!from)
        return ADL_OK;
    adl_params *p = adl_malloc(sizeof *p);
    if (!p)
        return nomem(ctx);
    *p = *from;
    p->where = NULL;
    if (from->index) {
        adl_index *idx = adl_malloc(sizeof *idx);
        if (!idx) {
            adl_free(p);
            return nomem(ctx);
        }
        *idx = *from->index;
        p->index = idx;
    }
    *to = p;
    return ADL_OK;
}

/* ---- the allocation-free replay ---- */

#define ARENA_ALIGN 64
#define MAX_ARENA   ((int64_t)1 << 28) /* beyond: replay through adl_forward */

typedef struct region {
    int64_t off, size;
} region;

/* First fit among the freed regions, else more arena. */
static int64_t arena_take(region *fr, int32_t *nfree, int64_t *top, int64_t size) {
    for (int32_t i = 0; i < *nfree; i++)
        if (fr[i].size >= size) {
            int64_t off = fr[i].off;
            fr[i].off += size;
            fr[i].size -= size;
            if (fr[i].size == 0) {
                memmove(&fr[i], &fr[i + 1], sizeof *fr * (size_t)(*nfree - i - 1));
                (*nfree)--;
            }
            return off;
        }
    int64_t off = *top;
    *top += size;
    return off;
}

/* Gives a region back, merged with its free neighbours (the list stays sorted). */
static void arena_give(region *fr, int32_t *nfree, int64_t off, int64_t size) {
    int32_t i = 0;
    while (i < *nfree && fr[i].off < off)
        i++;
    if (i > 0 && fr[i - 1].off + fr[i - 1].size == off) {
        fr[i - 1].size += size;
        if (i < *nfree && fr[i - 1].off + fr[i - 1].size == fr[i].off) {
            fr[i - 1].size += fr[i].size;
            memmove(&fr[i], &fr[i + 1], sizeof *fr * (size_t)(*nfree - i - 1));
            (*nfree)--;
        }
        return;
    }
    if (i < *nfree && off + size == fr[i].off) {
        fr[i].off = off;
        fr[i].size += size;
        return;
    }
    memmove(&fr[i + 1], &fr[i], sizeof *fr * (size_t)(*nfree - i));
    fr[i].off = off;
    fr[i].size = size;
    (*nfree)++;
}

/* The stride of a flat loop over operand a for n results: 1 when a is
 * contiguous with n elements, 0 for one element, the stride of its one
 * long axis when `strided`, -1 otherwise. */
static int64_t flat_stride(const adl_array *a, int64_t n, int strided) {
    if (a->size == n && adl_array_is_contiguous(a))
        return 1; /* also n == 1: the loops' contiguous path */
    if (a->size == 1)
        return 0;
    if (a->size != n)
        return -1;
    int long_axes = 0;
    int64_t stride = -1;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] > 1) {
            long_axes++;
            stride = a->strides[i];
        }
    return strided && long_axes == 1 && stride > 0 ? stride : -1;
}

/* Makes step sp a flat loop when it is elementwise on operands of its
 * result's dtype that are contiguous or single values (the layouts are
 * the replay's: headers made already). */
static void flatten(plan_step *ps, const step *sp, const adl_array *hdr) {
    adl_unary_op u = 0;
    adl_binary_op b = 0;
    const adl_array *out = &hdr[sp->out];
    int kind = adl_op_kernel(sp->op, &u, &b);
    if (sp->op == ADL_OP_KERNEL_UNARY || sp->op == ADL_OP_KERNEL_BINARY) {
        kind = sp->op == ADL_OP_KERNEL_UNARY ? 1 : 2;
        u = (adl_unary_op)sp->params->kernel;
        b = (adl_binary_op)sp->params->kernel;
    }
    if ((unsigned)out->dtype > ADL_FLOAT32 || sp->nin < 1)
        return;
    for (int k = 0; k < sp->nin; k++)
        if (hdr[sp->in[k]].dtype != out->dtype)
            return;
    if (kind == 0) {
        /* a copy in C order: a reshape that could not be a view, copy, astype */
        int64_t sa = flat_stride(&hdr[sp->in[0]], out->size, 1);
        if ((sp->op == ADL_OP_RESHAPE || sp->op == ADL_OP_COPY || sp->op == ADL_OP_ASTYPE) &&
            sa >= 0) {
            ps->kind = PS_COPY;
            ps->n = out->size;
            ps->sa = sa;
        }
        return;
    }
    int64_t sa = flat_stride(&hdr[sp->in[0]], out->size, 0);
    int64_t sb = kind == 2 ? flat_stride(&hdr[sp->in[1]], out->size, 0) : 0;
    if (sa < 0 || sb < 0)
        return;
    ps->kind = kind == 1 ? PS_UNARY : PS_BINARY;
    ps->kernel = (unsigned char)(kind == 1 ? (int)u : (int)b);
    if (kind == 2 && sp->op != ADL_OP_KERNEL_BINARY && out->size == 1 &&
        out->dtype == ADL_FLOAT64 &&
        (b == ADL_B_ADD || b == ADL_B_SUB || b == ADL_B_MUL || b == ADL_B_DIV))
        ps->kind = PS_SCALAR; /* +, -, *, / of two numbers: no loop call */
    ps->n = out->size;
    ps->sa = sa;
    ps->sb = sb;
}

/* A header with like's dtype and shape; strides like's, or C order. */
static void header_init(adl_array *h, const adl_array *like, int c_order, int64_t **dims) {
    memset(h, 0, sizeof *h);
    h->refcount = 1; /* the plan's: nothing else ever frees it */
    h->dtype = like->dtype;
    h->ndim = like->ndim;
    h->size = like->size;
    if (like->ndim <= ADL_INLINE_DIMS) {
        h->shape = h->dims;
        h->strides = h->dims + ADL_INLINE_DIMS;
    } else {
        h->shape = *dims;
        h->strides = *dims + like->ndim;
        *dims += 2 * like->ndim;
    }
    int64_t stride = 1;
    for (int i = like->ndim - 1; i >= 0; i--) {
        h->shape[i] = like->shape[i];
        h->strides[i] = c_order ? stride : like->strides[i];
        stride *= like->shape[i];
    }
}

/* Builds p->plan from the recorded value of each slot; leaves p->plan NULL
 * when some value's layout is not known in advance (or a user's operation,
 * which may keep its arguments, takes part). */
static adl_status build_plan(adl_ctx *ctx, adl_program *p, adl_array *const *rec) {
    int32_t ns = p->nslots, first = p->nleaves + p->nconstants;
    for (int32_t i = 0; i < p->nsteps; i++)
        if (p->steps[i].op == ADL_OP_CUSTOM)
            return ADL_OK;
    for (int32_t s = 0; s < ns; s++)
        if (!rec[s] || rec[s]->level || !rec[s]->buf)
            return ADL_OK;
    int64_t ndims = 0;
    for (int32_t s = 0; s < ns; s++)
        if (rec[s]->ndim > ADL_INLINE_DIMS)
            ndims += 2 * rec[s]->ndim;
    plan *pl = adl_calloc(1, sizeof *pl);
    int32_t *root = adl_malloc(sizeof *root * (size_t)ns);
    int64_t *rel = adl_malloc(sizeof *rel * (size_t)ns);
    int32_t *last = adl_malloc(sizeof *last * (size_t)ns);
    region *fr = adl_malloc(sizeof *fr * (size_t)(p->nsteps + 1));
    adl_status st = ADL_OK;
    if (!pl || !root || !rel || !last || !fr)
        goto nomem;
    pl->hdr = adl_calloc((size_t)ns, sizeof *pl->hdr);
    pl->dims = adl_malloc(sizeof *pl->dims * (size_t)(ndims + 1));
    pl->ps = adl_calloc((size_t)p->nsteps + 1, sizeof *pl->ps);
    pl->leaf_view = adl_malloc(sizeof *pl->leaf_view * (size_t)(p->nsteps + 1));
    pl->leaf_rel = adl_malloc(sizeof *pl->leaf_rel * (size_t)(p->nsteps + 1));
    pl->leaf_root = adl_malloc(sizeof *pl->leaf_root * (size_t)(p->nsteps + 1));
    if (!pl->hdr || !pl->dims || !pl->ps || !pl->leaf_view || !pl->leaf_rel || !pl->leaf_root)
        goto nomem;
    pl->arena.refcount = 1;
    int64_t *dims = pl->dims;
    /* which memory each value lives in: its own, or its root's (views) */
    for (int32_t s = 0; s < first; s++) {
        root[s] = s;
        rel[s] = 0;
        header_init(&pl->hdr[s], rec[s], 0, &dims);
        if (s >= p->nleaves) {
            pl->hdr[s].buf = rec[s]->buf;
            pl->hdr[s].offset = rec[s]->offset;
        }
    }
    for (int32_t i = 0; i < p->nsteps; i++) {
        const step *sp = &p->steps[i];
        const adl_array *r = rec[sp->out];
        if (sp->nin > 0 && r->buf == rec[sp->in[0]]->buf) {
            pl->ps[i].kind = PS_VIEW;
            root[sp->out] = root[sp->in[0]];
            rel[sp->out] = r->offset - rec[root[sp->out]]->offset;
        } else if (adl_array_is_contiguous(r)) {
            pl->ps[i].kind = PS_GENERAL;
            root[sp->out] = sp->out;
            rel[sp->out] = 0;
        } else {
            goto unsupported;
        }
    }
    /* the last step reading each computed value's memory */
    for (int32_t s = 0; s < ns; s++)
        last[s] = -1;
    for (int32_t i = 0; i < p->nsteps; i++)
        for (int k = 0; k < p->steps[i].nin; k++)
            last[root[p->steps[i].in[k]]] = i;
    for (int32_t i = 0; i < p->nresults; i++)
        last[root[p->result[i]]] = INT32_MAX;
    for (int32_t i = 0; i < p->nguards; i++)
        last[root[p->guard[i]]] = INT32_MAX;
    int32_t nfree = 0;
    int64_t top = 0;
    for (int32_t i = 0; i < p->nsteps; i++) {
        const step *sp = &p->steps[i];
        adl_array *h = &pl->hdr[sp->out];
        const adl_array *r = rec[sp->out];
        int32_t base = root[sp->out];
        if (pl->ps[i].kind == PS_VIEW) {
            header_init(h, r, 0, &dims);
            if (base < p->nleaves) {
                pl->leaf_view[pl->nleaf_views] = sp->out;
                pl->leaf_root[pl->nleaf_views] = base;
                pl->leaf_rel[pl->nleaf_views++] = rel[sp->out];
            } else {
                h->buf = pl->hdr[base].buf;
                h->offset = pl->hdr[base].offset + rel[sp->out];
            }
        } else {
            header_init(h, r, 1, &dims);
            int64_t es = (int64_t)adl_dtype_size(r->dtype);
            int64_t bytes = (r->size * es + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
            int64_t off = arena_take(fr, &nfree, &top, bytes ? bytes : ARENA_ALIGN);
            h->buf = &pl->arena;
            h->offset = off / es;
            flatten(&pl->ps[i], sp, pl->hdr);
            if (last[sp->out] < 0)
                arena_give(fr, &nfree, off, bytes ? bytes : ARENA_ALIGN);
        }
        /* values whose memory nothing reads after this step */
        for (int k = 0; k < sp->nin; k++) {
            int32_t b = root[sp->in[k]];
            if (b >= first && last[b] == i) {
                const adl_array *hb = &pl->hdr[b];
                int64_t es = (int64_t)adl_dtype_size(hb->dtype);
                int64_t bytes = (hb->size * es + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
                arena_give(fr, &nfree, hb->offset * es, bytes ? bytes : ARENA_ALIGN);
                last[b] = -2;
            }
        }
        if (top > MAX_ARENA)
            goto unsupported;
    }
    pl->arena.nbytes = (size_t)top;
    pl->arena.data = adl_malloc((size_t)(top ? top : 1));
    if (!pl->arena.data)
        goto nomem;
    for (int32_t i = 0; i < p->nsteps; i++) {
        plan_step *ps = &pl->ps[i];
        const step *sp = &p->steps[i];
        if (ps->kind == PS_VIEW || ps->kind == PS_GENERAL)
            continue;
        ps->o = adl_first_elem(&pl->hdr[sp->out]);
        ps->a = pl->hdr[sp->in[0]].buf ? adl_first_elem(&pl->hdr[sp->in[0]]) : NULL;
        if (sp->nin > 1)
            ps->b = pl->hdr[sp->in[1]].buf ? adl_first_elem(&pl->hdr[sp->in[1]]) : NULL;
    }
    p->plan = pl;
    pl = NULL;
    goto done;
nomem:
    st = nomem(ctx);
unsupported:
    plan_free(pl);
done:
    adl_free(root);
    adl_free(rel);
    adl_free(last);
    adl_free(fr);
    return st;
}

/* ---- common subexpressions: a step equal to an earlier one reuses its value ---- */

static int params_equal(const adl_params *a, const adl_params *b) {
    if (!a || !b)
        return a == b;
    if (a->naxes != b->naxes || a->keepdims != b->keepdims || a->ndim != b->ndim ||
        a->dtype != b->dtype || a->custom != b->custom || a->kernel != b->kernel ||
        !a->index != !b->index)
        return 0;
    for (int i = 0; i < a->naxes && i < ADL_MAX_DIMS; i++)
        if (a->axes[i] != b->axes[i])
            return 0;
    for (int i = 0; i < a->ndim && i < ADL_MAX_DIMS; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    if (a->index) {
        if (a->index->n != b->index->n)
            return 0;
        for (int i = 0; i < a->index->n; i++) {
            const adl_index_item *x = &a->index->item[i], *y = &b->index->item[i];
            if (x->start != y->start || x->count != y->count || x->step != y->step ||
                x->keep != y->keep)
                return 0;
        }
    }
    return 1;
}

static uint64_t step_hash(adl_opcode op, int nin, const int32_t *in, const adl_params *p) {
    uint64_t h = 1469598103934665603u ^ (uint64_t)op;
    for (int k = 0; k < nin; k++)
        h = (h ^ (uint64_t)(uint32_t)in[k]) * 1099511628211u;
    if (p) {
        h = (h ^ (uint64_t)(p->naxes * 31 + p->ndim)) * 1099511628211u;
        if (p->index && p->index->n > 0)
            h = (h ^ (uint64_t)p->index->item[0].start) * 1099511628211u;
    }
    return h;
}

/* The earlier step equal to (op, in, params) in the table (steps + 1 by
 * hash, open addressing), or -1 with *free_at the place to insert it. */
static int32_t find_step(const int32_t *table, uint64_t mask, const step *steps, adl_opcode op,
                         int nin, const int32_t *in, const adl_params *params, uint64_t h,
                         uint64_t *free_at) {
    for (uint64_t j = h & mask;; j = (j + 1) & mask) {
        if (!table[j]) {
            *free_at = j;
            return -1;
        }
        const step *o = &steps[table[j] - 1];
        if (o->op == op && o->nin == nin && !memcmp(o->in, in, sizeof *in * (size_t)nin) &&
            params_equal(o->params, params))
            return table[j] - 1;
    }
}

adl_status adl_program_compile(adl_ctx *ctx, adl_trace *t, int nleaves, adl_array *const *leaves,
                               int nresults, adl_array *const *results, adl_program **out) {
    *out = NULL;
    const int32_t *guard_node;
    adl_array *const *guard_seen;
    int nguards = adl_trace_guards(t, &guard_node, &guard_seen);
    if (nguards < 0)
        return nomem(ctx);
    int32_t n = adl_trace_size(t);
    adl_program *p = adl_calloc(1, sizeof *p);
    int32_t *slot = adl_malloc(sizeof *slot * (size_t)(n ? n : 1)); /* node -> slot */
    int32_t *last = adl_malloc(sizeof *last * (size_t)(n ? n : 1)); /* node -> last step */
    unsigned char *needed = adl_calloc((size_t)(n ? n : 1), 1);
    int32_t *table = NULL; /* common subexpressions */
    adl_status st = ADL_OK;
    if (!p || !slot || !needed || !last) {
        st = nomem(ctx);
        goto done;
    }
    p->nleaves = nleaves;
    p->nresults = nresults;
    p->nguards = nguards;
    p->result = adl_malloc(sizeof *p->result * (size_t)(nresults + 1));
    p->guard = adl_malloc(sizeof *p->guard * (size_t)(nguards + 1));
    p->seen = adl_calloc((size_t)nguards + 1, sizeof *p->seen);
    if (!p->result || !p->guard || !p->seen) {
        st = nomem(ctx);
        goto done;
    }
    for (int32_t i = 0; i < n; i++)
        slot[i] = -1;
    for (int i = 0; i < nleaves; i++) {
        int32_t k = node_of_box(t, leaves[i]);
        if (k < 0 || adl_trace_node(t, k)->op != ADL_OP_LEAF) {
            st = adl_error(ctx, ADL_ERR_INTERNAL, "jit: argument %d is not a leaf", i + 1);
            goto done;
        }
        slot[k] = i;
    }
    /* what the results and the guards depend on, walking back */
    for (int i = 0; i < nresults; i++) {
        int32_t k = node_of_box(t, results[i]);
        if (k >= 0)
            needed[k] = 1;
    }
    for (int i = 0; i < nguards; i++)
        needed[guard_node[i]] = 1;
    int32_t nconstants = 0, nsteps = 0, nins = 0;
    for (int32_t i = n - 1; i >= 0; i--) {
        const adl_node *nd = adl_trace_node(t, i);
        if (!needed[i] || nd->op == ADL_OP_LEAF)
            continue;
        nsteps++;
        nins += nd->nin;
        for (int k = 0; k < nd->nin; k++) {
            if (nd->parent[k] >= 0)
                needed[nd->parent[k]] = 1;
            else
                nconstants++;
        }
    }
    for (int i = 0; i < nresults; i++)
        if (node_of_box(t, results[i]) < 0)
            nconstants++;
    p->constant = adl_calloc((size_t)nconstants + 1, sizeof *p->constant);
    p->steps = adl_calloc((size_t)nsteps + 1, sizeof *p->steps);
    /* each input slot, and at most one release per input and per output */
    p->workspace = adl_malloc(sizeof *p->workspace * (size_t)(2 * nins + nsteps + 1));
    if (!p->constant || !p->steps || !p->workspace) {
        st = nomem(ctx);
        goto done;
    }
    uint64_t mask = 15;
    while (mask < 2 * (uint64_t)nsteps)
        mask = 2 * mask + 1;
    table = adl_calloc(mask + 1, sizeof *table);
    if (!table) {
        st = nomem(ctx);
        goto done;
    }
    /* slots in recording order; constants numbered as met */
    int32_t nslots = nleaves + nconstants, s = 0, *ws = p->workspace;
    for (int32_t i = 0; i < n; i++) {
        const adl_node *nd = adl_trace_node(t, i);
        if (!needed[i] || nd->op == ADL_OP_LEAF)
            continue;
        /* a step of the same operation on the same values (no constants:
         * each occurrence has its own slot) is computed once */
        int shareable = nd->op != ADL_OP_CUSTOM && nd->nin <= 4;
        int32_t in4[4];
        for (int k = 0; shareable && k < nd->nin; k++)
            shareable = nd->parent[k] >= 0 && (in4[k] = slot[nd->parent[k]]) >= 0;
        uint64_t at = 0, h = shareable ? step_hash(nd->op, nd->nin, in4, nd->params) : 0;
        if (shareable) {
            int32_t same =
                find_step(table, mask, p->steps, nd->op, nd->nin, in4, nd->params, h, &at);
            if (same >= 0) {
                slot[i] = p->steps[same].out;
                continue;
            }
        }
        step *sp = &p->steps[s++];
        sp->op = nd->op;
        sp->nin = nd->nin;
        if (nd->nin > p->maxnin)
            p->maxnin = nd->nin;
        sp->in = ws;
        ws += nd->nin;
        for (int k = 0; k < nd->nin; k++) {
            if (nd->parent[k] >= 0) {
                sp->in[k] = slot[nd->parent[k]];
                if (sp->in[k] < 0) {
                    st = adl_error(ctx, ADL_ERR_INTERNAL, "jit: %s reads an unknown value",
                                   adl_op_name(nd->op));
                    goto done;
                }
            } else {
                adl_array_retain(nd->in[k]);
                mark_constant(nd->in[k], 1);
                p->constant[p->nconstants] = nd->in[k];
                sp->in[k] = nleaves + p->nconstants++;
            }
        }
        sp->out = slot[i] = nslots++;
        sp->node = i;
        if ((st = copy_params(ctx, nd->params, &sp->params)))
            goto done;
        p->nsteps = s;
        if (shareable)
            table[at] = s;
    }
    p->nsteps = s;
    p->nslots = nslots;
    for (int i = 0; i < nresults; i++) {
        int32_t k = node_of_box(t, results[i]);
        if (k >= 0) {
            p->result[i] = slot[k];
        } else {
            adl_array *c = (adl_array *)adl_array_value(results[i]);
            adl_array_retain(c);
            mark_constant(c, 1);
            p->constant[p->nconstants] = c;
            p->result[i] = nleaves + p->nconstants++;
        }
    }
    for (int i = 0; i < nguards; i++) {
        p->guard[i] = slot[guard_node[i]];
        adl_array_retain(guard_seen[i]);
        p->seen[i] = guard_seen[i];
    }
    /* the last step reading each step output; results and guards stay */
    int32_t *last_of_slot = last; /* reused: indexed by slot - first output slot */
    int32_t first = nleaves + nconstants;
    for (int32_t i = 0; i < nslots - first; i++)
        last_of_slot[i] = -1;
    for (int32_t i = 0; i < p->nsteps; i++)
        for (int k = 0; k < p->steps[i].nin; k++)
            if (p->steps[i].in[k] >= first)
                last_of_slot[p->steps[i].in[k] - first] = i;
    for (int i = 0; i < nresults; i++)
        if (p->result[i] >= first)
            last_of_slot[p->result[i] - first] = INT32_MAX;
    for (int i = 0; i < nguards; i++)
        if (p->guard[i] >= first)
            last_of_slot[p->guard[i] - first] = INT32_MAX;
    for (int32_t i = 0; i < p->nsteps; i++) {
        step *sp = &p->steps[i];
        sp->release = ws;
        for (int k = 0; k < sp->nin; k++) {
            int32_t in = sp->in[k];
            int dup = 0;
            for (int j = 0; j < k; j++)
                dup |= sp->in[j] == in;
            if (in >= first && last_of_slot[in - first] == i && !dup)
                sp->release[sp->nrelease++] = in;
        }
        ws += sp->nrelease;
        /* an output nothing reads (a step kept for a side value) */
        if (last_of_slot[sp->out - first] < 0)
            sp->release[sp->nrelease++] = sp->out, ws++;
    }
    /* the recorded value of each slot: the layouts the plan is made for */
    adl_array **rec = adl_calloc((size_t)p->nslots + 1, sizeof *rec);
    if (!rec) {
        st = nomem(ctx);
        goto done;
    }
    for (int i = 0; i < nleaves; i++)
        rec[i] = (adl_array *)adl_array_value(leaves[i]);
    for (int32_t i = 0; i < p->nconstants; i++)
        rec[nleaves + i] = p->constant[i];
    for (int32_t i = 0; i < p->nsteps; i++)
        rec[p->steps[i].out] = adl_trace_node(t, p->steps[i].node)->out;
    st = build_plan(ctx, p, rec);
    adl_free(rec);
done:
    adl_free(table);
    adl_free(slot);
    adl_free(last);
    adl_free(needed);
    if (st) {
        adl_program_free(p);
        return st;
    }
    *out = p;
    return ADL_OK;
}

/* Whether two values of the same shape hold the same numbers (NaN equals NaN). */
static int same_values(const adl_array *a, const adl_array *b) {
    if (a->dtype != b->dtype || !adl_shape_equal(a->ndim, a->shape, b->ndim, b->shape))
        return 0;
    int64_t index[ADL_MAX_DIMS] = {0};
    for (int64_t i = 0; i < a->size; i++) {
        double x = adl_array_get(a, index), y = adl_array_get(b, index);
        if (x != y && !(isnan(x) && isnan(y)))
            return 0;
        for (int d = a->ndim - 1; d >= 0; d--) {
            if (++index[d] < a->shape[d])
                break;
            index[d] = 0;
        }
    }
    return 1;
}

/* The results from the replay's values `v` (NULL: leaves, constants and
 * the plan's headers): new references, computed values copied out of the
 * plan's arena. */
static adl_status take_results(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                               adl_array *const *v, adl_array **results) {
    int32_t first = p->nleaves + p->nconstants;
    adl_status st = ADL_OK;
    for (int32_t i = 0; i < p->nresults && st == ADL_OK; i++) {
        int32_t s = p->result[i];
        if (s < p->nleaves) {
            results[i] = leaves[s];
            adl_array_retain(results[i]);
        } else if (s < first || !v) {
            /* a constant result is a new array each call, as it would be */
            st = adl_k_copy(ctx,
                            v ? v[s] : (s < first ? p->constant[s - p->nleaves] : &p->plan->hdr[s]),
                            &results[i]);
        } else {
            results[i] = v[s];
            adl_array_retain(results[i]);
        }
        if (st)
            for (int32_t j = 0; j < i; j++)
                adl_array_release(results[j]);
    }
    return st;
}

/* Whether the leaves have the layouts the plan was made for. */
static int plan_fits(const adl_program *p, adl_array *const *leaves) {
    for (int32_t i = 0; i < p->nleaves; i++) {
        const adl_array *h = &p->plan->hdr[i], *x = leaves[i];
        if (x->dtype != h->dtype || !x->buf || x->level ||
            !adl_shape_equal(x->ndim, x->shape, h->ndim, h->shape))
            return 0;
        for (int d = 0; d < x->ndim; d++)
            if (x->strides[d] != h->strides[d] && x->shape[d] != 1)
                return 0;
    }
    return 1;
}

static adl_status run_plan(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                           adl_array **results, int *valid) {
    plan *pl = p->plan;
    for (int32_t i = 0; i < p->nleaves; i++) {
        pl->hdr[i].buf = leaves[i]->buf;
        pl->hdr[i].offset = leaves[i]->offset;
        /* a length-1 axis may have any stride */
        for (int d = 0; d < leaves[i]->ndim; d++)
            pl->hdr[i].strides[d] = leaves[i]->strides[d];
    }
    for (int32_t i = 0; i < pl->nleaf_views; i++) {
        adl_array *h = &pl->hdr[pl->leaf_view[i]];
        const adl_array *x = leaves[pl->leaf_root[i]];
        h->buf = x->buf;
        h->offset = x->offset + pl->leaf_rel[i];
    }
    adl_status st = ADL_OK;
    adl_array **in = adl_malloc(sizeof *in * (size_t)(p->maxnin + 1));
    if (!in)
        st = nomem(ctx);
    for (int32_t i = 0; i < p->nsteps && st == ADL_OK; i++) {
        const plan_step *ps = &pl->ps[i];
        const step *sp = &p->steps[i];
        switch (ps->kind) {
        case PS_VIEW:
            continue;
        case PS_UNARY:
            adl_k_unary_flat(pl->hdr[sp->out].dtype, (adl_unary_op)ps->kernel, ps->n, ps->o,
                             ps->a ? ps->a : adl_first_elem(&pl->hdr[sp->in[0]]), ps->sa);
            continue;
        case PS_COPY:
            adl_k_copy_flat(pl->hdr[sp->out].dtype, ps->n, ps->o,
                            ps->a ? ps->a : adl_first_elem(&pl->hdr[sp->in[0]]), ps->sa);
            continue;
        case PS_SCALAR: {
            /* one float64 value: IEEE arithmetic gives the loop's result */
            double x = *(const double *)(ps->a ? ps->a : adl_first_elem(&pl->hdr[sp->in[0]]));
            double y = *(const double *)(ps->b ? ps->b : adl_first_elem(&pl->hdr[sp->in[1]]));
            double *o = ps->o;
            switch ((adl_binary_op)ps->kernel) {
            case ADL_B_ADD:
                *o = x + y;
                break;
            case ADL_B_SUB:
                *o = x - y;
                break;
            case ADL_B_MUL:
                *o = x * y;
                break;
            default:
                *o = x / y;
                break;
            }
            continue;
        }
        case PS_BINARY:
            adl_k_binary_flat(pl->hdr[sp->out].dtype, (adl_binary_op)ps->kernel, ps->n, ps->o,
                              ps->a ? ps->a : adl_first_elem(&pl->hdr[sp->in[0]]), ps->sa,
                              ps->b ? ps->b : adl_first_elem(&pl->hdr[sp->in[1]]), ps->sb);
            continue;
        default:
            break;
        }
        for (int k = 0; k < sp->nin; k++)
            in[k] = &pl->hdr[sp->in[k]];
        adl_array *out = &pl->hdr[sp->out];
        if (adl_forward_into(ctx, sp->op, in, out, &st))
            continue;
        adl_array *tmp = NULL;
        st = adl_forward(ctx, sp->op, sp->nin, in, sp->params, &tmp);
        if (st == ADL_OK)
            st = adl_k_assign(ctx, "jit", out, tmp);
        adl_array_release(tmp);
    }
    adl_free(in);
    int ok = st == ADL_OK;
    for (int32_t i = 0; ok && i < p->nguards; i++)
        ok = same_values(&pl->hdr[p->guard[i]], p->seen[i]);
    if (ok)
        st = take_results(ctx, p, leaves, NULL, results);
    /* no pointers into the caller's arrays stay behind */
    for (int32_t i = 0; i < p->nleaves; i++)
        pl->hdr[i].buf = NULL;
    for (int32_t i = 0; i < pl->nleaf_views; i++)
        pl->hdr[pl->leaf_view[i]].buf = NULL;
    *valid = ok && st == ADL_OK;
    return st;
}

adl_status adl_program_run(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                           adl_array **results, int *valid) {
    *valid = 0;
    if (p->plan && plan_fits(p, leaves))
        return run_plan(ctx, p, leaves, results, valid);
    adl_array **v = adl_calloc((size_t)p->nslots + 1, sizeof *v);
    if (!v)
        return nomem(ctx);
    /* leaves and constants are borrowed: never released by the steps */
    for (int32_t i = 0; i < p->nleaves; i++)
        v[i] = leaves[i];
    for (int32_t i = 0; i < p->nconstants; i++)
        v[p->nleaves + i] = p->constant[i];
    int32_t first = p->nleaves + p->nconstants;
    adl_status st = ADL_OK;
    adl_array **in = adl_malloc(sizeof *in * (size_t)(p->maxnin + 1));
    if (!in)
        st = nomem(ctx);
    for (int32_t i = 0; i < p->nsteps && st == ADL_OK; i++) {
        const step *sp = &p->steps[i];
        for (int k = 0; k < sp->nin; k++)
            in[k] = v[sp->in[k]];
        st = adl_forward(ctx, sp->op, sp->nin, in, sp->params, &v[sp->out]);
        for (int32_t r = 0; r < sp->nrelease; r++) {
            adl_array_release(v[sp->release[r]]);
            v[sp->release[r]] = NULL;
        }
    }
    adl_free(in);
    int ok = st == ADL_OK;
    for (int32_t i = 0; ok && i < p->nguards; i++)
        ok = same_values(v[p->guard[i]], p->seen[i]);
    if (ok)
        st = take_results(ctx, p, leaves, v, results);
    for (int32_t i = first; i < p->nslots; i++)
        adl_array_release(v[i]);
    adl_free(v);
    *valid = ok && st == ADL_OK;
    return st;
}
