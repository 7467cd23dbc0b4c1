/* test_array.c: arrays, views and buffers (array.c), shapes, broadcasting
 * and axes (shape.c), and the strided iterator (iter.c). */
#include "adl_core.h"
#include "harness.h"
#include "iter.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(alloc_contiguous_geometry) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[3] = {2, 3, 4};
    adl_array *a = adl_array_alloc(&ctx, "test", ADL_FLOAT64, 3, shape);
    REQUIRE(a != NULL);
    CHECK_EQ_INT(a->ndim, 3);
    CHECK_EQ_INT(a->size, 24);
    CHECK_EQ_INT(a->strides[0], 12);
    CHECK_EQ_INT(a->strides[1], 4);
    CHECK_EQ_INT(a->strides[2], 1);
    CHECK_EQ_INT(a->offset, 0);
    CHECK_EQ_INT(a->level, 0);
    CHECK_EQ_INT(a->refcount, 1);
    CHECK(a->buf->nbytes == 24 * sizeof(double));
    CHECK(adl_array_is_contiguous(a));
    /* the data is aligned for vector loads */
    CHECK(((uintptr_t)a->buf->data & 63) == 0);
    adl_array_release(a);

    adl_array *s = adl_array_scalar(&ctx, 2.5);
    REQUIRE(s != NULL);
    CHECK_EQ_INT(s->ndim, 0);
    CHECK_EQ_INT(s->size, 1);
    CHECK_NEAR(adl_array_get(s, NULL), 2.5, 0);
    adl_array_release(s);

    int64_t e[2] = {0, 5};
    adl_array *z = adl_array_zeros(&ctx, "test", ADL_FLOAT64, 2, e);
    REQUIRE(z != NULL);
    CHECK_EQ_INT(z->size, 0);
    adl_array_release(z);

    int64_t three = 3;
    z = adl_array_zeros(&ctx, "test", ADL_FLOAT64, 1, &three);
    REQUIRE(z != NULL);
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(adl_f64(z)[i], 0.0, 0);
    adl_array_release(z);

    adl_array *f = adl_array_alloc(&ctx, "test", ADL_FLOAT32, 1, &three);
    REQUIRE(f != NULL);
    CHECK(f->buf->nbytes == 3 * sizeof(float));
    CHECK(strcmp(adl_dtype_name(f->dtype), "float32") == 0);
    CHECK_EQ_INT(adl_dtype_size(ADL_FLOAT32), 4);
    CHECK_EQ_INT(adl_dtype_size(ADL_FLOAT64), 8);
    adl_array_release(f);
    LIVE_END;
}

TEST(alloc_rejects_bad_shapes) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t neg[2] = {2, -1};
    CHECK(adl_array_alloc(&ctx, "zeros", ADL_FLOAT64, 2, neg) == NULL);
    CHECK_EQ_INT(ctx.status, ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "zeros: negative dimensions are not allowed");

    int64_t big[3] = {1 << 20, 1 << 20, 1 << 20};
    CHECK(adl_array_alloc(&ctx, "ones", ADL_FLOAT64, 3, big) == NULL);
    CHECK_EQ_INT(ctx.status, ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "ones: array is too big");

    /* a zero length makes the array empty, but as in NumPy the other
     * sizes still multiply (into the strides): their product is checked */
    int64_t zbig[3] = {0, (int64_t)1 << 20, (int64_t)1 << 20};
    adl_array *z = adl_array_alloc(&ctx, "ones", ADL_FLOAT64, 3, zbig);
    CHECK(z != NULL);
    if (z)
        CHECK_EQ_INT(z->strides[0], (int64_t)1 << 40);
    adl_array_release(z);
    int64_t zhuge[3] = {0, (int64_t)1 << 40, (int64_t)1 << 40};
    CHECK(adl_array_alloc(&ctx, "ones", ADL_FLOAT64, 3, zhuge) == NULL);
    CHECK_STR_CONTAINS(ctx.msg, "ones: array is too big");

    int64_t many[ADL_MAX_DIMS + 1];
    for (int i = 0; i <= ADL_MAX_DIMS; i++)
        many[i] = 1;
    CHECK(adl_array_alloc(&ctx, "empty", ADL_FLOAT64, ADL_MAX_DIMS + 1, many) == NULL);
    CHECK_STR_CONTAINS(ctx.msg, "empty: 17 dimensions requested");
    LIVE_END;
}

TEST(views_share_the_buffer) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[2] = {2, 3};
    adl_array *a = t_array(&ctx, 2, shape, NULL);
    REQUIRE(a != NULL);
    int64_t tshape[2] = {3, 2}, tstrides[2] = {1, 3};
    adl_array *t = adl_array_view(&ctx, a, 2, tshape, tstrides, 0);
    REQUIRE(t != NULL);
    CHECK(t->buf == a->buf);
    CHECK_EQ_INT(a->buf->refcount, 2);
    CHECK(!adl_array_is_contiguous(t));
    int64_t idx[2] = {2, 1};
    CHECK_NEAR(adl_array_get(t, idx), 5.0, 0); /* t[2,1] = a[1,2] */

    /* the buffer outlives the array it came from */
    int64_t arrays_before = adl_live_arrays();
    adl_array_release(a);
    CHECK_EQ_INT(adl_live_arrays(), arrays_before - 1);
    CHECK_EQ_INT(t->buf->refcount, 1);
    idx[0] = 0;
    idx[1] = 1;
    CHECK_NEAR(adl_array_get(t, idx), 3.0, 0);

    /* reversed view with an offset */
    int64_t rs = -1, n3 = 3;
    adl_array *r = adl_array_view(&ctx, t, 1, &n3, &rs, 2);
    REQUIRE(r != NULL);
    int64_t i0 = 0;
    CHECK_NEAR(adl_array_get(r, &i0), 2.0, 0);
    adl_array_release(t);
    adl_array_release(r);

    /* retain / release pairs */
    adl_array *b = adl_array_scalar(&ctx, 1);
    adl_array_retain(b);
    CHECK_EQ_INT(b->refcount, 2);
    adl_array_release(b);
    adl_array_release(b);
    adl_array_release(NULL);
    LIVE_END;
}

TEST(is_contiguous_ignores_length_one_axes) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t n = 12;
    adl_array *base = t_vec(&ctx, n, NULL);
    REQUIRE(base != NULL);
    int64_t shape[3] = {3, 1, 4}, strides[3] = {4, 99, 1};
    adl_array *v = adl_array_view(&ctx, base, 3, shape, strides, 0);
    REQUIRE(v != NULL);
    CHECK(adl_array_is_contiguous(v));
    int64_t s2[3] = {1, 99, 3};
    adl_array *w = adl_array_view(&ctx, base, 3, shape, s2, 0);
    REQUIRE(w != NULL);
    CHECK(!adl_array_is_contiguous(w));
    adl_array_release(v);
    adl_array_release(w);
    adl_array_release(base);
    LIVE_END;
}

static int released_count;
static void count_release(void *p) {
    released_count++;
    free(p);
}

TEST(wrap_releases_host_memory_once) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    double *mem = malloc(6 * sizeof(double));
    REQUIRE(mem != NULL);
    for (int i = 0; i < 6; i++)
        mem[i] = i * 10;
    int64_t shape[2] = {2, 3};
    int64_t bytes0 = adl_live_bytes();
    released_count = 0;
    adl_array *a = adl_array_wrap_ctx(&ctx, mem, ADL_FLOAT64, 2, shape, count_release, mem);
    REQUIRE(a != NULL);
    CHECK(adl_f64(a) == mem);
    int64_t n = 3, one = 1;
    adl_array *row = adl_array_view(&ctx, a, 1, &n, &one, 3);
    REQUIRE(row != NULL);
    adl_array_release(a);
    CHECK_EQ_INT(released_count, 0);
    int64_t i = 2;
    CHECK_NEAR(adl_array_get(row, &i), 50.0, 0);
    adl_array_release(row);
    CHECK_EQ_INT(released_count, 1);
    CHECK_EQ_INT(adl_live_bytes(), bytes0); /* host memory is not counted */

    CHECK(adl_array_wrap_ctx(&ctx, NULL, ADL_FLOAT64, 2, shape, NULL, NULL) == NULL);
    CHECK_EQ_INT(ctx.status, ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "array_wrap: data is NULL");
    LIVE_END;
}

TEST(live_counters_track_allocations) {
    int64_t a0 = adl_live_arrays(), b0 = adl_live_buffers(), by0 = adl_live_bytes();
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t n = 10;
    adl_array *a = adl_array_alloc(&ctx, "test", ADL_FLOAT64, 1, &n);
    REQUIRE(a != NULL);
    CHECK_EQ_INT(adl_live_arrays(), a0 + 1);
    CHECK_EQ_INT(adl_live_buffers(), b0 + 1);
    CHECK_EQ_INT(adl_live_bytes(), by0 + 80);
    int64_t s = 1, m = 5;
    adl_array *v = adl_array_view(&ctx, a, 1, &m, &s, 5);
    CHECK_EQ_INT(adl_live_arrays(), a0 + 2);
    CHECK_EQ_INT(adl_live_buffers(), b0 + 1);
    adl_array_release(a);
    adl_array_release(v);
    CHECK_EQ_INT(adl_live_arrays(), a0);
    CHECK_EQ_INT(adl_live_buffers(), b0);
    CHECK_EQ_INT(adl_live_bytes(), by0);
}

TEST(shape_text) {
    char buf[64];
    int64_t s[3] = {2, 3, 4};
    adl_shape_str(2, s, buf, sizeof buf);
    CHECK(strcmp(buf, "(2,3)") == 0);
    adl_shape_str(1, s + 2, buf, sizeof buf);
    CHECK(strcmp(buf, "(4,)") == 0);
    adl_shape_str(0, NULL, buf, sizeof buf);
    CHECK(strcmp(buf, "()") == 0);
    adl_shape_str(3, s, buf, sizeof buf);
    CHECK(strcmp(buf, "(2,3,4)") == 0);
    /* a short buffer truncates, still terminated */
    adl_shape_str(3, s, buf, 4);
    CHECK(strlen(buf) == 3);
    CHECK(adl_shape_equal(3, s, 3, s));
    int64_t t[3] = {2, 3, 5};
    CHECK(!adl_shape_equal(3, s, 3, t));
    CHECK(!adl_shape_equal(2, s, 3, s));
    CHECK(adl_shape_equal(0, NULL, 0, NULL));
    CHECK_EQ_INT(adl_shape_size(3, s), 24);
    CHECK_EQ_INT(adl_shape_size(0, NULL), 1);
}

/* Broadcasts (na, sa) with (nb, sb) and checks the result against want
 * (nwant < 0: an error is expected). */
static void check_broadcast(int na, const int64_t *sa, int nb, const int64_t *sb, int nwant,
                            const int64_t *want) {
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int n = -1;
    int64_t out[ADL_MAX_DIMS];
    adl_status st = adl_broadcast_shapes(&ctx, "add", na, sa, nb, sb, &n, out);
    if (nwant < 0) {
        CHECK_EQ_INT(st, ADL_ERR_VALUE);
        return;
    }
    CHECK_EQ_INT(st, ADL_OK);
    CHECK(adl_shape_equal(n, out, nwant, want));
}

TEST(broadcast_shapes_numpy_rules) {
    int64_t s23[2] = {2, 3}, s3[1] = {3}, s31[2] = {3, 1}, s14[2] = {1, 4}, s34[2] = {3, 4};
    int64_t s0[1] = {0}, s1[1] = {1}, s4[1] = {4}, s213[3] = {2, 1, 3}, s41[2] = {4, 1};
    int64_t s243[3] = {2, 4, 3}, s03[2] = {0, 3};
    check_broadcast(2, s23, 1, s3, 2, s23);
    check_broadcast(1, s3, 2, s23, 2, s23);
    check_broadcast(2, s31, 2, s14, 2, s34);
    check_broadcast(0, NULL, 2, s23, 2, s23);
    check_broadcast(2, s23, 0, NULL, 2, s23);
    check_broadcast(0, NULL, 0, NULL, 0, NULL);
    check_broadcast(1, s0, 1, s1, 1, s0);
    check_broadcast(1, s1, 1, s0, 1, s0);
    check_broadcast(2, s03, 1, s3, 2, s03);
    check_broadcast(3, s213, 2, s41, 3, s243);
    check_broadcast(2, s23, 1, s4, -1, NULL);
    check_broadcast(1, s0, 1, s3, -1, NULL);
    check_broadcast(2, s31, 2, s23, -1, NULL);
}

TEST(broadcast_error_text) {
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t a[2] = {2, 3}, b[1] = {4}, out[ADL_MAX_DIMS];
    int n;
    CHECK_EQ_INT(adl_broadcast_shapes(&ctx, "add", 2, a, 1, b, &n, out), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "add: operands could not be broadcast together with shapes (2,3) (4,)") ==
          0);
    CHECK_EQ_INT(ctx.status, ADL_ERR_VALUE);
    int64_t c[1] = {5};
    CHECK_EQ_INT(adl_broadcast_shapes(&ctx, "maximum", 0, NULL, 1, c, &n, out), ADL_OK);
    CHECK_EQ_INT(adl_broadcast_shapes(&ctx, "maximum", 1, c, 1, b, &n, out), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg,
                 "maximum: operands could not be broadcast together with shapes (5,) (4,)") == 0);
}

TEST(normalize_axis_one_based) {
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int ax = -1;
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "sum", 1, 3, &ax), ADL_OK);
    CHECK_EQ_INT(ax, 0);
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "sum", 3, 3, &ax), ADL_OK);
    CHECK_EQ_INT(ax, 2);
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "sum", -1, 3, &ax), ADL_OK);
    CHECK_EQ_INT(ax, 2);
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "sum", -3, 3, &ax), ADL_OK);
    CHECK_EQ_INT(ax, 0);

    ax = 7;
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "sum", 3, 2, &ax), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "sum: axis 3 is out of bounds for array of dimension 2");
    CHECK_EQ_INT(ax, 7); /* untouched on error */
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "max", 0, 2, &ax), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "max: axis 0 is out of bounds for array of dimension 2");
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "min", -3, 2, &ax), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "min: axis -3 is out of bounds for array of dimension 2");
    CHECK_EQ_INT(adl_normalize_axis(&ctx, "sum", 1, 0, &ax), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "sum: axis 1 is out of bounds for array of dimension 0");
}

TEST(error_record) {
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    CHECK_EQ_INT(ctx.status, ADL_OK);
    CHECK_EQ_INT(ctx.depth, 0);
    CHECK(ctx.top == NULL);
    CHECK_EQ_INT(adl_error(&ctx, ADL_ERR_INDEX, "take: index %d is out of bounds", 7),
                 ADL_ERR_INDEX);
    CHECK(strcmp(ctx.msg, "take: index 7 is out of bounds") == 0);
    CHECK_EQ_INT(adl_error_nomem(&ctx, "dot"), ADL_ERR_MEMORY);
    CHECK(strcmp(ctx.msg, "dot: out of memory") == 0);
    /* long messages are cut, not overflowed */
    char big[1024];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    adl_error(&ctx, ADL_ERR_VALUE, "%s", big);
    CHECK(strlen(ctx.msg) == sizeof ctx.msg - 1);
}

/* ---- the iterator ---- */

/* Visits every element through an iterator over (ndim, shape) for the given
 * operands and checks each operand's offset against the plain formula, in C
 * order; returns the number of inner runs. */
static int64_t check_iter_visits(int ndim, const int64_t *shape, int nop,
                                 const int64_t *const *strides) {
    adl_iter it;
    int64_t total = adl_shape_size(ndim, shape);
    int64_t n = adl_iter_init(&it, ndim, shape, nop, strides);
    CHECK_EQ_INT(n, total);
    if (n == 0)
        return 0;
    int64_t idx[ADL_MAX_DIMS] = {0}, runs = 0, seen = 0;
    int ok = 1;
    do {
        runs++;
        for (int64_t i = 0; i < it.inner; i++) {
            for (int k = 0; k < nop; k++) {
                int64_t want = 0;
                for (int d = 0; d < ndim; d++)
                    want += idx[d] * strides[k][d];
                if (it.off[k] + i * it.stride[k] != want)
                    ok = 0;
            }
            seen++;
            t_next(ndim, shape, idx);
        }
    } while (adl_iter_next(&it));
    CHECK(ok);
    CHECK_EQ_INT(seen, total);
    return runs;
}

TEST(iter_merges_contiguous_axes) {
    int64_t shape[3] = {2, 3, 4}, c[3] = {12, 4, 1}, zero[3] = {0, 0, 0};
    const int64_t *one_op[1] = {c};
    /* C-contiguous: a single run */
    CHECK_EQ_INT(check_iter_visits(3, shape, 1, one_op), 1);
    /* and with a scalar operand (all strides 0) */
    const int64_t *two[2] = {c, zero};
    CHECK_EQ_INT(check_iter_visits(3, shape, 2, two), 1);
    /* a transposed operand stops all merging */
    int64_t t[3] = {1, 2, 6};
    const int64_t *ct[2] = {c, t};
    CHECK_EQ_INT(check_iter_visits(3, shape, 2, ct), 6);
    /* broadcast along the middle axis: the last axis runs alone */
    int64_t b[3] = {4, 0, 1};
    const int64_t *cb[2] = {c, b};
    CHECK_EQ_INT(check_iter_visits(3, shape, 2, cb), 6);
    /* broadcast along the first axis: the last two merge */
    int64_t b0[3] = {0, 4, 1};
    const int64_t *cb0[2] = {c, b0};
    CHECK_EQ_INT(check_iter_visits(3, shape, 2, cb0), 2);
    /* negative strides that are contiguous backwards merge too */
    int64_t r[3] = {-12, -4, -1};
    const int64_t *cr[2] = {c, r};
    CHECK_EQ_INT(check_iter_visits(3, shape, 2, cr), 1);
    /* every other element: one long strided run */
    int64_t s[3] = {24, 8, 2};
    const int64_t *cs[2] = {c, s};
    CHECK_EQ_INT(check_iter_visits(3, shape, 2, cs), 1);
}

TEST(iter_drops_length_one_axes_and_handles_edges) {
    int64_t shape[4] = {1, 5, 1, 2}, st[4] = {999, 2, -7, 1};
    const int64_t *ops[1] = {st};
    CHECK_EQ_INT(check_iter_visits(4, shape, 1, ops), 1);

    /* 0-d: one element, inner run of 1 */
    adl_iter it;
    CHECK_EQ_INT(adl_iter_init(&it, 0, NULL, 1, ops), 1);
    CHECK_EQ_INT(it.inner, 1);
    CHECK_EQ_INT(it.off[0], 0);
    CHECK_EQ_INT(adl_iter_next(&it), 0);

    /* all length 1 */
    int64_t ones[3] = {1, 1, 1};
    CHECK_EQ_INT(adl_iter_init(&it, 3, ones, 1, ops), 1);
    CHECK_EQ_INT(it.inner, 1);
    CHECK_EQ_INT(adl_iter_next(&it), 0);

    /* empty: nothing to visit */
    int64_t empty[3] = {3, 0, 2};
    CHECK_EQ_INT(adl_iter_init(&it, 3, empty, 1, ops), 0);
}

TEST(iter_random_geometries) {
    uint64_t rng = 12345;
    for (int trial = 0; trial < 300; trial++) {
        int ndim = 1 + (int)((t_rand(&rng) + 1) * 2.5); /* 1..5 */
        int nop = 1 + (int)((t_rand(&rng) + 1) * 2);    /* 1..4 */
        int64_t shape[ADL_MAX_DIMS], st[ADL_ITER_MAX_OPS][ADL_MAX_DIMS];
        const int64_t *ops[ADL_ITER_MAX_OPS];
        for (int d = 0; d < ndim; d++)
            shape[d] = 1 + (int64_t)((t_rand(&rng) + 1) * 2); /* 1..4 */
        for (int k = 0; k < nop; k++) {
            int kind = (int)((t_rand(&rng) + 1) * 2); /* 0..3 */
            int64_t s = 1;
            for (int d = ndim - 1; d >= 0; d--) {
                if (kind == 0) /* contiguous */
                    st[k][d] = s;
                else if (kind == 1) /* random, some zero, some negative */
                    st[k][d] = (int64_t)(t_rand(&rng) * 20);
                else if (kind == 2) /* reversed */
                    st[k][d] = -s;
                else /* broadcast on a random subset */
                    st[k][d] = t_rand(&rng) > 0 ? 0 : s;
                s *= shape[d];
            }
            ops[k] = st[k];
        }
        check_iter_visits(ndim, shape, nop, ops);
    }
}

TEST(iter_over_arrays_broadcasts) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s3 = 3, s21[2] = {2, 1};
    adl_array *a = t_array(&ctx, 2, s23, NULL), *b = t_vec(&ctx, s3, NULL);
    adl_array *c = t_array(&ctx, 2, s21, NULL), *d = adl_array_scalar(&ctx, 1);
    REQUIRE(a && b && c && d);
    const adl_array *ops[4] = {a, b, c, d};
    int64_t st[4][ADL_MAX_DIMS];
    for (int k = 0; k < 4; k++)
        adl_iter_broadcast_strides(ops[k], 2, st[k]);
    CHECK_EQ_INT(st[1][0], 0);
    CHECK_EQ_INT(st[1][1], 1);
    CHECK_EQ_INT(st[2][0], 1);
    CHECK_EQ_INT(st[2][1], 0);
    CHECK_EQ_INT(st[3][0], 0);
    CHECK_EQ_INT(st[3][1], 0);
    adl_iter it;
    CHECK_EQ_INT(adl_iter_init_arrays(&it, 2, s23, 4, ops), 6);
    int64_t idx[2] = {0, 0};
    int ok = 1;
    do {
        for (int64_t i = 0; i < it.inner; i++) {
            if (it.off[0] + i * it.stride[0] != idx[0] * 3 + idx[1] ||
                it.off[1] + i * it.stride[1] != idx[1] || it.off[2] + i * it.stride[2] != idx[0] ||
                it.off[3] + i * it.stride[3] != 0)
                ok = 0;
            t_next(2, s23, idx);
        }
    } while (adl_iter_next(&it));
    CHECK(ok);
    adl_array_release(a);
    adl_array_release(b);
    adl_array_release(c);
    adl_array_release(d);
    LIVE_END;
}
