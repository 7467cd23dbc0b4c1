/* main.c: runs the C tests registered with TEST (see harness.h).
 *
 *   build/test_core [-v] [PATTERN...]
 *
 * Runs every test, or those whose name or file contains one of the
 * patterns; -v names each test as it runs. Prints failures as they happen
 * and ends with "c tests: N passed, M failed"; exit status 1 if any failed. */
#include "harness.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct harness_test *registered;
static int n_registered;
static const struct harness_test *current;
static int current_failures;
static int capturing;
static int captured;

void harness_register(struct harness_test *t) {
    t->next = registered;
    registered = t;
    n_registered++;
}

void harness_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    if (capturing) {
        captured++;
        return;
    }
    current_failures++;
    printf("%s:%d: %s: ", file, line, current != NULL ? current->name : "?");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

int harness_near(double a, double b, double tol) {
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (a == b)
        return 1; /* infinities too */
    return fabs(a - b) <= tol;
}

int harness_contains(const char *s, const char *sub) {
    return s != NULL && sub != NULL && strstr(s, sub) != NULL;
}

void harness_capture_begin(void) {
    capturing = 1;
    captured = 0;
}

int harness_capture_end(void) {
    capturing = 0;
    return captured;
}

static int by_file_and_line(const void *pa, const void *pb) {
    const struct harness_test *a = *(const struct harness_test *const *)pa;
    const struct harness_test *b = *(const struct harness_test *const *)pb;
    int c = strcmp(a->file, b->file);
    return c != 0 ? c : (a->line > b->line) - (a->line < b->line);
}

static int selected(const struct harness_test *t, int npat, char **pat) {
    int i;
    if (npat == 0)
        return 1;
    for (i = 0; i < npat; i++)
        if (strstr(t->name, pat[i]) != NULL || strstr(t->file, pat[i]) != NULL)
            return 1;
    return 0;
}

int main(int argc, char **argv) {
    struct harness_test **tests;
    struct harness_test *t;
    int verbose = 0, passed = 0, failed = 0;
    int i, n = 0;

    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        verbose = 1;
        argc--;
        argv++;
    }
    tests = malloc(sizeof *tests * (size_t)(n_registered > 0 ? n_registered : 1));
    if (tests == NULL) {
        fprintf(stderr, "test_core: out of memory\n");
        return 1;
    }
    for (t = registered; t != NULL; t = t->next)
        tests[n++] = t;
    qsort(tests, (size_t)n, sizeof *tests, by_file_and_line);

    for (i = 0; i < n; i++) {
        if (!selected(tests[i], argc - 1, argv + 1))
            continue;
        current = tests[i];
        current_failures = 0;
        if (verbose) {
            printf("-- %s (%s:%d)\n", current->name, current->file, current->line);
            fflush(stdout);
        }
        current->fn();
        if (current_failures == 0) {
            passed++;
        } else {
            failed++;
            printf("FAIL %s (%s:%d)\n", current->name, current->file, current->line);
        }
        fflush(stdout);
    }
    current = NULL;
    free(tests);
    printf("c tests: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
