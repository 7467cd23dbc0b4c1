/* custom.c: a user's operation as a primitive of the tracer.
 *
 * The forward computation and the rule are callbacks (the binding calls the
 * user's Lua functions), so the core stays free of Lua; adl_apply boxes and
 * records the operation as any other, and the rule runs in the sweep. */
#include "trace.h"

#include <string.h>

adl_status adl_custom_apply(adl_ctx *ctx, const adl_custom *c, int nin, adl_array *const *in,
                            adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    p.custom = c;
    return adl_apply(ctx, ADL_OP_CUSTOM, nin, in, &p, out);
}
