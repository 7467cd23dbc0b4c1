/* format.c: NumPy's str() text of float arrays (numpy 1.24, legacy=False).
 *
 * Follows numpy/core/arrayprint.py: FloatingFormat (floatmode 'maxprec',
 * sign '-', suppress_small False) picks one layout for all the printed
 * elements, then _formatArray lays them out with brackets, line wrapping and
 * "..." summaries.  0-d arrays print like NumPy's scalar str().
 *
 * Digits are NumPy's Dragon4 (dragon4.c), redone here with small big
 * integers: exact digit generation that stops once the digits identify the
 * value among its float32 or float64 neighbours, bounded by the precision
 * cutoff and, for the final pass of scientific notation, extended to a
 * minimum count with the value's exact digits (NumPy prints the smallest
 * double as 4.94065646e-324 in an array, 5e-324 as a scalar).
 *
 * Checked against numpy 1.24 by tests/c/test_format.c, whose cases
 * scripts/gen_format_cases.py writes.
 */
#include "adl_core.h"
#include "alloc.h"

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
    char *p = adl_realloc(b->p, cap);
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

/* ---- decimal digits of one value: Dragon4 as NumPy runs it ----
 *
 * NumPy prints floats with its Dragon4 (Steele & White, Burger & Dybvig, after
 * Ryan Juckett's implementation).  Digits are generated exactly with big
 * integers until the digits printed so far identify the value among its
 * neighbours (the float type's own: float32 values get float32 margins), but
 * never past a maximum cutoff and at least down to a minimum cutoff.  The
 * digits past uniqueness that a minimum asks for are the exact ones, so the
 * smallest subnormal prints as 4.94065646e-324 in an array where the scalar
 * prints 5e-324. */

#define BIG_BLOCKS 40 /* 1280 bits: the largest scaled value needs < 1100 */

typedef struct {
    int n; /* blocks in use, no leading zero blocks */
    uint32_t d[BIG_BLOCKS];
} big;

static void big_set(big *a, uint64_t v) {
    a->n = 0;
    while (v) {
        a->d[a->n++] = (uint32_t)v;
        v >>= 32;
    }
}

static void big_pow2(big *a, int e) {
    int blk = e / 32;
    for (int i = 0; i < blk; i++)
        a->d[i] = 0;
    a->d[blk] = (uint32_t)1 << (e % 32);
    a->n = blk + 1;
}

static void big_shl(big *a, int bits) {
    if (a->n == 0)
        return;
    int blk = bits / 32, sh = bits % 32;
    int n = a->n + blk + 1;
    for (int i = n - 1; i >= 0; i--) {
        int src = i - blk;
        uint64_t hi = src >= 0 && src < a->n ? a->d[src] : 0;
        uint64_t lo = src - 1 >= 0 && src - 1 < a->n ? a->d[src - 1] : 0;
        a->d[i] = sh ? (uint32_t)((hi << sh) | (lo >> (32 - sh))) : (uint32_t)hi;
    }
    a->n = n;
    while (a->n > 0 && a->d[a->n - 1] == 0)
        a->n--;
}

static void big_mul_small(big *a, uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t p = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)p;
        carry = p >> 32;
    }
    if (carry)
        a->d[a->n++] = (uint32_t)carry;
}

static void big_mul_pow10(big *a, int k) {
    static const uint32_t p10[10] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};
    while (k > 0) {
        int step = k < 9 ? k : 9;
        big_mul_small(a, p10[step]);
        k -= step;
    }
}

static int big_cmp(const big *a, const big *b) {
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

static void big_add(big *r, const big *a, const big *b) {
    const big *l = a->n >= b->n ? a : b, *s = a->n >= b->n ? b : a;
    uint64_t carry = 0;
    int n = l->n;
    for (int i = 0; i < n; i++) {
        uint64_t t = (uint64_t)l->d[i] + (i < s->n ? s->d[i] : 0) + carry;
        r->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    r->n = n;
    if (carry)
        r->d[r->n++] = (uint32_t)carry;
}

/* a -= b, with a >= b. */
static void big_sub(big *a, const big *b) {
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = t < 0;
        a->d[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
    }
    while (a->n > 0 && a->d[a->n - 1] == 0)
        a->n--;
}

/* q = floor(a / s) (known to be below 10), a = a mod s. */
static int big_divmod(big *a, const big *s) {
    int q = 0;
    while (big_cmp(a, s) >= 0) {
        big_sub(a, s);
        q++;
    }
    return q;
}

/* A float split as Dragon4 takes it: value = mant * 2^exp, the highest set
 * bit of mant, and whether the gap below is half the gap above. */
typedef struct {
    uint64_t mant;
    int exp, mbit, unequal;
} fparts;

static void decompose(double v, int f32, fparts *p) {
    if (f32) {
        float f = (float)v;
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        uint32_t fe = (bits >> 23) & 0xff, fm = bits & 0x7fffff;
        if (fe) {
            p->mant = fm | (1u << 23);
            p->exp = (int)fe - 127 - 23;
            p->mbit = 23;
            p->unequal = fe != 1 && fm == 0;
            return;
        }
        p->mant = fm;
        p->exp = 1 - 127 - 23;
        p->unequal = 0;
    } else {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        uint64_t fe = (bits >> 52) & 0x7ff, fm = bits & (((uint64_t)1 << 52) - 1);
        if (fe) {
            p->mant = fm | ((uint64_t)1 << 52);
            p->exp = (int)fe - 1023 - 52;
            p->mbit = 52;
            p->unequal = fe != 1 && fm == 0;
            return;
        }
        p->mant = fm;
        p->exp = 1 - 1023 - 52;
        p->unequal = 0;
    }
    p->mbit = 0;
    for (uint64_t m = p->mant; m > 1; m >>= 1)
        p->mbit++;
}

#define DIGITS_MAX 80 /* digit buffer: cutoffs are kept below this */

/* Dragon4 in unique mode on a positive finite value.  total_length: the
 * cutoffs count digits from the first one (scientific), else digits after
 * the point (positional).  cutoff_max / cutoff_min < 0: none.  Writes the
 * digits (not terminated) and the decimal exponent of the first; returns
 * their count. */
static int dragon4(double v, int f32, int total_length, int cutoff_max, int cutoff_min, char *out,
                   int *out_exp) {
    fparts fp;
    big scale, value, mlow, mhigh, vhigh;
    decompose(v, f32, &fp);
    if (fp.mant == 0) {
        out[0] = '0';
        *out_exp = 0;
        return 1;
    }
    int is_even = (fp.mant & 1) == 0;
    big_set(&value, fp.mant);
    if (fp.unequal) {
        if (fp.exp > 0) {
            big_shl(&value, fp.exp + 2);
            big_set(&scale, 4);
            big_pow2(&mlow, fp.exp);
        } else {
            big_shl(&value, 2);
            big_pow2(&scale, -fp.exp + 2);
            big_set(&mlow, 1);
        }
    } else {
        if (fp.exp > 0) {
            big_shl(&value, fp.exp + 1);
            big_set(&scale, 2);
            big_pow2(&mlow, fp.exp);
        } else {
            big_shl(&value, 1);
            big_pow2(&scale, -fp.exp + 1);
            big_set(&mlow, 1);
        }
    }
    /* Estimate of floor(log10(v)) + 1, correct or one too low. */
    const double log10_2 = 0.30102999566398119521373889472449;
    int dexp = (int)ceil((double)(fp.mbit + fp.exp) * log10_2 - 0.69);
    if (cutoff_max >= 0 && !total_length && dexp <= -cutoff_max)
        dexp = -cutoff_max + 1;
    if (dexp > 0) {
        big_mul_pow10(&scale, dexp);
    } else if (dexp < 0) {
        big_mul_pow10(&value, -dexp);
        big_mul_pow10(&mlow, -dexp);
    }
    if (big_cmp(&value, &scale) >= 0) {
        dexp++;
    } else {
        big_mul_small(&value, 10);
        big_mul_small(&mlow, 10);
    }
    mhigh = mlow;
    if (fp.unequal)
        big_mul_small(&mhigh, 2);

    int cmax = dexp - (DIGITS_MAX - 1);
    if (cutoff_max >= 0) {
        int d = total_length ? dexp - cutoff_max : -cutoff_max;
        if (d > cmax)
            cmax = d;
    }
    int cmin = dexp;
    if (cutoff_min >= 0) {
        int d = total_length ? dexp - cutoff_min : -cutoff_min;
        if (d < cmin)
            cmin = d;
    }
    *out_exp = dexp - 1;

    int n = 0, digit, low, high;
    for (;;) {
        dexp--;
        digit = big_divmod(&value, &scale);
        big_add(&vhigh, &value, &mhigh);
        int c = big_cmp(&value, &mlow);
        low = is_even ? c <= 0 : c < 0;
        c = big_cmp(&vhigh, &scale);
        high = is_even ? c >= 0 : c > 0;
        if (((low || high) && dexp <= cmin) || dexp <= cmax)
            break;
        out[n++] = (char)('0' + digit);
        big_mul_small(&value, 10);
        big_mul_small(&mlow, 10);
        mhigh = mlow;
        if (fp.unequal)
            big_mul_small(&mhigh, 2);
    }
    int round_down = low;
    if (low == high) { /* round to the closer digit, ties to even */
        big_mul_small(&value, 2);
        int c = big_cmp(&value, &scale);
        round_down = c < 0 || (c == 0 && (digit & 1) == 0);
    }
    if (round_down) {
        out[n++] = (char)('0' + digit);
    } else if (digit < 9) {
        out[n++] = (char)('0' + digit + 1);
    } else {
        for (;;) {
            if (n == 0) {
                out[n++] = '1';
                (*out_exp)++;
                break;
            }
            n--;
            if (out[n] != '9') {
                out[n++]++;
                break;
            }
        }
    }
    return n;
}

/* One finite value split for printing (FormatPositional/FormatScientific):
 * sign, the integer part (positional) or first digit (scientific), the
 * digits after the point as Dragon4 gave them (trailing zeros kept), and
 * the exponent (scientific). */
typedef struct {
    int neg;
    char ip[DIGITS_MAX + 2];
    char fp[2 * DIGITS_MAX + 2];
    int exp10;
} parts;

static void split_value(double v, int f32, int sci, int cutoff_max, int cutoff_min, parts *p) {
    char d[DIGITS_MAX];
    int e;
    p->neg = signbit(v) != 0;
    v = fabs(v);
    int nd;
    if (sci)
        nd = dragon4(v, f32, 1, cutoff_max < 0 ? -1 : cutoff_max + 1,
                     cutoff_min < 0 ? -1 : cutoff_min + 1, d, &e);
    else
        nd = dragon4(v, f32, 0, cutoff_max, cutoff_min, d, &e);
    p->exp10 = e;
    if (sci) {
        p->ip[0] = d[0];
        p->ip[1] = '\0';
        memcpy(p->fp, d + 1, (size_t)(nd - 1));
        p->fp[nd - 1] = '\0';
    } else if (e >= 0) { /* whole digits: e + 1 <= 309, kept below the buffer */
        int ni = e + 1 < DIGITS_MAX ? e + 1 : DIGITS_MAX;
        for (int i = 0; i < ni; i++)
            p->ip[i] = i < nd ? d[i] : '0';
        p->ip[ni] = '\0';
        int nf = nd > ni ? nd - ni : 0;
        memcpy(p->fp, d + ni, (size_t)nf);
        p->fp[nf] = '\0';
    } else {
        int z = -e - 1;
        if (z > DIGITS_MAX)
            z = DIGITS_MAX; /* not reached: such values print in scientific */
        strcpy(p->ip, "0");
        memset(p->fp, '0', (size_t)z);
        memcpy(p->fp + z, d, (size_t)nd);
        p->fp[z + nd] = '\0';
    }
}

/* Trim modes '.' and '-': no trailing zeros after the point. */
static void trim_zeros(parts *p) {
    size_t n = strlen(p->fp);
    while (n > 0 && p->fp[n - 1] == '0')
        n--;
    p->fp[n] = '\0';
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
    /* first pass: unique digits up to `precision`, trim mode '.' */
    split_value(v, st->f32, st->sci, st->prec, -1, &p);
    trim_zeros(&p);
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
    if (st->sci) { /* precision = min_digits = the longest fraction, trim 'k' */
        split_value(v, st->f32, 1, st->sci_prec, st->sci_prec, &p);
    } else { /* precision, min_digits 0, trim '.' */
        split_value(v, st->f32, 0, st->prec, 0, &p);
        trim_zeros(&p);
    }
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
    split_value(v, f32, sci, -1, -1, &p);
    trim_zeros(&p);
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
        snprintf(e, sizeof e, "e%c%02d", p.exp10 < 0 ? '-' : '+', p.exp10 < 0 ? -p.exp10 : p.exp10);
        sb_puts(out, e);
    }
}

adl_status adl_array_format(adl_ctx *ctx, const adl_array *a, const adl_printopts *o, char **out) {
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
        /* No float needs 40 digits after the point to be told from its
         * neighbours, so larger precisions print the same; the cap bounds
         * the digit buffers. */
        st.prec = o->precision > 40 ? 40 : o->precision;
        st.summarize = a->size > o->threshold;
        st.edge = o->edgeitems;
        choose_layout(&st);
        layout L = {.st = &st, .out = &res, .word = {0}, .line_len = 0};
        recurse(&L, 0, a->offset, 1, o->linewidth);
        adl_free(L.word.p);
    }
    if (res.oom || !res.p) {
        adl_free(res.p);
        return adl_error_nomem(ctx, "format");
    }
    *out = res.p;
    return ADL_OK;
}
