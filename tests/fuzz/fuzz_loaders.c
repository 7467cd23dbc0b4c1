/* fuzz_loaders.c: libFuzzer harness for the file readers (core/npyio.h):
 * .npy decoding, .npz (zip) reading with every entry decoded, and text
 * tables with options taken from the input (delimiter, comment character,
 * skipped rows, usecols, ndmin).  Malformed input must give an error, never
 * a crash, a sanitizer report, an absurd allocation or a leak; an array
 * that decodes must have as many numbers as its shape says.
 *
 * The first byte chooses the reader; the rest is the file (for text, four
 * more bytes are the options).  Built only when core/npyio.h exists. */
#define _POSIX_C_SOURCE 200809L /* the POSIX names the core headers use */
#include "adl_core.h"
#include "alloc.h"
#include "npyio.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void fail(const char *what) {
    fprintf(stderr, "fuzz_loaders: %s\n", what);
    abort();
}

static void check_array(adl_status st, adl_array *a) {
    if (st != ADL_OK) {
        if (a)
            fail("an error with a result");
        return;
    }
    if (!a)
        fail("success without a result");
    if (adl_shape_size(a->ndim, a->shape) != a->size)
        fail("the size does not match the shape");
    adl_array_release(a);
}

static void npy(adl_ctx *ctx, const uint8_t *p, size_t n) {
    adl_npy_header h;
    if (adl_npy_parse_header(ctx, "load", p, n, &h) == ADL_OK && h.data_offset > n)
        fail("the header puts the data past the end of the file");
    adl_array *a = NULL;
    check_array(adl_npy_decode(ctx, "load", p, n, &a), a);
}

static void npz(adl_ctx *ctx, const uint8_t *p, size_t n) {
    adl_zip_entry *e = NULL;
    int count = 0;
    if (adl_zip_read(ctx, "load", p, n, &e, &count) == ADL_OK) {
        for (int i = 0; i < count; i++) {
            if (e[i].data < p || e[i].data + e[i].size > p + n)
                fail("an entry outside the archive");
            adl_array *a = NULL;
            check_array(adl_npy_decode(ctx, "load", e[i].data, e[i].size, &a), a);
        }
    }
    adl_free(e);
}

static void text(adl_ctx *ctx, const uint8_t *p, size_t n) {
    adl_text_opts o;
    adl_text_opts_default(&o);
    if (n >= 4) {
        static const char delims[] = {0, ',', ';', '\t', ' ', '|', '#', '\n'};
        o.delimiter = delims[p[0] % 8];
        o.comments = (p[1] & 1) ? 0 : (p[1] & 2) ? ';' : '#';
        o.skiprows = p[1] >> 5;
        o.ndmin = p[2] % 3;
        o.nusecols = p[3] % 4;
        for (int i = 0; i < o.nusecols; i++)
            o.usecols[i] = (int8_t)(p[2] + 37 * i) % 6;
        p += 4;
        n -= 4;
    }
    adl_array *a = NULL;
    check_array(adl_text_parse(ctx, "loadtxt", (const char *)p, n, &o, &a), a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t live0 = adl_live_arrays(), bytes0 = adl_live_bytes();
    switch (data[0] % 3) {
    case 0:
        npy(&ctx, data + 1, size - 1);
        break;
    case 1:
        npz(&ctx, data + 1, size - 1);
        break;
    default:
        text(&ctx, data + 1, size - 1);
    }
    if (adl_live_arrays() != live0 || adl_live_bytes() != bytes0)
        fail("arrays left alive");
    return 0;
}
