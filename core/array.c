/* array.c: refcounted buffers and the array headers (views) that share them. */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE: not POSIX */
#include "adl_core.h"
#include "alloc.h"
#include "iter.h"
#include "trace.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Per-thread state of this file: built position-independent (libadlua.so,
 * the Lua module), the default model reaches it through a call to
 * __tls_get_addr in every function that touches it, about a tenth of a
 * scalar operation's core work.  The initial-exec model reads it at a
 * fixed offset; a library that is dlopen'ed (the Lua module) takes these
 * 48 bytes from the static TLS space glibc keeps for such libraries. */
#define ADL_TLS static _Thread_local __attribute__((tls_model("initial-exec")))

/* Per-thread counters: no atomic instructions on the hot path; leak checks
 * compare them on the thread that does the work. */
ADL_TLS int64_t live_arrays, live_buffers, live_bytes;

int64_t adl_live_arrays(void) {
    return live_arrays;
}
int64_t adl_live_buffers(void) {
    return live_buffers;
}
int64_t adl_live_bytes(void) {
    return live_bytes;
}

const char *adl_dtype_name(adl_dtype dt) {
    return dt == ADL_FLOAT32 ? "float32" : "float64";
}

/* Every header comes in a block with room for a small buffer: arrays of up
 * to INLINE_BYTES keep their numbers there, one allocation instead of two.
 * Such a buffer belongs to its header (buffer.owner); when the header goes
 * while views still share the buffer, the block stays until they go. */
#define INLINE_BYTES 32

typedef struct header_block {
    adl_array array;
    adl_buffer buffer;
    _Alignas(32) unsigned char data[INLINE_BYTES];
} header_block;

/* Larger buffers: header and bytes in one malloc'd block, the data at the
 * first 64-byte boundary after the header (aligned for vector loads).  Not
 * posix_memalign: glibc carves an aligned block out of a larger free one,
 * and the blocks it frees then seldom fit the next request, so a loop of
 * same-sized results (W6's 8 MB GEMMs) grew the heap at every step and
 * faulted in fresh pages instead of reusing the freed ones. */
#define DATA_ALIGN   64
#define BUFFER_SLACK (sizeof(adl_buffer) + DATA_ALIGN - 1)

/* Loops over tiny arrays allocate and free headers at a high rate, in
 * bursts larger than malloc's per-thread cache: each thread keeps its own
 * bounded stacks of free blocks (no locks; a block freed on another thread
 * simply joins that thread's stack).  Two kinds of block: a header_block for
 * arrays whose numbers fit inline, and a bare header for views, boxes and
 * arrays with their own buffer, so that a deep tape of boxes stays small. */
#define CACHE_MAX 65536

enum { BARE, WITH_DATA };
static const size_t block_size[2] = {sizeof(adl_array), sizeof(header_block)};

typedef struct free_block {
    struct free_block *next;
} free_block;

ADL_TLS free_block *cache_top[2];
ADL_TLS int cache_count[2];

static void *block_get(int kind) {
    free_block *b = cache_top[kind];
    if (!b)
        return adl_malloc(block_size[kind]);
    cache_top[kind] = b->next;
    cache_count[kind]--;
    return b;
}

static void block_put(int kind, void *p) {
    if (cache_count[kind] >= CACHE_MAX) {
        adl_free(p);
        return;
    }
    free_block *b = p;
    b->next = cache_top[kind];
    cache_top[kind] = b;
    cache_count[kind]++;
}

void adl_thread_cleanup(void) {
    for (int kind = 0; kind < 2; kind++) {
        while (cache_top[kind]) {
            free_block *next = cache_top[kind]->next;
            adl_free(cache_top[kind]);
            cache_top[kind] = next;
        }
        cache_count[kind] = 0;
    }
}

static void buffer_init(adl_buffer *b, void *data, size_t nbytes, adl_array *owner) {
    b->refcount = 1;
    b->data = data;
    b->nbytes = nbytes;
    b->release = NULL;
    b->release_ctx = NULL;
    b->owner = owner;
    b->saved = 0;
    b->saved_op = 0;
    live_buffers++;
    live_bytes += (int64_t)nbytes;
}

/* Buffers of HUGE_PAGE_BYTES and more ask the kernel for transparent huge
 * pages, as NumPy does: where THP is "madvise" (Debian's default), one pass
 * over an 8 MB array otherwise walks 2048 TLB entries.  Only the whole
 * pages inside the buffer are advised; a refusal changes nothing. */
#define HUGE_PAGE_BYTES ((size_t)4 << 20)

static void advise_huge_pages(void *data, size_t nbytes) {
#ifdef MADV_HUGEPAGE
    const uintptr_t page = 4096;
    uintptr_t lo = ((uintptr_t)data + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)data + nbytes) & ~(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)data;
    (void)nbytes;
#endif
}

static adl_buffer *buffer_new(size_t nbytes) {
    adl_buffer *b = adl_malloc(BUFFER_SLACK + nbytes);
    if (b) {
        uintptr_t data = ((uintptr_t)(b + 1) + DATA_ALIGN - 1) & ~(uintptr_t)(DATA_ALIGN - 1);
        buffer_init(b, (void *)data, nbytes, NULL);
        if (nbytes >= HUGE_PAGE_BYTES)
            advise_huge_pages(b->data, nbytes);
    }
    return b;
}

static void buffer_release(adl_buffer *b) {
    if (!b || --b->refcount > 0)
        return;
    live_buffers--;
    if (b->release) {
        b->release(b->release_ctx);
        adl_free(b);
        return;
    }
    live_bytes -= (int64_t)b->nbytes;
    if (b->owner)
        block_put(WITH_DATA, b->owner); /* its header went earlier: the whole block goes now */
    else
        adl_free(b);
}

/* kind: WITH_DATA only for arrays whose numbers will live in the block. */
static adl_array *header_new(int kind, adl_dtype dt, int ndim, const int64_t *shape) {
    adl_array *a = block_get(kind);
    if (!a)
        return NULL;
    if (ndim <= ADL_INLINE_DIMS) {
        a->shape = a->dims;
        a->strides = a->dims + ADL_INLINE_DIMS;
    } else {
        a->shape = adl_malloc(sizeof(int64_t) * 2 * (size_t)ndim);
        if (!a->shape) {
            block_put(kind, a);
            return NULL;
        }
        a->strides = a->shape + ndim;
    }
    a->refcount = 1;
    a->dtype = dt;
    a->ndim = ndim;
    a->level = 0;
    /* unsigned: a zero anywhere gives 0 even where the other sizes'
     * product would overflow, e.g. a broadcast to (2^40, 2^40, 0) */
    uint64_t size = 1;
    for (int i = 0; i < ndim; i++) {
        a->shape[i] = shape[i];
        size *= (uint64_t)shape[i];
    }
    a->size = (int64_t)size;
    a->offset = 0;
    a->buf = NULL;
    a->inner = NULL;
    a->trace = NULL;
    a->node = -1;
    live_arrays++;
    return a;
}

static void dims_free(adl_array *a) {
    if (a->shape != a->dims)
        adl_free(a->shape);
}

static void header_free(adl_array *a) {
    live_arrays--;
    dims_free(a);
    block_put(BARE, a);
}

static adl_status check_shape(adl_ctx *ctx, const char *op, int ndim, const int64_t *shape) {
    if (ndim < 0 || ndim > ADL_MAX_DIMS)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: %d dimensions requested, at most %d supported",
                         op, ndim, ADL_MAX_DIMS);
    /* The product of the nonzero sizes, as NumPy: a zero-size array's
     * strides still multiply the others, e.g. (0, 2^40, 2^40) is too big. */
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: negative dimensions are not allowed (axis %d has size %lld)", op,
                             i + 1, (long long)shape[i]);
        if (shape[i] == 0)
            continue;
        if (n > ADL_MAX_SIZE / shape[i])
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

/* adl_array_alloc for an array whose numbers fit in its header's block (at
 * most 4 float64), the result of nearly every operation of a per-sample
 * loop: one pass over the shape and no checks that cannot fail.  Returns 0
 * when the shape is not such a small one (the general path takes it), else
 * 1 with *out set, NULL when out of memory. */
static int alloc_small(adl_dtype dt, int ndim, const int64_t *shape, adl_array **out) {
    if ((unsigned)ndim > ADL_INLINE_DIMS)
        return 0;
    uint64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if ((uint64_t)shape[i] > 4) /* negative ones too: the general path reports them */
            return 0;
        n *= (uint64_t)shape[i];
    }
    size_t nbytes = (size_t)n * adl_dtype_size(dt);
    if (nbytes > INLINE_BYTES)
        return 0;
    header_block *hb = block_get(WITH_DATA);
    *out = NULL;
    if (!hb)
        return 1;
    adl_array *a = *out = &hb->array;
    a->refcount = 1;
    a->dtype = dt;
    a->ndim = ndim;
    a->level = 0;
    a->node = -1;
    a->size = (int64_t)n;
    a->shape = a->dims;
    a->strides = a->dims + ADL_INLINE_DIMS;
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        a->shape[i] = shape[i];
        a->strides[i] = s;
        s *= shape[i];
    }
    a->offset = 0;
    a->inner = NULL;
    a->trace = NULL;
    live_arrays++;
    a->buf = &hb->buffer;
    buffer_init(a->buf, hb->data, nbytes, a);
    return 1;
}

/* The other arrays (out of line: the small path's prologue stays short). */
static __attribute__((noinline)) adl_array *
alloc_general(adl_ctx *ctx, const char *op, adl_dtype dt, int ndim, const int64_t *shape) {
    if (check_shape(ctx, op, ndim, shape) != ADL_OK)
        return NULL;
    size_t nbytes = (size_t)adl_shape_size(ndim, shape) * adl_dtype_size(dt);
    adl_array *a = header_new(nbytes <= INLINE_BYTES ? WITH_DATA : BARE, dt, ndim, shape);
    if (!a) {
        adl_error_nomem(ctx, op);
        return NULL;
    }
    set_contiguous_strides(a);
    if (nbytes <= INLINE_BYTES) {
        header_block *hb = (header_block *)a;
        a->buf = &hb->buffer;
        buffer_init(a->buf, hb->data, nbytes, a);
        return a;
    }
    a->buf = buffer_new(nbytes);
    if (!a->buf) {
        header_free(a);
        char s[256];
        adl_shape_str(ndim, shape, s, sizeof s);
        adl_error(ctx, ADL_ERR_MEMORY, "%s: out of memory allocating an array of shape %s", op, s);
        return NULL;
    }
    return a;
}

adl_array *adl_array_alloc(adl_ctx *ctx, const char *op, adl_dtype dt, int ndim,
                           const int64_t *shape) {
    adl_array *small;
    if (!alloc_small(dt, ndim, shape, &small))
        return alloc_general(ctx, op, dt, ndim, shape);
    if (!small)
        adl_error_nomem(ctx, op);
    return small;
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
    adl_array *a = header_new(BARE, base->dtype, ndim, shape);
    if (!a) {
        adl_error_nomem(ctx, "view");
        return NULL;
    }
    if (ndim > 0) /* strides may be NULL for a 0-d view */
        memcpy(a->strides, strides, sizeof(int64_t) * (size_t)ndim);
    a->offset = offset;
    a->buf = base->buf;
    a->buf->refcount++;
    return a;
}

adl_array *adl_array_wrap_ctx(adl_ctx *ctx, void *data, adl_dtype dt, int ndim,
                              const int64_t *shape, void (*release)(void *), void *release_ctx) {
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
    adl_array *a = header_new(BARE, dt, ndim, shape);
    adl_buffer *b = adl_malloc(sizeof *b);
    if (!a || !b) {
        adl_free(b);
        if (a)
            header_free(a);
        adl_error_nomem(ctx, "array_wrap");
        return NULL;
    }
    set_contiguous_strides(a);
    buffer_init(b, data, (size_t)a->size * adl_dtype_size(dt), NULL);
    live_bytes -= (int64_t)b->nbytes; /* the host's bytes, not ours */
    b->release = release;
    b->release_ctx = release_ctx;
    a->buf = b;
    return a;
}

adl_array *adl_array_new_box(const adl_array *value) {
    adl_array *b = header_new(BARE, value->dtype, value->ndim, value->shape);
    if (b)
        for (int i = 0; i < value->ndim; i++) /* a loop, not a memcpy call: ndim is small */
            b->strides[i] = value->strides[i];
    return b;
}

void adl_array_retain(adl_array *a) {
    if (a) /* NULL is fine, as for release */
        a->refcount++;
}

/* a's last reference went: frees it, and the boxes' values below it whose
 * last reference that was.  Out of line, so that adl_array_release, a
 * decrement on most calls, is small enough to inline across files (LTO);
 * flatten: buffer_release and header_free inlined here. */
static __attribute__((noinline, flatten)) void array_free(adl_array *a) {
    do {
        adl_array *inner = a->inner;
        adl_buffer *b = a->buf;
        if (a->trace)
            adl_trace_release(a->trace);
        if (b && b->owner == a) {
            /* the buffer lives in this header's block */
            live_arrays--;
            dims_free(a);
            buffer_release(b); /* frees the block unless views still use it */
        } else {
            buffer_release(b);
            header_free(a);
        }
        a = inner; /* a box drops its reference to the value below, iteratively */
    } while (a && --a->refcount == 0);
}

void adl_array_release(adl_array *a) {
    if (a && --a->refcount == 0)
        array_free(a);
}

const adl_array *adl_array_value(const adl_array *a) {
    while (a->level > 0)
        a = a->inner;
    return a;
}

int adl_array_is_contiguous(const adl_array *a) {
    return adl_contiguous(a); /* the kernels' inline test, for the other files */
}

double adl_array_get(const adl_array *a, const int64_t *index) {
    int64_t off = a->offset;
    for (int i = 0; i < a->ndim; i++)
        off += index[i] * a->strides[i];
    if (a->dtype == ADL_FLOAT32)
        return ((float *)a->buf->data)[off];
    return ((double *)a->buf->data)[off];
}
