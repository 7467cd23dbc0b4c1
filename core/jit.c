/* jit.c: a recorded tape compiled into a program that replays it.
 *
 * A recording (adl_trace_begin_recording) is the outermost reverse trace of
 * one call of the user's function: its nodes are every primitive computed
 * from the leaves, the function's forward pass and the backward sweeps of
 * the grads inside it alike, since those sweeps run on its boxes.  A
 * program keeps the nodes the results and the guards depend on, in
 * recording order, and runs them on new leaves with adl_forward: no Lua,
 * no boxes, no tape.  A guard is a value the recording let out of traced
 * operations (a Lua number, an index array); the replay is valid only when
 * each guard's value comes out the same, otherwise the caller records
 * again.  Steps equal to earlier ones are dropped (common subexpressions).
 * Replays run the plan of jit_plan.c when the arguments have the recorded
 * layouts; otherwise each step makes a new array with adl_forward, released
 * after its last use. */
#include "jit_program.h"

#include "alloc.h"

#include <math.h>
#include <string.h>

void adl_program_free(adl_program *p) {
    if (!p)
        return;
    adl_plan_free(p->plan);
    for (int32_t i = 0; i < p->nconstants; i++) {
        adl_mark_saved(p->constant[i], ADL_SAVED_BY_JIT, -1);
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
        return adl_jit_nomem(ctx);
    *p = *from;
    p->where = NULL;
    if (from->index) {
        adl_index *idx = adl_malloc(sizeof *idx);
        if (!idx) {
            adl_free(p);
            return adl_jit_nomem(ctx);
        }
        *idx = *from->index;
        p->index = idx;
    }
    *to = p;
    return ADL_OK;
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
        return adl_jit_nomem(ctx);
    int32_t n = adl_trace_size(t);
    adl_program *p = adl_calloc(1, sizeof *p);
    int32_t *slot = adl_malloc(sizeof *slot * (size_t)(n ? n : 1)); /* node -> slot */
    int32_t *last = adl_malloc(sizeof *last * (size_t)(n ? n : 1)); /* node -> last step */
    unsigned char *needed = adl_calloc((size_t)(n ? n : 1), 1);
    int32_t *table = NULL; /* common subexpressions */
    adl_status st = ADL_OK;
    if (!p || !slot || !needed || !last) {
        st = adl_jit_nomem(ctx);
        goto done;
    }
    p->nleaves = nleaves;
    p->nresults = nresults;
    p->nguards = nguards;
    p->result = adl_malloc(sizeof *p->result * (size_t)(nresults + 1));
    p->guard = adl_malloc(sizeof *p->guard * (size_t)(nguards + 1));
    p->seen = adl_calloc((size_t)nguards + 1, sizeof *p->seen);
    if (!p->result || !p->guard || !p->seen) {
        st = adl_jit_nomem(ctx);
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
        st = adl_jit_nomem(ctx);
        goto done;
    }
    uint64_t mask = 15;
    while (mask < 2 * (uint64_t)nsteps)
        mask = 2 * mask + 1;
    table = adl_calloc(mask + 1, sizeof *table);
    if (!table) {
        st = adl_jit_nomem(ctx);
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
                /* held as a tape holds what it saved: assigning into it in
                 * place is refused while the program lives */
                adl_array_retain(nd->in[k]);
                adl_mark_saved(nd->in[k], ADL_SAVED_BY_JIT, 1);
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
            adl_mark_saved(c, ADL_SAVED_BY_JIT, 1);
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
        st = adl_jit_nomem(ctx);
        goto done;
    }
    for (int i = 0; i < nleaves; i++)
        rec[i] = (adl_array *)adl_array_value(leaves[i]);
    for (int32_t i = 0; i < p->nconstants; i++)
        rec[nleaves + i] = p->constant[i];
    for (int32_t i = 0; i < p->nsteps; i++)
        rec[p->steps[i].out] = adl_trace_node(t, p->steps[i].node)->out;
    st = adl_plan_build(ctx, p, rec);
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
int adl_jit_same_values(const adl_array *a, const adl_array *b) {
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
adl_status adl_jit_take_results(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                                adl_array *const *v, adl_array **results) {
    int32_t first = p->nleaves + p->nconstants;
    adl_status st = ADL_OK;
    for (int32_t i = 0; i < p->nresults && st == ADL_OK; i++) {
        int32_t s = p->result[i];
        if (s < p->nleaves) {
            results[i] = leaves[s];
            adl_array_retain(results[i]);
        } else if (s >= first && v) {
            results[i] = v[s];
            adl_array_retain(results[i]);
        } else {
            /* a constant result is a new array each call, as it would be;
             * a value in the plan's arena is copied out of it */
            st = adl_k_copy(ctx,
                            s < first ? p->constant[s - p->nleaves] : adl_plan_header(p->plan, s),
                            &results[i]);
        }
        if (st)
            for (int32_t j = 0; j < i; j++)
                adl_array_release(results[j]);
    }
    return st;
}

adl_status adl_program_run(adl_ctx *ctx, const adl_program *p, adl_array *const *leaves,
                           adl_array **results, int *valid) {
    *valid = 0;
    if (p->plan && adl_plan_fits(p, leaves))
        return adl_plan_run(ctx, p, leaves, results, valid);
    adl_array **v = adl_calloc((size_t)p->nslots + 1, sizeof *v);
    if (!v)
        return adl_jit_nomem(ctx);
    /* leaves and constants are borrowed: never released by the steps */
    for (int32_t i = 0; i < p->nleaves; i++)
        v[i] = leaves[i];
    for (int32_t i = 0; i < p->nconstants; i++)
        v[p->nleaves + i] = p->constant[i];
    int32_t first = p->nleaves + p->nconstants;
    adl_status st = ADL_OK;
    adl_array **in = adl_malloc(sizeof *in * (size_t)(p->maxnin + 1));
    if (!in)
        st = adl_jit_nomem(ctx);
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
        ok = adl_jit_same_values(v[p->guard[i]], p->seen[i]);
    if (ok)
        st = adl_jit_take_results(ctx, p, leaves, v, results);
    for (int32_t i = first; i < p->nslots; i++)
        adl_array_release(v[i]);
    adl_free(v);
    *valid = ok && st == ADL_OK;
    return st;
}
