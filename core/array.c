/* array.c: refcounted buffers and the array headers (views) that share them. */
#include "adl_core.h"
#include "trace.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int64_t live_arrays, live_buffers, live_bytes;

int64_t adl_live_arrays(void) {
    return atomic_load(&live_arrays);
}
int64_t adl_live_buffers(void) {
    return atomic_load(&live_buffers);
}
int64_t adl_live_bytes(void) {
    return atomic_load(&live_bytes);
}

size_t adl_dtype_size(adl_dtype dt) {
    return dt == ADL_FLOAT32 ? 4 : 8;
}

const char *adl_dtype_name(adl_dtype dt) {
    return dt == ADL_FLOAT32 ? "float32" : "float64";
}

/* Buffer header and bytes in one block; the data starts 64 bytes in, so it
 * is aligned for vector loads. */
#define BUFFER_DATA_OFFSET 64

/* Loops over tiny arrays allocate and free headers and small buffers at a
 * high rate, in bursts larger than malloc's per-thread cache: each thread
 * keeps its own bounded stacks of free ones (no locks; a block freed on
 * another thread simply joins that thread's stack). */
#define SMALL_BUFFER_BYTES 64
#define CACHE_MAX 8192

typedef struct free_block {
    struct free_block *next;
} free_block;

typedef struct block_cache {
    free_block *top;
    int count;
} block_cache;

static _Thread_local block_cache header_cache, small_buffer_cache;

static void *cache_get(block_cache *c, size_t size) {
    free_block *b = c->top;
    if (!b)
        return malloc(size);
    c->top = b->next;
    c->count--;
    return b;
}

static void cache_put(block_cache *c, void *p) {
    if (c->count >= CACHE_MAX) {
        free(p);
        return;
    }
    free_block *b = p;
    b->next = c->top;
    c->top = b;
    c->count++;
}

static adl_buffer *buffer_new(size_t nbytes) {
    adl_buffer *b = nbytes <= SMALL_BUFFER_BYTES
                        ? cache_get(&small_buffer_cache, BUFFER_DATA_OFFSET + SMALL_BUFFER_BYTES)
                        : malloc(BUFFER_DATA_OFFSET + nbytes);
    if (!b)
        return NULL;
    b->refcount = 1;
    b->data = (char *)b + BUFFER_DATA_OFFSET;
    b->nbytes = nbytes;
    b->release = NULL;
    b->release_ctx = NULL;
    atomic_fetch_add_explicit(&live_buffers, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&live_bytes, (int64_t)nbytes, memory_order_relaxed);
    return b;
}

static void buffer_release(adl_buffer *b) {
    if (!b || --b->refcount > 0)
        return;
    atomic_fetch_sub_explicit(&live_buffers, 1, memory_order_relaxed);
    if (b->release) {
        b->release(b->release_ctx);
        free(b);
        return;
    }
    atomic_fetch_sub_explicit(&live_bytes, (int64_t)b->nbytes, memory_order_relaxed);
    if (b->nbytes <= SMALL_BUFFER_BYTES)
        cache_put(&small_buffer_cache, b);
    else
        free(b);
}

static adl_array *header_new(adl_dtype dt, int ndim, const int64_t *shape) {
    adl_array *a = cache_get(&header_cache, sizeof *a);
    if (!a)
        return NULL;
    a->refcount = 1;
    a->dtype = dt;
    a->ndim = ndim;
    a->level = 0;
    a->size = 1;
    for (int i = 0; i < ndim; i++) {
        a->shape[i] = shape[i];
        a->size *= shape[i];
    }
    a->offset = 0;
    a->buf = NULL;
    a->inner = NULL;
    a->trace = NULL;
    a->node = -1;
    atomic_fetch_add_explicit(&live_arrays, 1, memory_order_relaxed);
    return a;
}

static adl_status check_shape(adl_ctx *ctx, const char *op, int ndim, const int64_t *shape) {
    if (ndim < 0 || ndim > ADL_MAX_DIMS)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: %d dimensions requested, at most %d supported",
                         op, ndim, ADL_MAX_DIMS);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: negative dimensions are not allowed (axis %d has size %lld)", op,
                             i + 1, (long long)shape[i]);
        if (shape[i] > 0 && n > ADL_MAX_SIZE / shape[i])
            return adl_error(ctx, ADL_ERR_VALUE, "%s: array is too big (more than 2^48 elements)",
                             op);
        n *= shape[i];
    }
    return ADL_OK;
}

static void set_contiguous_strides(adl_array *a) {
    int64_t s = 1;
    for (int i = a->ndim - 1; i >= 0; i--) {
        a->strides[i] = s;
        s *= a->shape[i];
    }
}

adl_array *adl_array_alloc(adl_ctx *ctx, const char *op, adl_dtype dt, int ndim,
                           const int64_t *shape) {
    if (check_shape(ctx, op, ndim, shape) != ADL_OK)
        return NULL;
    adl_array *a = header_new(dt, ndim, shape);
    if (!a) {
        adl_error_nomem(ctx, op);
        return NULL;
    }
    set_contiguous_strides(a);
    a->buf = buffer_new((size_t)a->size * adl_dtype_size(dt));
    if (!a->buf) {
        cache_put(&header_cache, a);
        atomic_fetch_sub_explicit(&live_arrays, 1, memory_order_relaxed);
        char s[256];
        adl_shape_str(ndim, shape, s, sizeof s);
        adl_error(ctx, ADL_ERR_MEMORY, "%s: out of memory allocating an array of shape %s", op,
                  s);
        return NULL;
    }
    return a;
}

adl_array *adl_array_zeros(adl_ctx *ctx, const char *op, adl_dtype dt, int ndim,
                           const int64_t *shape) {
    adl_array *a = adl_array_alloc(ctx, op, dt, ndim, shape);
    if (a)
        memset(a->buf->data, 0, a->buf->nbytes);
    return a;
}

adl_array *adl_array_scalar(adl_ctx *ctx, double v) {
    adl_array *a = adl_array_alloc(ctx, "array", ADL_FLOAT64, 0, NULL);
    if (a)
        *adl_f64(a) = v;
    return a;
}

adl_array *adl_array_view(adl_ctx *ctx, const adl_array *base, int ndim, const int64_t *shape,
                          const int64_t *strides, int64_t offset) {
    adl_array *a = header_new(base->dtype, ndim, shape);
    if (!a) {
        adl_error_nomem(ctx, "view");
        return NULL;
    }
    memcpy(a->strides, strides, sizeof(int64_t) * (size_t)ndim);
    a->offset = offset;
    a->buf = base->buf;
    a->buf->refcount++;
    return a;
}

adl_array *adl_array_wrap(adl_ctx *ctx, void *data, adl_dtype dt, int ndim, const int64_t *shape,
                          void (*release)(void *), void *release_ctx) {
    if (!data) {
        adl_error(ctx, ADL_ERR_VALUE, "array_wrap: data is NULL");
        return NULL;
    }
    if (dt != ADL_FLOAT64 && dt != ADL_FLOAT32) {
        adl_error(ctx, ADL_ERR_TYPE, "array_wrap: unknown dtype %d", (int)dt);
        return NULL;
    }
    if (check_shape(ctx, "array_wrap", ndim, shape) != ADL_OK)
        return NULL;
    adl_array *a = header_new(dt, ndim, shape);
    adl_buffer *b = malloc(sizeof *b);
    if (!a || !b) {
        free(b);
        if (a) {
            cache_put(&header_cache, a);
            atomic_fetch_sub_explicit(&live_arrays, 1, memory_order_relaxed);
        }
        adl_error_nomem(ctx, "array_wrap");
        return NULL;
    }
    set_contiguous_strides(a);
    b->refcount = 1;
    b->data = data;
    b->nbytes = (size_t)a->size * adl_dtype_size(dt);
    b->release = release;
    b->release_ctx = release_ctx;
    atomic_fetch_add_explicit(&live_buffers, 1, memory_order_relaxed);
    a->buf = b;
    return a;
}

adl_array *adl_array_new_box(const adl_array *value) {
    adl_array *b = header_new(value->dtype, value->ndim, value->shape);
    if (b)
        memcpy(b->strides, value->strides, sizeof(int64_t) * (size_t)value->ndim);
    return b;
}

void adl_array_retain(adl_array *a) {
    a->refcount++;
}

void adl_array_release(adl_array *a) {
    while (a && --a->refcount == 0) {
        adl_array *inner = a->inner;
        buffer_release(a->buf);
        if (a->trace)
            adl_trace_release(a->trace);
        atomic_fetch_sub_explicit(&live_arrays, 1, memory_order_relaxed);
        cache_put(&header_cache, a);
        a = inner; /* a box drops its reference to the value below, iteratively */
    }
}

const adl_array *adl_array_value(const adl_array *a) {
    while (a->level > 0)
        a = a->inner;
    return a;
}

int adl_array_is_contiguous(const adl_array *a) {
    int64_t s = 1;
    for (int i = a->ndim - 1; i >= 0; i--) {
        if (a->shape[i] != 1 && a->strides[i] != s)
            return 0;
        s *= a->shape[i];
    }
    return 1;
}

double adl_array_get(const adl_array *a, const int64_t *index) {
    int64_t off = a->offset;
    for (int i = 0; i < a->ndim; i++)
        off += index[i] * a->strides[i];
    if (a->dtype == ADL_FLOAT32)
        return ((float *)a->buf->data)[off];
    return ((double *)a->buf->data)[off];
}
