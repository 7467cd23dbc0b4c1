/* parallel.c: a fork-join split of one loop over the cores (parallel.h).
 *
 * A few workers, started at the first split, sleep on a condition variable
 * between splits.  A split publishes the job under the lock with a new
 * generation number, runs chunk 0 itself, then waits until the workers
 * have finished theirs.  The lock is held only to publish and to count
 * finished chunks; the chunks run unlocked. */
#define _GNU_SOURCE
#include "parallel.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct par_job {
    adl_par_fn fn;
    void *arg;
    int64_t n, chunk; /* chunk k is [k * chunk, min(n, (k + 1) * chunk)) */
    int nchunks;
} par_job;

static pthread_mutex_t split_lock = PTHREAD_MUTEX_INITIALIZER; /* one split at a time */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;       /* guards what follows */
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;         /* a new job */
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;     /* pending reached 0 */
static par_job job;
static uint64_t generation; /* one more per job */
static int pending;         /* the workers' chunks not finished yet */
static int nworkers;        /* workers started; worker i runs chunk i (1-based) */

static _Atomic int threads_allowed; /* 0: not read from the environment yet */

static void run_chunk(const par_job *j, int k) {
    int64_t begin = (int64_t)k * j->chunk;
    int64_t end = begin + j->chunk < j->n ? begin + j->chunk : j->n;
    if (begin < end)
        j->fn(j->arg, begin, end);
}

static void *worker(void *p) {
    int index = (int)(intptr_t)p;
    uint64_t seen = 0;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (generation == seen)
            pthread_cond_wait(&wake, &lock);
        seen = generation;
        if (index >= job.nchunks)
            continue; /* not needed this time */
        par_job mine = job;
        pthread_mutex_unlock(&lock);
        run_chunk(&mine, index);
        pthread_mutex_lock(&lock);
        if (--pending == 0)
            pthread_cond_signal(&finished);
    }
    return NULL;
}

/* A forked child has none of the parent's workers (fork copies only the
 * calling thread): start again from none, with fresh locks. */
static void forget_workers(void) {
    pthread_mutex_t fresh_mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t fresh_cond = PTHREAD_COND_INITIALIZER;
    split_lock = fresh_mutex;
    lock = fresh_mutex;
    wake = fresh_cond;
    finished = fresh_cond;
    nworkers = 0;
    generation = 0;
    pending = 0;
}

static void register_fork_handler(void) {
    pthread_atfork(NULL, NULL, forget_workers);
}

/* Starts workers up to `want` (called under split_lock); returns how many
 * there are.  Workers block every signal, so a host's handlers (Ctrl-C in
 * the console) keep running on the host's own threads. */
static int start_workers(int want) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handler);
    if (nworkers >= want)
        return nworkers;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024); /* the loops need little */
    while (nworkers < want) {
        pthread_t t;
        if (pthread_create(&t, &attr, worker, (void *)(intptr_t)(nworkers + 1)) != 0)
            break; /* run with the workers there are */
        nworkers++;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return nworkers;
}

static int default_threads(void) {
    const char *env = getenv("ADLUA_NUM_THREADS");
    long n = 0;
    if (env != NULL && *env != '\0') {
        char *end;
        n = strtol(env, &end, 10);
        if (*end != '\0')
            n = 0; /* not a number: ignored */
    }
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > ADL_PAR_MAX_THREADS ? ADL_PAR_MAX_THREADS : (int)n;
}

int adl_parallel_threads(void) {
    int n = atomic_load_explicit(&threads_allowed, memory_order_relaxed);
    if (n == 0) {
        n = default_threads();
        atomic_store_explicit(&threads_allowed, n, memory_order_relaxed);
    }
    return n;
}

int adl_parallel_set_threads(int n) {
    int previous = adl_parallel_threads();
    n = n < 1 ? 1 : n > ADL_PAR_MAX_THREADS ? ADL_PAR_MAX_THREADS : n;
    atomic_store_explicit(&threads_allowed, n, memory_order_relaxed);
    return previous;
}

void adl_parallel_for(int64_t n, int64_t min_chunk, adl_par_fn fn, void *arg) {
    if (min_chunk < 1)
        min_chunk = 1;
    int64_t most = n / min_chunk;
    if (most < 2) { /* most calls: nothing to split */
        fn(arg, 0, n);
        return;
    }
    int nchunks = adl_parallel_threads();
    if (most < nchunks)
        nchunks = (int)most;
    if (nchunks < 2 || pthread_mutex_trylock(&split_lock) != 0) {
        fn(arg, 0, n);
        return;
    }
    int workers = start_workers(nchunks - 1);
    if (workers + 1 < nchunks)
        nchunks = workers + 1;
    if (nchunks < 2) {
        pthread_mutex_unlock(&split_lock);
        fn(arg, 0, n);
        return;
    }
    int64_t chunk = (n + nchunks - 1) / nchunks;
    chunk = (chunk + 7) / 8 * 8; /* whole vectors, aligned as the array is */
    par_job j = {fn, arg, n, chunk, nchunks};
    pthread_mutex_lock(&lock);
    job = j;
    pending = nchunks - 1;
    generation++;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    run_chunk(&j, 0);
    pthread_mutex_lock(&lock);
    while (pending > 0)
        pthread_cond_wait(&finished, &lock);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&split_lock);
}
