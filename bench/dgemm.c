/* dgemm.c: the BLAS limit for W6 (bench/WORKLOADS.md). Times cblas_dgemm
 * (row-major, NoTrans, alpha 1, beta 0) on n x n matrices, 1 warm-up call
 * and 5 timed calls, and prints one JSON line per n with the median and
 * GFLOP/s = 2 n^3 / seconds / 1e9.
 *
 *   build/bench/dgemm [n ...]        (default: 1000 2000)
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern char *openblas_get_corename(void) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

#define RUNS 5

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Peak resident memory in MiB (VmHWM). */
static double peak_rss_mib(void) {
    char line[256];
    double mib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %lf", &mib) == 1)
            break;
    fclose(f);
    return mib / 1024;
}

static int bench(int n) {
    size_t nn = (size_t)n * (size_t)n, i;
    double *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b), *c = malloc(nn * sizeof *c);
    double runs[RUNS], sorted[RUNS], sum = 0;
    int k;
    if (a == NULL || b == NULL || c == NULL) {
        fprintf(stderr, "dgemm: out of memory for n = %d\n", n);
        return 1;
    }
    srand(3);
    for (i = 0; i < nn; i++) {
        a[i] = (double)rand() / RAND_MAX - 0.5;
        b[i] = (double)rand() / RAND_MAX - 0.5;
    }
    for (k = -1; k < RUNS; k++) {
        double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
        if (k >= 0)
            runs[k] = sorted[k] = now() - t0;
    }
    for (i = 0; i < nn; i++)
        sum += c[i];
    qsort(sorted, RUNS, sizeof sorted[0], cmp);
    printf("{\"peer\": \"dgemm\", \"workload\": \"dgemm%d\", \"seconds\": %.9g, \"iters\": 1, "
           "\"sec_per_iter\": %.9g, \"runs\": [",
           n, sorted[RUNS / 2], sorted[RUNS / 2]);
    for (k = 0; k < RUNS; k++)
        printf("%s%.9g", k ? ", " : "", runs[k]);
    printf(
        "], \"result\": {\"gflops\": %.6g, \"checksum\": %.17g}, \"env\": {\"openblas_corename\": "
        "\"%s\", \"openblas_threads\": %d}, \"peak_rss_mib\": %.4g}\n",
        2.0 * n * n * (double)n / sorted[RUNS / 2] / 1e9, sum,
        openblas_get_corename ? openblas_get_corename() : "?",
        openblas_get_num_threads ? openblas_get_num_threads() : -1, peak_rss_mib());
    fflush(stdout);
    free(a);
    free(b);
    free(c);
    return 0;
}

int main(int argc, char **argv) {
    int i, status = 0;
    if (argc < 2) {
        status |= bench(1000);
        status |= bench(2000);
        return status;
    }
    for (i = 1; i < argc; i++) {
        int n = atoi(argv[i]);
        if (n < 1) {
            fprintf(stderr, "usage: dgemm [n ...]\n");
            return 2;
        }
        status |= bench(n);
    }
    return status;
}
