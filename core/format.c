/* format.c: NumPy's str() text of float arrays (numpy 1.24, legacy=False).
 *
 * Follows numpy/core/arrayprint.py: FloatingFormat (floatmode 'maxprec',
 * sign '-', suppress_small False) picks one layout for all the printed
 * elements, then _formatArray lays them out with brackets, line wrapping and
 * "..." summaries.  0-d arrays print like NumPy's scalar str().
 *
 * Digits follow Dragon4 as NumPy calls it: the shortest digit string that
 * reads back to the same value (float32 values read back as float32), unless
 * that needs more than `precision` digits after the point, in which case the
 * exact value is rounded (half to even) at `precision` digits.  The C library
 * provides correctly rounded "%.*e" / "%.*f" conversions (glibc does), so the
 * shortest string is the first correctly rounded one that round-trips.
 */
#include "adl_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void adl_printopts_default(adl_printopts *o) {
    o->precision = 8;
    o->threshold = 1000;
    o->edgeitems = 3;
    o->linewidth = 75;
}

/* ---- growable output string ---- */

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static int sb_reserve(sbuf *b, size_t extra) {
    if (b->oom)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

static void sb_putn(sbuf *b, const char *s, size_t n) {
    if (!sb_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) {
    sb_putn(b, s, strlen(s));
}

static void sb_repeat(sbuf *b, char c, int64_t n) {
    if (n <= 0 || !sb_reserve(b, (size_t)n))
        return;
    memset(b->p + b->len, c, (size_t)n);
    b->len += (size_t)n;
    b->p[b->len] = '\0';
}

/* Python's str.rstrip() on the tail of the buffer. */
static void sb_rstrip(sbuf *b) {
    while (b->len > 0 && b->p[b->len - 1] == ' ')
        b->len--;
    if (b->p)
        b->p[b->len] = '\0';
}

/* ---- decimal digits of one value ---- */

/* Room for any digit string used here: at most 17 significant digits, or a
 * fixed-point rendering of a value below 1e16 with a bounded precision. */
#define DIGITS_MAX 400

/* Reads a C library "%e" or "%f" rendering of a positive value into its
 * significant digits (no leading zeros, trailing zeros removed) and the
 * decimal exponent of the first one: value = d0.d1d2... * 10^exp.  Zero
 * gives "0" and exponent 0. */
static void parse_decimal(const char *s, char *digits, int *exp10) {
    int n = 0, nint = 0, seen_point = 0, lead = 1, skipped = 0;
    long e = 0;
    for (const char *c = s; *c; c++) {
        if (*c == '.') {
            seen_point = 1;
        } else if (*c == 'e' || *c == 'E') {
            e = strtol(c + 1, NULL, 10);
            break;
        } else if (*c >= '0' && *c <= '9') {
            if (!seen_point)
                nint++;
            if (lead && *c == '0') {
                skipped++;
                continue;
            }
            lead = 0;
            if (n < DIGITS_MAX - 1)
                digits[n++] = *c;
        }
    }
    if (n == 0) {
        strcpy(digits, "0");
        *exp10 = 0;
        return;
    }
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = (int)e + nint - 1 - skipped;
}

static int round_trips(const char *s, double v, int f32) {
    if (f32)
        return strtof(s, NULL) == (float)v;
    return strtod(s, NULL) == v;
}

/* Adds (dir = +1) or subtracts (dir = -1) one unit in the last place of the
 * k-digit mantissa digits[0..k) with exponent *exp10, in place. */
static void bump_digits(char *digits, int k, int *exp10, int dir) {
    int i = k - 1;
    if (dir > 0) {
        while (i >= 0 && digits[i] == '9')
            digits[i--] = '0';
        if (i >= 0) {
            digits[i]++;
        } else { /* 99..9 + 1 = 100..0 */
            digits[0] = '1';
            for (int j = 1; j < k; j++)
                digits[j] = '0';
            (*exp10)++;
        }
    } else {
        while (i >= 0 && digits[i] == '0')
            digits[i--] = '9';
        if (i >= 0)
            digits[i]--;
        if (digits[0] == '0') { /* 10..0 - 1 = 9..9, one digit shorter */
            memmove(digits, digits + 1, (size_t)k);
            digits[k - 1] = '9';
            (*exp10)--;
        }
    }
}

/* Is v (positive, finite, normal) a power of two?  Then the gap to the
 * value below is half the gap above, and the nearest k-digit decimal may fail
 * to read back while its other neighbour, inside the wider side, does. */
static int is_pow2(double v, int f32) {
    int e;
    double m = frexp(v, &e);
    if (m != 0.5)
        return 0;
    return f32 ? e - 1 > -126 : e - 1 > -1022;
}

/* The shortest digits that read back as v (positive, finite). */
static void shortest_digits(double v, int f32, char *digits, int *exp10) {
    char buf[64];
    int maxk = f32 ? 9 : 17;
    int pow2 = is_pow2(v, f32);
    for (int k = 1; k <= maxk; k++) {
        snprintf(buf, sizeof buf, "%.*e", k - 1, v);
        if (round_trips(buf, v, f32)) {
            parse_decimal(buf, digits, exp10);
            return;
        }
        if (pow2) {
            /* The other k-digit neighbour of v. */
            char d[32];
            int e;
            size_t nd = 0;
            for (const char *c = buf; *c && *c != 'e'; c++)
                if (*c != '.')
                    d[nd++] = *c;
            d[nd] = '\0';
            e = (int)strtol(strchr(buf, 'e') + 1, NULL, 10);
            bump_digits(d, k, &e, strtod(buf, NULL) < v ? +1 : -1);
            snprintf(buf, sizeof buf, "%c.%se%d", d[0], d + 1, e);
            if (round_trips(buf, v, f32)) {
                parse_decimal(buf, digits, exp10);
                return;
            }
        }
    }
    snprintf(buf, sizeof buf, "%.*e", maxk - 1, v); /* not reached */
    parse_decimal(buf, digits, exp10);
}

/* Digits of av >= 0 as Dragon4 prints them in unique mode with a cutoff of
 * `prec` digits after the point (sci: after the first digit; prec < 0: no
 * cutoff), trailing zeros trimmed. */
static void value_digits(double av, int f32, int sci, int prec, char *digits, int *exp10) {
    if (av == 0) {
        strcpy(digits, "0");
        *exp10 = 0;
        return;
    }
    shortest_digits(av, f32, digits, exp10);
    int nd = (int)strlen(digits);
    int frac = sci ? nd - 1 : nd - 1 - *exp10;
    if (prec < 0 || frac <= prec)
        return;
    char buf[DIGITS_MAX];
    snprintf(buf, sizeof buf, sci ? "%.*e" : "%.*f", prec, av);
    parse_decimal(buf, digits, exp10);
}

/* One finite value split for printing. */
typedef struct {
    int neg;
    char ip[DIGITS_MAX]; /* integer part (positional) or the leading digit (sci) */
    char fp[DIGITS_MAX]; /* digits after the point, trailing zeros trimmed */
    int exp10;           /* sci only */
} parts;

static void split_value(double v, int f32, int sci, int prec, parts *p) {
    char d[DIGITS_MAX];
    int e;
    p->neg = signbit(v) != 0;
    value_digits(fabs(v), f32, sci, prec, d, &e);
    int nd = (int)strlen(d);
    p->exp10 = e;
    if (sci) {
        p->ip[0] = d[0];
        p->ip[1] = '\0';
        strcpy(p->fp, d + 1);
    } else if (e >= 0) {
        int ni = e + 1 < DIGITS_MAX - 1 ? e + 1 : DIGITS_MAX - 1;
        for (int i = 0; i < ni; i++)
            p->ip[i] = i < nd ? d[i] : '0';
        p->ip[ni] = '\0';
        strcpy(p->fp, ni < nd ? d + ni : "");
    } else {
        strcpy(p->ip, "0");
        int z = -e - 1;
        if (z + nd >= DIGITS_MAX)
            z = DIGITS_MAX - 1 - nd; /* unreachable with printable precisions */
        memset(p->fp, '0', (size_t)z);
        strcpy(p->fp + z, d);
    }
}

static int exp_digits(int e) {
    int n = 0;
    e = e < 0 ? -e : e;
    do {
        n++;
        e /= 10;
    } while (e);
    return n < 2 ? 2 : n;
}

/* ---- the element layout (FloatingFormat) ---- */

typedef struct {
    const adl_array *a;
    int f32;
    int prec;
    int sci;
    int pad_left, pad_right;
    int sci_prec; /* digits after the point in sci mode, for every element */
    int exp_size; /* exponent digits in sci mode */
    int summarize;
    int64_t edge;
    const adl_printopts *o;
    /* statistics gathered over the printed elements */
    int any_finite, any_nonzero, any_nonfinite, any_neginf;
    double max_abs, min_abs;
} fmt_state;

static double elem(const adl_array *a, int64_t off) {
    if (a->dtype == ADL_FLOAT32)
        return ((const float *)a->buf->data)[off];
    return ((const double *)a->buf->data)[off];
}

typedef void (*visit_fn)(fmt_state *st, double v);

/* Calls fn on every element that gets printed (NumPy's _leading_trailing:
 * with summarising, only edgeitems at each end of a long axis). */
static void visit(fmt_state *st, int axis, int64_t off, visit_fn fn) {
    const adl_array *a = st->a;
    if (axis == a->ndim) {
        fn(st, elem(a, off));
        return;
    }
    int64_t n = a->shape[axis], s = a->strides[axis];
    if (st->summarize && n > 2 * st->edge) {
        for (int64_t i = 0; i < st->edge; i++)
            visit(st, axis + 1, off + i * s, fn);
        /* a[-edge:], which is the whole axis when edge is 0 */
        for (int64_t i = st->edge ? n - st->edge : 0; i < n; i++)
            visit(st, axis + 1, off + i * s, fn);
    } else {
        for (int64_t i = 0; i < n; i++)
            visit(st, axis + 1, off + i * s, fn);
    }
}

static void gather_stats(fmt_state *st, double v) {
    if (!isfinite(v)) {
        st->any_nonfinite = 1;
        if (isinf(v) && v < 0)
            st->any_neginf = 1;
        return;
    }
    st->any_finite = 1;
    if (v == 0)
        return;
    double av = fabs(v);
    if (!st->any_nonzero) {
        st->max_abs = st->min_abs = av;
        st->any_nonzero = 1;
    } else {
        if (av > st->max_abs)
            st->max_abs = av;
        if (av < st->min_abs)
            st->min_abs = av;
    }
}

static int imax(int a, int b) {
    return a > b ? a : b;
}

static void gather_widths(fmt_state *st, double v) {
    if (!isfinite(v))
        return;
    parts p;
    split_value(v, st->f32, st->sci, st->prec, &p);
    int il = (int)strlen(p.ip) + p.neg;
    int fl = (int)strlen(p.fp);
    st->pad_left = imax(st->pad_left, il);
    if (st->sci) {
        st->sci_prec = imax(st->sci_prec, fl);
        st->exp_size = imax(st->exp_size, exp_digits(p.exp10));
    } else {
        st->pad_right = imax(st->pad_right, fl);
    }
}

static void choose_layout(fmt_state *st) {
    visit(st, 0, st->a->offset, gather_stats);
    st->sci = 0;
    if (st->any_nonzero) {
        double ratio = st->max_abs / st->min_abs;
        if (st->f32)
            ratio = (float)ratio; /* NumPy divides float32 scalars in float32 */
        if (st->max_abs >= 1e8 || st->min_abs < 0.0001 || ratio > 1000.)
            st->sci = 1;
    }
    st->pad_left = st->pad_right = 0;
    st->sci_prec = 0;
    st->exp_size = 0;
    if (st->any_finite) {
        visit(st, 0, st->a->offset, gather_widths);
        if (st->sci)
            st->pad_right = st->exp_size + 2 + st->sci_prec;
    }
    if (st->any_nonfinite) {
        int offset = st->pad_right + 1;
        int inflen = 3 + st->any_neginf;
        st->pad_left = imax(st->pad_left, imax(3 - offset, inflen - offset));
    }
}

/* The text of one element, with the common padding. */
static void format_elem(const fmt_state *st, double v, sbuf *w) {
    w->len = 0;
    if (!isfinite(v)) {
        const char *r = isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
        sb_repeat(w, ' ', st->pad_left + st->pad_right + 1 - (int64_t)strlen(r));
        sb_puts(w, r);
        return;
    }
    parts p;
    split_value(v, st->f32, st->sci, st->prec, &p);
    int il = (int)strlen(p.ip) + p.neg;
    int fl = (int)strlen(p.fp);
    sb_repeat(w, ' ', st->pad_left - il);
    if (p.neg)
        sb_putn(w, "-", 1);
    sb_puts(w, p.ip);
    sb_putn(w, ".", 1);
    sb_puts(w, p.fp);
    if (st->sci) {
        char e[32];
        sb_repeat(w, '0', st->sci_prec - fl);
        snprintf(e, sizeof e, "e%c%0*d", p.exp10 < 0 ? '-' : '+', st->exp_size,
                 p.exp10 < 0 ? -p.exp10 : p.exp10);
        sb_puts(w, e);
    } else {
        sb_repeat(w, ' ', st->pad_right - fl);
    }
}

/* ---- the layout of the whole array (_formatArray) ---- */

typedef struct {
    fmt_state *st;
    sbuf *out;
    sbuf word;
    int64_t line_len; /* len(line) as arrayprint counts it */
} layout;

/* _extendLine: appends `word` to the current line, wrapping first when it
 * would pass `width` (unless the line holds only the indent). */
static void extend_line(layout *L, const char *word, size_t wlen, int64_t width, int64_t indent) {
    if (L->line_len + (int64_t)wlen > width && L->line_len > indent) {
        sb_rstrip(L->out);
        sb_putn(L->out, "\n", 1);
        sb_repeat(L->out, ' ', indent);
        L->line_len = indent;
    }
    sb_putn(L->out, word, wlen);
    L->line_len += (int64_t)wlen;
}

static void put_elem(layout *L, int64_t off, int64_t width, int64_t indent) {
    format_elem(L->st, elem(L->st->a, off), &L->word);
    if (L->word.oom) {
        L->out->oom = 1;
        return;
    }
    extend_line(L, L->word.p, L->word.len, width, indent);
}

/* Writes the subarray at `axis`, `off`.  `indent` is the length of the
 * hanging indent (the text before it on its first line stands in for it),
 * `width` the line width left at this depth. */
static void recurse(layout *L, int axis, int64_t off, int64_t indent, int64_t width) {
    fmt_state *st = L->st;
    const adl_array *a = st->a;
    int axes_left = a->ndim - axis;
    int64_t n = a->shape[axis], s = a->strides[axis];
    int show_summary = st->summarize && 2 * st->edge < n;
    int64_t leading = show_summary ? st->edge : 0;
    int64_t trailing = show_summary ? st->edge : n;
    sbuf *out = L->out;

    sb_putn(out, "[", 1);
    if (axes_left == 1) {
        int64_t elem_width = width - 1; /* room for the separator or ']' */
        L->line_len = indent;
        for (int64_t i = 0; i < leading; i++) {
            put_elem(L, off + i * s, elem_width, indent);
            sb_putn(out, " ", 1);
            L->line_len++;
        }
        if (show_summary) {
            extend_line(L, "...", 3, elem_width, indent);
            sb_putn(out, " ", 1);
            L->line_len++;
        }
        for (int64_t i = trailing; i > 1; i--) {
            put_elem(L, off + (n - i) * s, elem_width, indent);
            sb_putn(out, " ", 1);
            L->line_len++;
        }
        put_elem(L, off + (n - 1) * s, elem_width, indent);
    } else {
        int64_t nl = axes_left - 1;
        int first = 1;
        for (int64_t i = 0; i < leading; i++) {
            if (!first)
                sb_repeat(out, ' ', indent);
            first = 0;
            recurse(L, axis + 1, off + i * s, indent + 1, width - 1);
            sb_repeat(out, '\n', nl);
        }
        if (show_summary) {
            if (!first)
                sb_repeat(out, ' ', indent);
            first = 0;
            sb_puts(out, "...");
            sb_repeat(out, '\n', nl);
        }
        for (int64_t i = trailing; i > 1; i--) {
            if (!first)
                sb_repeat(out, ' ', indent);
            first = 0;
            recurse(L, axis + 1, off + (n - i) * s, indent + 1, width - 1);
            sb_repeat(out, '\n', nl);
        }
        if (!first)
            sb_repeat(out, ' ', indent);
        recurse(L, axis + 1, off + (n - 1) * s, indent + 1, width - 1);
    }
    sb_putn(out, "]", 1);
}

/* ---- 0-d: NumPy's scalar str() ---- */

static void format_scalar(double v, int f32, sbuf *out) {
    if (isnan(v)) {
        sb_puts(out, "nan");
        return;
    }
    if (isinf(v)) {
        sb_puts(out, v < 0 ? "-inf" : "inf");
        return;
    }
    double av = fabs(v);
    int sci = !(av == 0 || (av < 1e16 && av >= 1e-4));
    parts p;
    split_value(v, f32, sci, -1, &p);
    if (p.neg)
        sb_putn(out, "-", 1);
    sb_puts(out, p.ip);
    if (!sci) { /* trim mode LeaveOneZero: "1.0" */
        sb_putn(out, ".", 1);
        sb_puts(out, p.fp[0] ? p.fp : "0");
    } else { /* trim mode DptZeros: "1e-05", "1.5e+16" */
        char e[32];
        if (p.fp[0]) {
            sb_putn(out, ".", 1);
            sb_puts(out, p.fp);
        }
        snprintf(e, sizeof e, "e%c%02d", p.exp10 < 0 ? '-' : '+',
                 p.exp10 < 0 ? -p.exp10 : p.exp10);
        sb_puts(out, e);
    }
}

adl_status adl_array_format(adl_ctx *ctx, const adl_array *a, const adl_printopts *o,
                            char **out) {
    adl_printopts defaults;
    if (!out || !a)
        return adl_error(ctx, ADL_ERR_VALUE, "format: no array or no output");
    if (!o) {
        adl_printopts_default(&defaults);
        o = &defaults;
    }
    a = adl_array_value(a);
    if (a->dtype != ADL_FLOAT64 && a->dtype != ADL_FLOAT32)
        return adl_error(ctx, ADL_ERR_TYPE, "format: unsupported dtype %d", (int)a->dtype);
    if (o->precision < 0)
        return adl_error(ctx, ADL_ERR_VALUE, "format: precision must be >= 0 (got %d)",
                         o->precision);
    if (o->edgeitems < 0)
        return adl_error(ctx, ADL_ERR_VALUE, "format: edgeitems must be >= 0 (got %d)",
                         o->edgeitems);

    sbuf res = {0};
    if (a->ndim == 0) {
        format_scalar(elem(a, a->offset), a->dtype == ADL_FLOAT32, &res);
    } else if (a->size == 0) {
        sb_puts(&res, "[]");
    } else {
        fmt_state st = {0};
        st.a = a;
        st.f32 = a->dtype == ADL_FLOAT32;
        /* Digits past 17 (float32: 9) never matter for the shortest string,
         * and the cap keeps fixed-point renderings short. */
        st.prec = o->precision > 40 ? 40 : o->precision;
        st.summarize = a->size > o->threshold;
        st.edge = o->edgeitems;
        st.o = o;
        choose_layout(&st);
        layout L = {.st = &st, .out = &res, .word = {0}, .line_len = 0};
        recurse(&L, 0, a->offset, 1, o->linewidth);
        free(L.word.p);
    }
    if (res.oom || !res.p) {
        free(res.p);
        return adl_error_nomem(ctx, "format");
    }
    *out = res.p;
    return ADL_OK;
}
