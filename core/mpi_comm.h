/* mpi_comm.h: data-parallel communication over MPI (mpi_comm.c).
 *
 * The only part of adlua that talks to MPI.  Built with MPI when the Makefile
 * finds Open MPI (ADL_HAVE_MPI); otherwise every function fails with an error
 * that says how to get it.  MPI is initialised on first use and finalised at
 * process exit.  All ranks of MPI_COMM_WORLD take part in every collective. */
#ifndef ADL_MPI_COMM_H
#define ADL_MPI_COMM_H

#include "adl_core.h"

typedef enum { ADL_MPI_SUM, ADL_MPI_MAX, ADL_MPI_MIN } adl_mpi_op;

/* 1 when this build has MPI. */
int adl_mpi_available(void);
/* Initialises MPI if needed; fills rank (0-based) and size. */
adl_status adl_mpi_world(adl_ctx *ctx, int *rank, int *size);
adl_status adl_mpi_barrier(adl_ctx *ctx);
/* Wall-clock seconds (MPI_Wtime; initialises MPI if needed). */
adl_status adl_mpi_wtime(adl_ctx *ctx, double *out);
/* *out = op over all ranks of x (same shape and dtype on every rank);
 * reads x's buffer in place when it is contiguous. */
adl_status adl_mpi_allreduce(adl_ctx *ctx, const adl_array *x, adl_mpi_op op, adl_array **out);
/* Overwrites the contiguous array x on every rank with root's x. */
adl_status adl_mpi_bcast_array(adl_ctx *ctx, adl_array *x, int root);
/* Root's bytes to every rank: *out (malloc'd, *n bytes) on all ranks. */
adl_status adl_mpi_bcast_bytes(adl_ctx *ctx, const char *data, size_t n, int root, char **out,
                               size_t *nout);
/* Every rank's bytes to root: on root *out holds them back to back
 * (malloc'd) and lens[size] (malloc'd) their lengths; NULL elsewhere. */
adl_status adl_mpi_gather_bytes(adl_ctx *ctx, const char *data, size_t n, int root, char **out,
                                int64_t **lens);

#endif
