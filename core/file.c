/* file.c: whole-file reads and atomic writes for np.load / np.save and
 * friends. */
#include "alloc.h"
#include "npyio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads up to `want` bytes (all of them unless end of file or an error);
 * returns how many, or -1 with errno set. */
static ssize_t read_full(int fd, unsigned char *p, size_t want) {
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, p + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static adl_status read_error(adl_ctx *ctx, const char *what, const char *path, int fd, int e) {
    close(fd);
    return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot read '%s': %s", what, path, strerror(e));
}

/* Pipes, devices and files whose size is not known in advance (/proc) are
 * read until their end, up to this many bytes. */
#define STREAM_LIMIT ((size_t)1 << 30)

adl_status adl_file_read(adl_ctx *ctx, const char *what, const char *path, unsigned char **buf,
                         size_t *n) {
    /* O_NONBLOCK: opening a FIFO without a writer must not wait forever */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot open '%s': %s", what, path,
                         strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0)
        return read_error(ctx, what, path, fd, errno);
    if (S_ISDIR(st.st_mode))
        return read_error(ctx, what, path, fd, EISDIR);
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        return read_error(ctx, what, path, fd, errno);
    int regular = S_ISREG(st.st_mode) && st.st_size > 0;
    size_t cap = regular ? (size_t)st.st_size : 65536, size = 0;
    if (regular && (uintmax_t)st.st_size >= (uintmax_t)SIZE_MAX) {
        close(fd);
        return adl_error(ctx, ADL_ERR_MEMORY, "%s: out of memory reading '%s' (%lld bytes)", what,
                         path, (long long)st.st_size);
    }
    unsigned char *p = adl_malloc(cap + 1);
    for (;;) {
        if (!p) {
            close(fd);
            return adl_error(ctx, ADL_ERR_MEMORY, "%s: out of memory reading '%s' (%zu bytes)",
                             what, path, cap);
        }
        ssize_t got = read_full(fd, p + size, cap - size);
        if (got < 0) {
            int e = errno;
            adl_free(p);
            return read_error(ctx, what, path, fd, e);
        }
        size += (size_t)got;
        if (size < cap || regular)
            break; /* the end (a regular file is read to its size at opening) */
        if (cap >= STREAM_LIMIT) {
            adl_free(p);
            close(fd);
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: cannot read '%s': not a regular file, and longer than %zu bytes",
                             what, path, STREAM_LIMIT);
        }
        cap *= 2;
        unsigned char *q = adl_realloc(p, cap + 1);
        if (!q)
            adl_free(p);
        p = q;
    }
    close(fd);
    p[size] = 0; /* text parsers may rely on a terminator */
    *buf = p;
    *n = size;
    return ADL_OK;
}

static _Atomic unsigned long temp_counter;

adl_status adl_file_write_atomic(adl_ctx *ctx, const char *what, const char *path, const void *buf,
                                 size_t n) {
    size_t len = strlen(path);
    char *tmp = adl_malloc(len + 64);
    if (!tmp)
        return adl_error_nomem(ctx, what);
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(tmp, len + 64, "%s.tmp-%ld-%lu", path, (long)getpid(), ++temp_counter);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666); /* the umask applies */
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        adl_free(tmp);
        return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot write '%s': %s", what, path, strerror(e));
    }
    const char *p = buf;
    size_t left = n;
    int e = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        adl_free(tmp);
        return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot write '%s': %s", what, path, strerror(e));
    }
    adl_free(tmp);
    return ADL_OK;
}
