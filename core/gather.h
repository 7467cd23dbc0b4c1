/* gather.h: index arrays (take and its adjoint, take_add). Positions are a
 * float64 array of 0-based whole numbers, checked by adl_positions. */
#ifndef ADL_GATHER_H
#define ADL_GATHER_H
#include "trace.h"

/* Checks idx (1-based, negative from the end) against an axis of `size`
 * and returns its 0-based positions; errors name `op`. */
adl_status adl_positions(adl_ctx *ctx, const char *op, const adl_array *idx, int axis, int64_t size,
                         adl_array **out);
/* Traced: x's slices at pos along axis (result shape: x's with axis
 * replaced by pos's shape). */
adl_status adl_take(adl_ctx *ctx, adl_array *x, adl_array *pos, int axis, adl_array **out);
/* Traced: zeros of `shape` plus g's slices added at pos along axis. */
adl_status adl_take_add(adl_ctx *ctx, adl_array *g, adl_array *pos, int axis, int ndim,
                        const int64_t *shape, adl_array **out);
/* Kernels on plain arrays. */
adl_status adl_k_take(adl_ctx *ctx, const adl_array *x, const adl_array *pos, int axis,
                      adl_array **out);
adl_status adl_k_take_add(adl_ctx *ctx, const adl_array *g, const adl_array *pos, int axis,
                          int ndim, const int64_t *shape, adl_array **out);
/* x.flat[pos[j]] = vals[j] in place, in order (a repeated position keeps
 * the last value): x a plain array of any strides, pos its 0-based flat
 * positions in C order (from adl_positions), vals as many values of either
 * dtype, converted to x's. */
adl_status adl_k_put(adl_ctx *ctx, adl_array *x, const adl_array *pos, const adl_array *vals);
#endif
