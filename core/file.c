/* file.c: whole-file reads and atomic writes for np.load / np.save and
 * friends. */
#include "npyio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

adl_status adl_file_read(adl_ctx *ctx, const char *what, const char *path, unsigned char **buf,
                         size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot open '%s': %s", what, path,
                         strerror(errno));
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        int e = errno;
        fclose(f);
        return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot read '%s': %s", what, path, strerror(e));
    }
    unsigned char *p = malloc((size_t)size + 1);
    if (!p) {
        fclose(f);
        return adl_error(ctx, ADL_ERR_MEMORY, "%s: out of memory reading '%s' (%ld bytes)", what,
                         path, size);
    }
    size_t got = fread(p, 1, (size_t)size, f);
    int failed = ferror(f), e = errno;
    fclose(f);
    if (failed || got != (size_t)size) {
        free(p);
        return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot read '%s': %s", what, path,
                         failed ? strerror(e) : "the file changed while it was read");
    }
    p[size] = 0; /* text parsers may rely on a terminator */
    *buf = p;
    *n = (size_t)size;
    return ADL_OK;
}

static _Atomic unsigned long temp_counter;

adl_status adl_file_write_atomic(adl_ctx *ctx, const char *what, const char *path, const void *buf,
                                 size_t n) {
    size_t len = strlen(path);
    char *tmp = malloc(len + 64);
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
        free(tmp);
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
        free(tmp);
        return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot write '%s': %s", what, path, strerror(e));
    }
    free(tmp);
    return ADL_OK;
}
