/* text.c: np.loadtxt's parser: lines of numbers separated by a delimiter
 * (or runs of whitespace), comments from a comment character to the end of
 * the line, blank lines skipped, every error naming its line. */
#include "alloc.h"
#include "npyio.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void adl_text_opts_default(adl_text_opts *o) {
    memset(o, 0, sizeof *o);
    o->comments = '#';
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

typedef struct values {
    double *v;
    size_t n, cap;
} values;

static int push(values *vs, double d) {
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? 2 * vs->cap : 256;
        double *v = adl_realloc(vs->v, cap * sizeof *v);
        if (!v)
            return 0;
        vs->v = v;
        vs->cap = cap;
    }
    vs->v[vs->n++] = d;
    return 1;
}

#define MAX_FIELD 64 /* longer fields are not numbers we could read */

/* The field [a, b) (trimmed) as a number; 0 when it is not one. */
static int to_number(const char *a, const char *b, double *out) {
    while (a < b && is_space(*a))
        a++;
    while (b > a && is_space(b[-1]))
        b--;
    size_t len = (size_t)(b - a);
    if (len == 0 || len >= MAX_FIELD)
        return 0;
    char tmp[MAX_FIELD], *end;
    memcpy(tmp, a, len);
    tmp[len] = 0;
    if ((tmp[0] == '0' || ((tmp[0] == '-' || tmp[0] == '+') && tmp[1] == '0')) &&
        strpbrk(tmp, "xX")) /* strtod reads hex, Python's float() does not */
        return 0;
    errno = 0;
    *out = strtod(tmp, &end);
    return end == tmp + len; /* overflow gives +-inf, as NumPy */
}

static void field_text(const char *a, const char *b, char *out, size_t cap) {
    while (a < b && is_space(*a))
        a++;
    while (b > a && is_space(b[-1]))
        b--;
    size_t len = (size_t)(b - a);
    if (len >= cap) {
        memcpy(out, a, cap - 4);
        memcpy(out + cap - 4, "...", 4);
    } else {
        memcpy(out, a, len);
        out[len] = 0;
    }
}

/* Splits [p, end) into fields: starts[i], ends[i]; returns the count, or -1
 * past `cap` fields. */
static int64_t split(const char *p, const char *end, char delim, const char **starts,
                     const char **ends, int64_t cap) {
    int64_t n = 0;
    if (delim == 0) {
        while (p < end) {
            while (p < end && is_space(*p))
                p++;
            if (p == end)
                break;
            const char *s = p;
            while (p < end && !is_space(*p))
                p++;
            if (n == cap)
                return -1;
            starts[n] = s;
            ends[n++] = p;
        }
        return n;
    }
    const char *s = p;
    for (;;) {
        const char *q = memchr(s, delim, (size_t)(end - s));
        if (n == cap)
            return -1;
        starts[n] = s;
        ends[n++] = q ? q : end;
        if (!q)
            return n;
        s = q + 1;
    }
}

#define MAX_COLUMNS 100000

adl_status adl_text_parse(adl_ctx *ctx, const char *what, const char *buf, size_t n,
                          const adl_text_opts *o, adl_array **out) {
    values vs = {NULL, 0, 0};
    const char **starts = adl_malloc(sizeof(char *) * MAX_COLUMNS);
    const char **ends = adl_malloc(sizeof(char *) * MAX_COLUMNS);
    adl_status st = ADL_OK;
    int64_t ncols = -1, rows = 0, line = 0, width = 0;
    const char *p = buf, *stop = buf + n;
    if (!starts || !ends) {
        st = adl_error_nomem(ctx, what);
        goto done;
    }
    while (p < stop && st == ADL_OK) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *eol = nl ? nl : stop, *next = nl ? nl + 1 : stop;
        line++;
        if (line <= o->skiprows) {
            p = next;
            continue;
        }
        if (o->comments) {
            const char *c = memchr(p, o->comments, (size_t)(eol - p));
            if (c)
                eol = c;
        }
        const char *q = p;
        while (q < eol && (is_space(*q) || *q == 0))
            q++;
        if (q == eol) { /* blank or comment only */
            p = next;
            continue;
        }
        int64_t nf = split(p, eol, o->delimiter, starts, ends, MAX_COLUMNS);
        if (nf < 0) {
            st = adl_error(ctx, ADL_ERR_VALUE, "%s: line %lld: more than %d columns", what,
                           (long long)line, MAX_COLUMNS);
            break;
        }
        if (ncols < 0)
            ncols = nf;
        else if (nf != ncols) {
            st = adl_error(ctx, ADL_ERR_VALUE,
                           "%s: line %lld: the number of columns changed from %lld to %lld", what,
                           (long long)line, (long long)ncols, (long long)nf);
            break;
        }
        width = o->nusecols ? o->nusecols : nf;
        for (int64_t j = 0; j < width; j++) {
            int64_t col = o->nusecols ? o->usecols[j] : j;
            if (col < 0)
                col += nf;
            if (col < 0 || col >= nf) {
                st = adl_error(ctx, ADL_ERR_VALUE,
                               "%s: line %lld: usecols: column %lld is out of range for %lld "
                               "columns",
                               what, (long long)line,
                               (long long)(o->usecols[j] < 0 ? o->usecols[j] : o->usecols[j] + 1),
                               (long long)nf);
                break;
            }
            double d;
            if (!to_number(starts[col], ends[col], &d)) {
                char text[48];
                field_text(starts[col], ends[col], text, sizeof text);
                st = adl_error(ctx, ADL_ERR_VALUE,
                               "%s: line %lld: could not convert '%s' to a number (column %lld)",
                               what, (long long)line, text, (long long)col + 1);
                break;
            }
            if (!push(&vs, d)) {
                st = adl_error_nomem(ctx, what);
                break;
            }
        }
        rows++;
        p = next;
    }
    if (st == ADL_OK) {
        /* NumPy: squeeze length-1 axes when ndmin is below 2, then pad to ndmin */
        int64_t shape[2];
        int nd;
        if (rows == 0) {
            nd = o->ndmin == 2 ? 2 : 1;
            shape[0] = shape[1] = 0;
        } else if (o->ndmin == 2) {
            nd = 2;
            shape[0] = rows;
            shape[1] = width;
        } else {
            nd = 0;
            if (rows != 1)
                shape[nd++] = rows;
            if (width != 1)
                shape[nd++] = width;
            if (nd == 0 && o->ndmin == 1)
                shape[nd++] = 1;
        }
        adl_array *a = adl_array_alloc(ctx, what, ADL_FLOAT64, nd, shape);
        if (!a)
            st = ctx->status;
        else {
            if (vs.n)
                memcpy(adl_f64(a), vs.v, vs.n * sizeof(double));
            *out = a;
        }
    }
done:
    adl_free(vs.v);
    adl_free(starts);
    adl_free(ends);
    return st;
}
