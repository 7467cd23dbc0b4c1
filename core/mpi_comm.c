/* mpi_comm.c: the MPI collectives behind adlua.mpi (see mpi_comm.h). */
#include "mpi_comm.h"
#include "alloc.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ADL_HAVE_MPI

#include <dlfcn.h>
#include <limits.h>
#include <mpi.h>

int adl_mpi_available(void) {
    return 1;
}

static void finalize_at_exit(void) {
    int done = 0;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
}

static adl_status mpi_failed(adl_ctx *ctx, const char *op, int code) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error code %d", code);
    return adl_error(ctx, ADL_ERR_VALUE, "mpi.%s: %s", op, text);
}

#define CHECK(op, call)                        \
    do {                                       \
        int code_ = (call);                    \
        if (code_ != MPI_SUCCESS)              \
            return mpi_failed(ctx, op, code_); \
    } while (0)

/* Open MPI loads its components with dlopen and expects libmpi's symbols to
 * be global; a Lua C module (and so libmpi) is loaded RTLD_LOCAL by luajit. */
static void promote_libmpi(void) {
    static const char *names[] = {"libmpi.so.40", "libmpi.so"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (dlopen(names[i], RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD))
            return;
}

static adl_status ensure_init(adl_ctx *ctx, const char *op) {
    int started = 0, done = 0;
    MPI_Initialized(&started);
    MPI_Finalized(&done);
    if (done)
        return adl_error(ctx, ADL_ERR_VALUE, "mpi.%s: MPI has already been finalised", op);
    if (!started) {
        promote_libmpi();
        int provided;
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return adl_error(ctx, ADL_ERR_VALUE,
                             "mpi.%s: MPI could not be initialised (run under mpirun, or check "
                             "the Open MPI installation)",
                             op);
        atexit(finalize_at_exit);
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    return ADL_OK;
}

adl_status adl_mpi_world(adl_ctx *ctx, int *rank, int *size) {
    adl_status st = ensure_init(ctx, "rank");
    if (st)
        return st;
    CHECK("rank", MPI_Comm_rank(MPI_COMM_WORLD, rank));
    CHECK("size", MPI_Comm_size(MPI_COMM_WORLD, size));
    return ADL_OK;
}

adl_status adl_mpi_barrier(adl_ctx *ctx) {
    adl_status st = ensure_init(ctx, "barrier");
    if (st)
        return st;
    CHECK("barrier", MPI_Barrier(MPI_COMM_WORLD));
    return ADL_OK;
}

adl_status adl_mpi_wtime(adl_ctx *ctx, double *out) {
    adl_status st = ensure_init(ctx, "wtime");
    if (st)
        return st;
    *out = MPI_Wtime();
    return ADL_OK;
}

static adl_status check_root(adl_ctx *ctx, const char *op, int root) {
    int size;
    CHECK(op, MPI_Comm_size(MPI_COMM_WORLD, &size));
    if (root < 0 || root >= size)
        return adl_error(ctx, ADL_ERR_VALUE, "mpi.%s: root %d is not a rank (0 .. %d)", op, root,
                         size - 1);
    return ADL_OK;
}

static MPI_Datatype mpi_type(adl_dtype dt) {
    return dt == ADL_FLOAT32 ? MPI_FLOAT : MPI_DOUBLE;
}

static adl_status check_count(adl_ctx *ctx, const char *op, int64_t n) {
    if (n > INT_MAX)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "mpi.%s: %lld elements is more than one MPI message holds (%d)", op,
                         (long long)n, INT_MAX);
    return ADL_OK;
}

adl_status adl_mpi_allreduce(adl_ctx *ctx, const adl_array *x, adl_mpi_op op, adl_array **out) {
    adl_status st = ensure_init(ctx, "allreduce");
    if (st || (st = check_count(ctx, "allreduce", x->size)))
        return st;
    x = adl_value_read(ctx, x);
    adl_array *packed = NULL; /* a contiguous copy, only when x is not */
    if (!adl_array_is_contiguous(x)) {
        if ((st = adl_k_copy(ctx, x, &packed)))
            return st;
        x = packed;
    }
    adl_array *r = adl_array_alloc(ctx, "mpi.allreduce", x->dtype, x->ndim, x->shape);
    if (!r) {
        adl_array_release(packed);
        return ctx->status;
    }
    MPI_Op mop = op == ADL_MPI_MAX ? MPI_MAX : op == ADL_MPI_MIN ? MPI_MIN : MPI_SUM;
    size_t esize = adl_dtype_size(x->dtype);
    int code = MPI_Allreduce((char *)x->buf->data + x->offset * esize, r->buf->data, (int)x->size,
                             mpi_type(x->dtype), mop, MPI_COMM_WORLD);
    adl_array_release(packed);
    if (code != MPI_SUCCESS) {
        adl_array_release(r);
        return mpi_failed(ctx, "allreduce", code);
    }
    *out = r;
    return ADL_OK;
}

adl_status adl_mpi_bcast_array(adl_ctx *ctx, adl_array *x, int root) {
    adl_status st = ensure_init(ctx, "bcast");
    if (st || (st = check_root(ctx, "bcast", root)) || (st = check_count(ctx, "bcast", x->size)))
        return st;
    if (x->level != 0 || !adl_array_is_contiguous(x))
        return adl_error(ctx, ADL_ERR_VALUE, "mpi.bcast: the buffer must be a contiguous array");
    size_t esize = adl_dtype_size(x->dtype);
    CHECK("bcast", MPI_Bcast((char *)x->buf->data + x->offset * esize, (int)x->size,
                             mpi_type(x->dtype), root, MPI_COMM_WORLD));
    return ADL_OK;
}

adl_status adl_mpi_bcast_bytes(adl_ctx *ctx, const char *data, size_t n, int root, char **out,
                               size_t *nout) {
    adl_status st = ensure_init(ctx, "bcast");
    if (st || (st = check_root(ctx, "bcast", root)) || (st = check_count(ctx, "bcast", (int64_t)n)))
        return st;
    int rank;
    CHECK("bcast", MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    long long len = (long long)n;
    CHECK("bcast", MPI_Bcast(&len, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD));
    if (len < 0 || len > INT_MAX)
        return adl_error(ctx, ADL_ERR_VALUE, "mpi.bcast: message of %lld bytes", len);
    char *buf = adl_malloc((size_t)len + 1);
    if (!buf)
        return adl_error_nomem(ctx, "mpi.bcast");
    if (rank == root && len > 0)
        memcpy(buf, data, (size_t)len);
    int code = MPI_Bcast(buf, (int)len, MPI_BYTE, root, MPI_COMM_WORLD);
    if (code != MPI_SUCCESS) {
        adl_free(buf);
        return mpi_failed(ctx, "bcast", code);
    }
    *out = buf;
    *nout = (size_t)len;
    return ADL_OK;
}

adl_status adl_mpi_gather_bytes(adl_ctx *ctx, const char *data, size_t n, int root, char **out,
                                int64_t **lens) {
    *out = NULL;
    *lens = NULL;
    adl_status st = ensure_init(ctx, "gather");
    if (st || (st = check_root(ctx, "gather", root)) ||
        (st = check_count(ctx, "gather", (int64_t)n)))
        return st;
    int rank, size;
    CHECK("gather", MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    CHECK("gather", MPI_Comm_size(MPI_COMM_WORLD, &size));
    int mine = (int)n;
    int *counts = NULL, *displs = NULL;
    char *buf = NULL;
    if (rank == root) {
        counts = adl_calloc((size_t)size, sizeof *counts);
        displs = adl_calloc((size_t)size, sizeof *displs);
        *lens = adl_calloc((size_t)size, sizeof **lens);
        if (!counts || !displs || !*lens) {
            st = adl_error_nomem(ctx, "mpi.gather");
            goto fail;
        }
    }
    int code = MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, root, MPI_COMM_WORLD);
    if (code != MPI_SUCCESS) {
        st = mpi_failed(ctx, "gather", code);
        goto fail;
    }
    if (rank == root) {
        int64_t total = 0;
        for (int i = 0; i < size; i++) {
            displs[i] = (int)total;
            (*lens)[i] = counts[i];
            total += counts[i];
        }
        if (total > INT_MAX) {
            st = adl_error(ctx, ADL_ERR_VALUE, "mpi.gather: %lld bytes in all is too much",
                           (long long)total);
            goto fail;
        }
        buf = adl_malloc((size_t)total + 1);
        if (!buf) {
            st = adl_error_nomem(ctx, "mpi.gather");
            goto fail;
        }
    }
    code = MPI_Gatherv(data, mine, MPI_BYTE, buf, counts, displs, MPI_BYTE, root, MPI_COMM_WORLD);
    if (code != MPI_SUCCESS) {
        st = mpi_failed(ctx, "gather", code);
        goto fail;
    }
    adl_free(counts);
    adl_free(displs);
    *out = buf;
    return ADL_OK;
fail:
    adl_free(counts);
    adl_free(displs);
    adl_free(buf);
    adl_free(*lens);
    *lens = NULL;
    return st;
}

#else /* no MPI in this build */

int adl_mpi_available(void) {
    return 0;
}

static adl_status no_mpi(adl_ctx *ctx) {
    return adl_error(ctx, ADL_ERR_VALUE,
                     "adlua.mpi: this adlua was built without MPI; install Open MPI "
                     "(apt install libopenmpi-dev openmpi-bin, or `make setup`) and rebuild "
                     "(`make clean all`)");
}

adl_status adl_mpi_world(adl_ctx *ctx, int *rank, int *size) {
    *rank = 0;
    *size = 1;
    return no_mpi(ctx);
}
adl_status adl_mpi_barrier(adl_ctx *ctx) {
    return no_mpi(ctx);
}
adl_status adl_mpi_wtime(adl_ctx *ctx, double *out) {
    (void)out;
    return no_mpi(ctx);
}
adl_status adl_mpi_allreduce(adl_ctx *ctx, const adl_array *x, adl_mpi_op op, adl_array **out) {
    (void)x, (void)op, (void)out;
    return no_mpi(ctx);
}
adl_status adl_mpi_bcast_array(adl_ctx *ctx, adl_array *x, int root) {
    (void)x, (void)root;
    return no_mpi(ctx);
}
adl_status adl_mpi_bcast_bytes(adl_ctx *ctx, const char *data, size_t n, int root, char **out,
                               size_t *nout) {
    (void)data, (void)n, (void)root, (void)out, (void)nout;
    return no_mpi(ctx);
}
adl_status adl_mpi_gather_bytes(adl_ctx *ctx, const char *data, size_t n, int root, char **out,
                                int64_t **lens) {
    (void)data, (void)n, (void)root, (void)out, (void)lens;
    return no_mpi(ctx);
}

#endif
