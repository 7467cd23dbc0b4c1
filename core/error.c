/* error.c: the per-interpreter error record. */
#include "adl_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void adl_ctx_init(adl_ctx *ctx) {
    memset(ctx, 0, sizeof *ctx);
}

adl_status adl_error(adl_ctx *ctx, adl_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    ctx->status = st;
    return st;
}

adl_status adl_error_nomem(adl_ctx *ctx, const char *op) {
    return adl_error(ctx, ADL_ERR_MEMORY, "%s: out of memory", op);
}
