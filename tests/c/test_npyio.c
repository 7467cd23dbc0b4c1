/* test_npyio.c: the .npy header parser and codec, the zip reader and
 * writer, and the loadtxt parser, on hand-made bytes (malformed ones
 * included). */
#include "alloc.h"
#include "npyio.h"
#include "test_util.h"

#include <stdlib.h>

/* A .npy file (version 1.0) with the given dict text and data bytes. */
static size_t make_npy(unsigned char *out, const char *dict, const void *data, size_t nbytes) {
    size_t dl = strlen(dict), hlen = dl + 1;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)(hlen & 0xff);
    out[9] = (unsigned char)(hlen >> 8);
    memcpy(out + 10, dict, dl);
    out[10 + dl] = '\n';
    memcpy(out + 10 + hlen, data, nbytes);
    return 10 + hlen + nbytes;
}

TEST(npy_header_fields) {
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    unsigned char buf[256];
    size_t n = make_npy(buf, "{'shape': (2, 3), 'fortran_order': True, \"descr\": '>i4', }", "", 0);
    adl_npy_header h;
    REQUIRE(adl_npy_parse_header(&ctx, "load", buf, n, &h) == ADL_OK);
    CHECK_EQ_INT(h.major, 1);
    CHECK(h.kind == 'i');
    CHECK_EQ_INT(h.itemsize, 4);
    CHECK_EQ_INT(h.big_endian, 1);
    CHECK_EQ_INT(h.fortran_order, 1);
    CHECK_EQ_INT(h.ndim, 2);
    CHECK_EQ_INT(h.shape[1], 3);
    CHECK_EQ_INT(h.size, 6);
    n = make_npy(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", "", 0);
    REQUIRE(adl_npy_parse_header(&ctx, "load", buf, n, &h) == ADL_OK);
    CHECK_EQ_INT(h.ndim, 0);
    CHECK_EQ_INT(h.size, 1);
}

TEST(npy_malformed_headers) {
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    static const struct {
        const char *dict, *message;
    } cases[] = {
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", "negative dimension"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1 2), }", "not a tuple"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }",
         "absurdly large"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (16777216, 16777216, 16777216), }",
         "overflows"},
        {"{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", "unsupported dtype"},
        {"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }", "neither True nor False"},
        {"{'descr': '<f8', 'shape': (1,), }", "lacks"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", "unknown key"},
        {"['descr']", "not a dict"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1), }",
         "more dimensions"},
        {"{'descr': '<f8", "'descr' is not a string"},
        {"{descr: '<f8'}", "not a dict of quoted keys"},
    };
    unsigned char buf[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = make_npy(buf, cases[i].dict, "", 0);
        adl_npy_header h;
        CHECK(adl_npy_parse_header(&ctx, "load", buf, n, &h) != ADL_OK);
        CHECK_STR_CONTAINS(ctx.msg, cases[i].message);
    }
    /* a header length beyond the bytes there */
    size_t n = make_npy(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", "", 0);
    adl_npy_header h;
    CHECK(adl_npy_parse_header(&ctx, "load", buf, n - 5, &h) != ADL_OK);
    CHECK_STR_CONTAINS(ctx.msg, "ends inside the header");
}

TEST(npy_decode_layouts_and_types) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    unsigned char buf[512];
    adl_array *a = NULL;
    /* Fortran order: file holds columns of [[0,1,2],[3,4,5]] */
    double f[6] = {0, 3, 1, 4, 2, 5};
    size_t n =
        make_npy(buf, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f, sizeof f);
    REQUIRE(adl_npy_decode(&ctx, "load", buf, n, &a) == ADL_OK);
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(adl_f64(a)[i], i, 0);
    adl_array_release(a);
    /* big-endian int16 */
    unsigned char be[4] = {0xff, 0xfe, 0x01, 0x00}; /* -2, 256 */
    n = make_npy(buf, "{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", be, 4);
    REQUIRE(adl_npy_decode(&ctx, "load", buf, n, &a) == ADL_OK);
    CHECK_NEAR(adl_f64(a)[0], -2, 0);
    CHECK_NEAR(adl_f64(a)[1], 256, 0);
    adl_array_release(a);
    /* bool (as float64 0/1) and float32 (a float32 array) */
    unsigned char b[3] = {1, 0, 7};
    n = make_npy(buf, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", b, 3);
    REQUIRE(adl_npy_decode(&ctx, "load", buf, n, &a) == ADL_OK);
    CHECK_NEAR(adl_f64(a)[2], 1, 0);
    adl_array_release(a);
    float fl[2] = {0.1f, -3.5f};
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", fl, 8);
    REQUIRE(adl_npy_decode(&ctx, "load", buf, n, &a) == ADL_OK);
    CHECK_EQ_INT(a->dtype, ADL_FLOAT32);
    CHECK(((float *)a->buf->data)[0] == 0.1f && ((float *)a->buf->data)[1] == -3.5f);
    adl_array_release(a);
    /* data shorter than the header says: error before allocating */
    n = make_npy(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", f,
                 8);
    CHECK(adl_npy_decode(&ctx, "load", buf, n, &a) == ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "truncated");
    LIVE_END;
}

TEST(npy_encode_round_trip) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[3] = {2, 3, 4};
    adl_array *a = t_array(&ctx, 3, shape, NULL), *b = NULL;
    unsigned char *buf = NULL;
    size_t n = 0;
    REQUIRE(adl_npy_encode(&ctx, a, &buf, &n) == ADL_OK);
    CHECK_EQ_INT((int64_t)((n - 24 * 8) % 64), 0); /* data starts 64-aligned */
    CHECK(strstr((const char *)buf + 10, "'shape': (2, 3, 4), }") != NULL);
    REQUIRE(adl_npy_decode(&ctx, "load", buf, n, &b) == ADL_OK);
    CHECK(adl_shape_equal(b->ndim, b->shape, 3, shape));
    CHECK(!memcmp(adl_f64(a), adl_f64(b), 24 * sizeof(double)));
    adl_free(buf);
    adl_array_release(a);
    adl_array_release(b);
    LIVE_END;
}

TEST(crc32_check_value) {
    CHECK(adl_crc32((const unsigned char *)"123456789", 9) == 0xcbf43926u);
}

TEST(zip_round_trip_and_corruption) {
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    const char *names[2] = {"a.npy", "dir/b.npy"};
    const unsigned char *data[2] = {(const unsigned char *)"hello", (const unsigned char *)""};
    size_t sizes[2] = {5, 0};
    unsigned char *z = NULL;
    size_t n = 0;
    REQUIRE(adl_zip_write(&ctx, "savez", 2, names, data, sizes, &z, &n) == ADL_OK);
    adl_zip_entry *e = NULL;
    int count = 0;
    REQUIRE(adl_zip_read(&ctx, "load", z, n, &e, &count) == ADL_OK);
    CHECK_EQ_INT(count, 2);
    CHECK(!strcmp(e[0].name, "a.npy") && e[0].size == 5 && !memcmp(e[0].data, "hello", 5));
    CHECK(!strcmp(e[1].name, "dir/b.npy") && e[1].size == 0);
    adl_free(e);
    z[30 + 5] ^= 1; /* first data byte */
    CHECK(adl_zip_read(&ctx, "load", z, n, &e, &count) != ADL_OK);
    CHECK_STR_CONTAINS(ctx.msg, "CRC-32");
    z[30 + 5] ^= 1;
    /* every truncation is an error, never a read past the end */
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *t = malloc(cut ? cut : 1);
        memcpy(t, z, cut);
        CHECK(adl_zip_read(&ctx, "load", t, cut, &e, &count) != ADL_OK);
        free(t);
    }
    /* a central directory that claims an entry far outside the file */
    size_t cd = n - 22 - 2 * 46 - strlen(names[0]) - strlen(names[1]);
    z[cd + 42] = 0xff;
    z[cd + 43] = 0xff;
    CHECK(adl_zip_read(&ctx, "load", z, n, &e, &count) != ADL_OK);
    adl_free(z);
}

static adl_status parse(adl_ctx *ctx, const char *text, const adl_text_opts *o, adl_array **out) {
    return adl_text_parse(ctx, "loadtxt", text, strlen(text), o, out);
}

TEST(text_tables) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    adl_text_opts o;
    adl_text_opts_default(&o);
    adl_array *a = NULL;
    REQUIRE(parse(&ctx, "# c\n1 2 3\n\n 4\t5 6e1 # tail\n", &o, &a) == ADL_OK);
    CHECK_EQ_INT(a->ndim, 2);
    CHECK_EQ_INT(a->shape[0], 2);
    CHECK_NEAR(adl_f64(a)[5], 60, 0);
    adl_array_release(a);
    o.delimiter = ',';
    o.skiprows = 1;
    o.nusecols = 2;
    o.usecols[0] = -1;
    o.usecols[1] = 0;
    REQUIRE(parse(&ctx, "h1,h2,h3\n1,2,3\n4,5,6", &o, &a) == ADL_OK); /* no final newline */
    CHECK_EQ_INT(a->shape[1], 2);
    CHECK_NEAR(adl_f64(a)[0], 3, 0);
    CHECK_NEAR(adl_f64(a)[3], 4, 0);
    adl_array_release(a);
    adl_text_opts_default(&o);
    REQUIRE(parse(&ctx, "", &o, &a) == ADL_OK); /* empty: shape (0,) */
    CHECK_EQ_INT(a->ndim, 1);
    CHECK_EQ_INT(a->size, 0);
    adl_array_release(a);
    LIVE_END;
}

TEST(text_errors_name_lines) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    adl_text_opts o;
    adl_text_opts_default(&o);
    adl_array *a = NULL;
    CHECK(parse(&ctx, "1 2\n3 4\n5 six\n", &o, &a) != ADL_OK);
    CHECK_STR_CONTAINS(ctx.msg, "line 3: could not convert 'six'");
    CHECK(parse(&ctx, "1 2\n3\n", &o, &a) != ADL_OK);
    CHECK_STR_CONTAINS(ctx.msg, "line 2: the number of columns changed from 2 to 1");
    CHECK(parse(&ctx, "0x10\n", &o, &a) != ADL_OK); /* Python's float() reads no hex */
    o.delimiter = ',';
    CHECK(parse(&ctx, "1,,3\n", &o, &a) != ADL_OK);
    CHECK_STR_CONTAINS(ctx.msg, "line 1: could not convert ''");
    char longfield[200];
    memset(longfield, '1', sizeof longfield - 1);
    longfield[sizeof longfield - 1] = 0;
    CHECK(parse(&ctx, longfield, &o, &a) != ADL_OK);
    LIVE_END;
}
