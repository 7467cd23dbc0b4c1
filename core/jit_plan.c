/* jit_plan.c: the replay without allocations, when every value's layout
 * is known from the recording.
 *
 * Each slot has an array header made once; computed values live in one
 * arena (a region per value, reused after its last read); views are headers
 * onto their root's memory and cost nothing at replay.  Elementwise steps on
 * contiguous or single-value operands and copies along one strided axis are
 * calls of their loops; other steps run into their headers
 * (adl_forward_into), or compute and copy in. */
#include "jit_program.h"

#include "alloc.h"
#include "iter.h"

#include <string.h>

/* How a step runs (plan_step.kind). */
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

struct adl_plan {
    adl_array *hdr;     /* per slot; never freed through refcounts */
    int64_t *dims;      /* shapes and strides of more than ADL_INLINE_DIMS axes */
    plan_step *ps;      /* per step */
    adl_buffer arena;   /* the computed values' memory (borrowed by headers) */
    int32_t *leaf_view; /* view slots on a leaf's memory: re-pointed per replay */
    int64_t *leaf_rel;  /* ... at this offset from the leaf's */
    int32_t *leaf_root;
    int32_t nleaf_views;
};

void adl_plan_free(adl_plan *pl) {
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

const adl_array *adl_plan_header(const adl_plan *pl, int32_t s) {
    return &pl->hdr[s];
}

#define ARENA_ALIGN 64
#define MAX_ARENA   ((int64_t)1 << 28) /* beyond: replay through adl_forward */

typedef struct region {
    int64_t off, size;
} region;

/* The arena bytes of value a: its numbers, rounded up to whole blocks
 * (one block for an empty value). */
static int64_t region_bytes(const adl_array *a) {
    int64_t bytes = a->size * (int64_t)adl_dtype_size(a->dtype);
    bytes = (bytes + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    return bytes ? bytes : ARENA_ALIGN;
}

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
adl_status adl_plan_build(adl_ctx *ctx, adl_program *p, adl_array *const *rec) {
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
    adl_plan *pl = adl_calloc(1, sizeof *pl);
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
            int64_t off = arena_take(fr, &nfree, &top, region_bytes(h));
            h->buf = &pl->arena;
            h->offset = off / (int64_t)adl_dtype_size(h->dtype);
            flatten(&pl->ps[i], sp, pl->hdr);
            if (last[sp->out] < 0)
                arena_give(fr, &nfree, off, region_bytes(h));
        }
        /* values whose memory nothing reads after this step */
        for (int k = 0; k < sp->nin; k++) {
            int32_t b = root[sp->in[k]];
            if (b >= first && last[b] == i) {
                const adl_array *hb = &pl->hdr[b];
                arena_give(fr, &nfree, hb->offset * (int64_t)adl_dtype_size(hb->dtype),
                           region_bytes(hb));
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
    st = adl_jit_nomem(ctx);
unsupported:
    adl_plan_free(pl);
done:
    adl_free(root);
    adl_free(rel);
    adl_free(last);
    adl_free(fr);
    return st;
}

/* Whether the leaves have the layouts the plan was made for. */
int adl_plan_fits(const adl_program *p, adl_array *const *leaves) {
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

adl_status adl_plan_run(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                        adl_array **results, int *valid) {
    adl_plan *pl = p->plan;
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
        st = adl_jit_nomem(ctx);
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
        ok = adl_jit_same_values(&pl->hdr[p->guard[i]], p->seen[i]);
    if (ok)
        st = adl_jit_take_results(ctx, p, leaves, NULL, results);
    /* no pointers into the caller's arrays stay behind */
    for (int32_t i = 0; i < p->nleaves; i++)
        pl->hdr[i].buf = NULL;
    for (int32_t i = 0; i < pl->nleaf_views; i++)
        pl->hdr[pl->leaf_view[i]].buf = NULL;
    *valid = ok && st == ADL_OK;
    return st;
}
