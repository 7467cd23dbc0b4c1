/* npy.c: NumPy's .npy format (numpy/lib/format.py): the magic string
 * "\x93NUMPY", a version, a little-endian header length, and a Python dict
 * literal {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and a newline; then the data. */
#include "alloc.h"
#include "npyio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC     "\x93NUMPY"
#define MAGIC_LEN 6

static int host_is_big_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

/* ---- header dict parsing ---- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int eat(cursor *c, char ch) {
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string ('...' or "...") without escapes into out. */
static int parse_string(cursor *c, char *out, size_t cap) {
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return 0;
    char q = *c->p++;
    size_t k = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || k + 1 >= cap)
            return 0;
        out[k++] = *c->p++;
    }
    if (c->p >= c->end)
        return 0;
    c->p++;
    out[k] = 0;
    return 1;
}

static int parse_word(cursor *c, const char *word) {
    size_t n = strlen(word);
    skip_space(c);
    if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, word, n)) {
        c->p += n;
        return 1;
    }
    return 0;
}

static adl_status bad_header(adl_ctx *ctx, const char *what, const char *why) {
    return adl_error(ctx, ADL_ERR_VALUE, "%s: not a valid .npy file: %s", what, why);
}

static adl_status parse_shape(adl_ctx *ctx, const char *what, cursor *c, adl_npy_header *h) {
    if (!eat(c, '('))
        return bad_header(ctx, what, "'shape' is not a tuple");
    h->ndim = 0;
    h->size = 1;
    for (;;) {
        skip_space(c);
        if (eat(c, ')'))
            return ADL_OK;
        if (c->p < c->end && *c->p == '-')
            return bad_header(ctx, what, "a negative dimension in 'shape'");
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return bad_header(ctx, what, "'shape' holds something other than whole numbers");
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (v > (ADL_MAX_SIZE - 9) / 10)
                return bad_header(ctx, what, "a dimension in 'shape' is absurdly large");
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') /* Python 2 longs */
            c->p++;
        if (h->ndim == ADL_MAX_DIMS)
            return bad_header(ctx, what, "more dimensions than adlua supports (16)");
        h->shape[h->ndim++] = v;
        if (v > 0 && h->size > ADL_MAX_SIZE / v)
            return bad_header(ctx, what, "the shape's size overflows");
        h->size *= v;
        if (!eat(c, ',')) {
            if (!eat(c, ')'))
                return bad_header(ctx, what, "'shape' is not a tuple");
            return ADL_OK;
        }
    }
}

static adl_status parse_descr(adl_ctx *ctx, const char *what, const char *d, adl_npy_header *h) {
    char order = d[0];
    if (order != '<' && order != '>' && order != '|' && order != '=')
        goto unsupported;
    h->kind = d[1];
    if (!strchr("fiub", h->kind) || d[1] == 0 || d[2] < '1' || d[2] > '8' || d[3] != 0)
        goto unsupported;
    h->itemsize = d[2] - '0';
    h->big_endian = order == '>' || (order == '=' && host_is_big_endian());
    if (h->kind == 'f' && h->itemsize != 4 && h->itemsize != 8)
        goto unsupported;
    if ((h->kind == 'i' || h->kind == 'u') && h->itemsize != 1 && h->itemsize != 2 &&
        h->itemsize != 4 && h->itemsize != 8)
        goto unsupported;
    if (h->kind == 'b' && h->itemsize != 1)
        goto unsupported;
    return ADL_OK;
unsupported:
    return adl_error(ctx, ADL_ERR_TYPE,
                     "%s: unsupported dtype '%s' in .npy file (float64, float32, int8..int64, "
                     "uint8..uint64 and bool load)",
                     what, d);
}

adl_status adl_npy_parse_header(adl_ctx *ctx, const char *what, const unsigned char *buf, size_t n,
                                adl_npy_header *h) {
    memset(h, 0, sizeof *h);
    if (n < MAGIC_LEN || memcmp(buf, MAGIC, MAGIC_LEN) != 0)
        return bad_header(ctx, what, "no \\x93NUMPY magic string at the start");
    if (n < MAGIC_LEN + 2)
        return bad_header(ctx, what, "the file ends inside the preamble");
    h->major = buf[6];
    h->minor = buf[7];
    size_t hlen, start;
    if (h->major == 1) {
        if (n < 10)
            return bad_header(ctx, what, "the file ends inside the preamble");
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        start = 10;
    } else if (h->major == 2 || h->major == 3) {
        if (n < 12)
            return bad_header(ctx, what, "the file ends inside the preamble");
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        start = 12;
    } else
        return adl_error(ctx, ADL_ERR_VALUE,
                         "%s: .npy format version %d.%d is not supported (1.0, 2.0 and 3.0 are)",
                         what, h->major, h->minor);
    if (hlen > n - start)
        return bad_header(ctx, what, "the file ends inside the header");
    h->data_offset = start + hlen;
    cursor c = {(const char *)buf + start, (const char *)buf + start + hlen};
    int have_descr = 0, have_order = 0, have_shape = 0;
    char key[32], descr[32];
    if (!eat(&c, '{'))
        return bad_header(ctx, what, "the header is not a dict");
    for (;;) {
        if (eat(&c, '}'))
            break;
        if (!parse_string(&c, key, sizeof key) || !eat(&c, ':'))
            return bad_header(ctx, what, "the header is not a dict of quoted keys");
        if (!strcmp(key, "descr")) {
            if (!parse_string(&c, descr, sizeof descr)) {
                skip_space(&c);
                if (c.p < c.end && *c.p == '[')
                    return adl_error(ctx, ADL_ERR_TYPE,
                                     "%s: structured dtypes (records) are not supported", what);
                return bad_header(ctx, what, "'descr' is not a string");
            }
            adl_status st = parse_descr(ctx, what, descr, h);
            if (st)
                return st;
            have_descr = 1;
        } else if (!strcmp(key, "fortran_order")) {
            if (parse_word(&c, "True"))
                h->fortran_order = 1;
            else if (parse_word(&c, "False"))
                h->fortran_order = 0;
            else
                return bad_header(ctx, what, "'fortran_order' is neither True nor False");
            have_order = 1;
        } else if (!strcmp(key, "shape")) {
            adl_status st = parse_shape(ctx, what, &c, h);
            if (st)
                return st;
            have_shape = 1;
        } else
            return bad_header(ctx, what, "unknown key in the header");
        if (!eat(&c, ',')) {
            if (!eat(&c, '}'))
                return bad_header(ctx, what, "the header dict is malformed");
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return bad_header(ctx, what, "the header lacks 'descr', 'fortran_order' or 'shape'");
    return ADL_OK;
}

/* ---- decoding ---- */

static double read_item(const unsigned char *p, const adl_npy_header *h) {
    unsigned char b[8];
    int n = h->itemsize;
    if (h->big_endian != host_is_big_endian())
        for (int i = 0; i < n; i++)
            b[i] = p[n - 1 - i];
    else
        memcpy(b, p, (size_t)n);
    switch (h->kind) {
    case 'f':
        if (n == 8) {
            double d;
            memcpy(&d, b, 8);
            return d;
        } else {
            float f;
            memcpy(&f, b, 4);
            return (double)f;
        }
    case 'b':
        return b[0] != 0;
    case 'u':
        if (n == 1)
            return b[0];
        if (n == 2) {
            uint16_t v;
            memcpy(&v, b, 2);
            return v;
        }
        if (n == 4) {
            uint32_t v;
            memcpy(&v, b, 4);
            return v;
        } else {
            uint64_t v;
            memcpy(&v, b, 8);
            return (double)v;
        }
    default: /* 'i' */
        if (n == 1)
            return (int8_t)b[0];
        if (n == 2) {
            int16_t v;
            memcpy(&v, b, 2);
            return v;
        }
        if (n == 4) {
            int32_t v;
            memcpy(&v, b, 4);
            return v;
        } else {
            int64_t v;
            memcpy(&v, b, 8);
            return (double)v;
        }
    }
}

adl_status adl_npy_decode(adl_ctx *ctx, const char *what, const unsigned char *buf, size_t n,
                          adl_array **out) {
    adl_npy_header h;
    adl_status st = adl_npy_parse_header(ctx, what, buf, n, &h);
    if (st)
        return st;
    /* size <= 2^48 and itemsize <= 8: no overflow */
    size_t need = (size_t)h.size * (size_t)h.itemsize, have = n - h.data_offset;
    if (need > have)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "%s: the .npy file is truncated: its header announces %zu bytes of data, "
                         "the file holds %zu",
                         what, need, have);
    adl_array *a = adl_array_alloc(ctx, what, ADL_FLOAT64, h.ndim, h.shape);
    if (!a)
        return ctx->status;
    double *dst = adl_f64(a);
    const unsigned char *src = buf + h.data_offset;
    if (!h.fortran_order || h.ndim < 2) {
        for (int64_t i = 0; i < h.size; i++)
            dst[i] = read_item(src + (size_t)i * (size_t)h.itemsize, &h);
    } else {
        /* Fortran order: the first index runs fastest in the file */
        int64_t idx[ADL_MAX_DIMS] = {0}, cstride[ADL_MAX_DIMS] = {0}, off = 0, s = 1;
        for (int d = h.ndim - 1; d >= 0; d--) {
            cstride[d] = s;
            s *= h.shape[d];
        }
        for (int64_t i = 0; i < h.size; i++) {
            dst[off] = read_item(src + (size_t)i * (size_t)h.itemsize, &h);
            for (int d = 0; d < h.ndim; d++) {
                off += cstride[d];
                if (++idx[d] < h.shape[d])
                    break;
                off -= cstride[d] * h.shape[d];
                idx[d] = 0;
            }
        }
    }
    if (h.kind == 'f' && h.itemsize == 4) {
        /* a float32 file gives a float32 array, as in NumPy (exactly: the
         * values went through double unchanged) */
        st = adl_k_astype(ctx, a, ADL_FLOAT32, out);
        adl_array_release(a);
        return st;
    }
    *out = a;
    return ADL_OK;
}

/* ---- encoding ---- */

adl_status adl_npy_encode(adl_ctx *ctx, const adl_array *a, unsigned char **buf, size_t *n) {
    char dict[96 + 24 * ADL_MAX_DIMS], shape[24 * ADL_MAX_DIMS + 4];
    size_t k = 0;
    shape[k++] = '(';
    for (int i = 0; i < a->ndim; i++)
        k += (size_t)snprintf(shape + k, sizeof shape - k, i ? ", %lld" : "%lld",
                              (long long)a->shape[i]);
    if (a->ndim == 1)
        shape[k++] = ',';
    shape[k++] = ')';
    shape[k] = 0;
    int f32 = a->dtype == ADL_FLOAT32;
    int dl = snprintf(dict, sizeof dict, "{'descr': '<%s', 'fortran_order': False, 'shape': %s, }",
                      f32 ? "f4" : "f8", shape);
    /* NumPy 1.24's layout, byte for byte: room for the first axis to grow
     * to 21 digits, then spaces and '\n' up to a multiple of 64 bytes
     * (at least one space). */
    if (a->ndim > 0) {
        int digits = snprintf(NULL, 0, "%lld", (long long)a->shape[0]);
        for (int i = digits; i < 21; i++)
            dict[dl++] = ' ';
        dict[dl] = 0;
    }
    int version = 1;
    size_t pre = 10, hlen = (size_t)dl + 1;
    if (hlen + 64 > 65535) {
        version = 2;
        pre = 12;
    }
    hlen += 64 - (pre + hlen) % 64;
    size_t padded = pre + hlen;
    adl_array *c;
    adl_status st = adl_k_copy(ctx, adl_array_value(a), &c);
    if (st)
        return st;
    size_t isz = f32 ? 4 : 8, data = (size_t)c->size * isz;
    unsigned char *p = adl_malloc(padded + data + 1);
    if (!p) {
        adl_array_release(c);
        return adl_error_nomem(ctx, "save");
    }
    memcpy(p, MAGIC, MAGIC_LEN);
    p[6] = (unsigned char)version;
    p[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        p[8 + i] = (unsigned char)(hlen >> (8 * i));
    memset(p + pre, ' ', hlen);
    memcpy(p + pre, dict, (size_t)dl);
    p[padded - 1] = '\n';
    const unsigned char *src = (const unsigned char *)c->buf->data + (size_t)c->offset * isz;
    if (host_is_big_endian())
        for (size_t i = 0; i < data; i++)
            p[padded + i] = src[(i / isz) * isz + (isz - 1 - i % isz)];
    else if (data)
        memcpy(p + padded, src, data);
    adl_array_release(c);
    *buf = p;
    *n = padded + data;
    return ADL_OK;
}
