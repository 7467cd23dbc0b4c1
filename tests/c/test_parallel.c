/* test_parallel.c: parallel.c's split of a loop over threads, and the
 * vmath loops that use it: every element computed once, the same bits as
 * one thread, concurrent callers, a forked child. */
#include "harness.h"
#include "parallel.h"
#include "vmath.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Counts, per element, how often a chunk covered it. */
typedef struct coverage {
    int *hits;
    int64_t n;
    int bad_range;
} coverage;

static void count_range(void *arg, int64_t begin, int64_t end) {
    coverage *c = arg;
    if (begin < 0 || end > c->n || begin >= end) {
        __atomic_store_n(&c->bad_range, 1, __ATOMIC_RELAXED);
        return;
    }
    for (int64_t i = begin; i < end; i++)
        __atomic_add_fetch(&c->hits[i], 1, __ATOMIC_RELAXED);
}

TEST(parallel_for_covers_every_element_once) {
    int saved = adl_parallel_set_threads(4);
    const int64_t sizes[] = {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099, 100003};
    const int64_t chunks[] = {1, 8, 100, 5000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            int64_t n = sizes[s];
            coverage c = {calloc((size_t)n + 1, sizeof(int)), n, 0};
            REQUIRE(c.hits != NULL);
            adl_parallel_for(n, chunks[k], count_range, &c);
            int ok = !c.bad_range || n == 0;
            for (int64_t i = 0; i < n; i++)
                ok &= c.hits[i] == 1;
            if (!ok)
                printf("  n %lld, min chunk %lld: an element missed or repeated\n", (long long)n,
                       (long long)chunks[k]);
            CHECK(ok);
            free(c.hits);
        }
    }
    adl_parallel_set_threads(saved);
}

/* The chunk boundaries: a multiple of 8 elements, none shorter than asked
 * except the last. */
typedef struct bounds {
    int64_t begin[ADL_PAR_MAX_THREADS + 1];
    int count;
    pthread_mutex_t lock;
} bounds;

static void note_bounds(void *arg, int64_t begin, int64_t end) {
    bounds *b = arg;
    (void)end;
    pthread_mutex_lock(&b->lock);
    if (b->count <= ADL_PAR_MAX_THREADS)
        b->begin[b->count++] = begin;
    pthread_mutex_unlock(&b->lock);
}

TEST(parallel_for_splits_only_large_work) {
    int saved = adl_parallel_set_threads(2);
    bounds b = {.count = 0, .lock = PTHREAD_MUTEX_INITIALIZER};
    adl_parallel_for(1000, 600, note_bounds, &b); /* under 2 x 600: one chunk */
    CHECK_EQ_INT(b.count, 1);
    CHECK(b.begin[0] == 0);
    b.count = 0;
    adl_parallel_for(1001, 500, note_bounds, &b); /* two chunks */
    CHECK_EQ_INT(b.count, 2);
    for (int i = 0; i < b.count; i++)
        CHECK(b.begin[i] % 8 == 0);
    adl_parallel_set_threads(1); /* one thread: never split */
    b.count = 0;
    adl_parallel_for(100000, 1, note_bounds, &b);
    CHECK_EQ_INT(b.count, 1);
    adl_parallel_set_threads(saved);
}

TEST(parallel_thread_count_is_clamped) {
    int saved = adl_parallel_threads();
    CHECK(saved >= 1 && saved <= ADL_PAR_MAX_THREADS);
    CHECK_EQ_INT(adl_parallel_set_threads(0), saved);
    CHECK_EQ_INT(adl_parallel_threads(), 1);
    adl_parallel_set_threads(1000);
    CHECK_EQ_INT(adl_parallel_threads(), ADL_PAR_MAX_THREADS);
    adl_parallel_set_threads(saved);
}

/* Values over exp's, log's and tanh's ranges, nan and infinities among
 * them (the second pass with libm runs inside the chunks). */
static void fill(double *a, int64_t n, adl_vm_func f) {
    uint64_t s = 0x243f6a8885a308d3ULL;
    for (int64_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double u = (double)(s >> 11) * 0x1p-53;
        a[i] = f == ADL_VM_LOG ? u * 1e3 : (u - 0.5) * (f == ADL_VM_EXP ? 1500 : 40);
    }
    a[n / 3] = NAN;
    a[n / 2] = INFINITY;
    a[n - 1] = -INFINITY;
}

static int same_bits(const void *x, const void *y, size_t bytes) {
    return memcmp(x, y, bytes) == 0;
}

TEST(vmath_split_gives_the_bits_of_one_thread) {
    const int64_t n = 300007; /* odd: a ragged last chunk */
    double *a = malloc(sizeof(double) * n), *one = malloc(sizeof(double) * n),
           *two = malloc(sizeof(double) * n);
    float *af = malloc(sizeof(float) * n), *onef = malloc(sizeof(float) * n),
          *twof = malloc(sizeof(float) * n);
    REQUIRE(a && one && two && af && onef && twof);
    int saved = adl_parallel_threads();
    for (int f = 0; f < ADL_VM_COUNT; f++) {
        fill(a, n, (adl_vm_func)f);
        for (int64_t i = 0; i < n; i++)
            af[i] = (float)a[i];
        adl_parallel_set_threads(1);
        adl_vm_f64((adl_vm_func)f, n, one, 1, a, 1);
        adl_vm_f32((adl_vm_func)f, n, onef, 1, af, 1);
        adl_parallel_set_threads(3);
        adl_vm_f64((adl_vm_func)f, n, two, 1, a, 1);
        CHECK(same_bits(one, two, sizeof(double) * n));
        adl_vm_f32((adl_vm_func)f, n, twof, 1, af, 1);
        CHECK(same_bits(onef, twof, sizeof(float) * n));
        /* strided: every other input into every other output */
        memset(two, 0, sizeof(double) * n);
        adl_vm_f64((adl_vm_func)f, n / 2, two, 2, a, 2);
        int ok = 1;
        for (int64_t i = 0; i < n / 2; i++)
            ok &= same_bits(&two[2 * i], &one[2 * i], sizeof(double)) && two[2 * i + 1] == 0;
        CHECK(ok);
    }
    adl_parallel_set_threads(saved);
    free(a);
    free(one);
    free(two);
    free(af);
    free(onef);
    free(twof);
}

/* Two host threads splitting at once: one gets the workers, the other runs
 * alone; both results are right. */
typedef struct caller {
    const double *a;
    double *o;
    int64_t n;
} caller;

static void *call_tanh(void *p) {
    caller *c = p;
    for (int r = 0; r < 20; r++)
        adl_vm_f64(ADL_VM_TANH, c->n, c->o, 1, c->a, 1);
    return NULL;
}

TEST(vmath_split_from_two_threads_at_once) {
    const int64_t n = 200000;
    double *a = malloc(sizeof(double) * n), *want = malloc(sizeof(double) * n),
           *o1 = malloc(sizeof(double) * n), *o2 = malloc(sizeof(double) * n);
    REQUIRE(a && want && o1 && o2);
    fill(a, n, ADL_VM_TANH);
    int saved = adl_parallel_set_threads(1);
    adl_vm_f64(ADL_VM_TANH, n, want, 1, a, 1);
    adl_parallel_set_threads(2);
    caller c1 = {a, o1, n}, c2 = {a, o2, n};
    pthread_t t1, t2;
    REQUIRE(pthread_create(&t1, NULL, call_tanh, &c1) == 0);
    REQUIRE(pthread_create(&t2, NULL, call_tanh, &c2) == 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK(same_bits(o1, want, sizeof(double) * n));
    CHECK(same_bits(o2, want, sizeof(double) * n));
    adl_parallel_set_threads(saved);
    free(a);
    free(want);
    free(o1);
    free(o2);
}

/* A child forked after the workers started has none of them: its splits
 * start its own instead of waiting for the parent's forever. */
TEST(vmath_split_in_a_forked_child) {
    const int64_t n = 100000;
    double *a = malloc(sizeof(double) * n), *want = malloc(sizeof(double) * n),
           *o = malloc(sizeof(double) * n);
    REQUIRE(a && want && o);
    fill(a, n, ADL_VM_TANH);
    int saved = adl_parallel_set_threads(2);
    adl_vm_f64(ADL_VM_TANH, n, want, 1, a, 1); /* the parent's workers start */
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        alarm(20); /* a hang fails the test instead of stalling the suite */
        adl_vm_f64(ADL_VM_TANH, n, o, 1, a, 1);
        int same = memcmp(o, want, sizeof(double) * n) == 0;
        free(a); /* valgrind checks the child's memory too */
        free(want);
        free(o);
        _exit(same ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    adl_parallel_set_threads(saved);
    free(a);
    free(want);
    free(o);
}
