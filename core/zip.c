/* zip.c: the zip archives behind .npz files (PKWARE's APPNOTE): reading
 * stored entries through the central directory (with ZIP64 sizes, as
 * NumPy's savez writes them), writing stored entries.  Deflated entries
 * (np.savez_compressed) are reported, not read: that would need zlib. */
#include "alloc.h"
#include "npyio.h"

#include <stdlib.h>
#include <string.h>

uint32_t adl_crc32(const unsigned char *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

static uint32_t rd16(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t rd32(const unsigned char *p) {
    return rd16(p) | rd16(p + 2) << 16;
}
static uint64_t rd64(const unsigned char *p) {
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static adl_status bad_zip(adl_ctx *ctx, const char *what, const char *why) {
    return adl_error(ctx, ADL_ERR_VALUE, "%s: not a valid .npz (zip) file: %s", what, why);
}

/* ZIP64 extra field (id 1): the 64-bit values of the fields that hold
 * 0xffffffff, in the order size, compressed size, offset. */
static int zip64_values(const unsigned char *extra, size_t len, uint64_t *size, uint64_t *csize,
                        uint64_t *offset) {
    size_t i = 0;
    while (i + 4 <= len) {
        uint32_t id = rd16(extra + i), sz = rd16(extra + i + 2);
        if (i + 4 + sz > len)
            return 0;
        if (id == 1) {
            const unsigned char *q = extra + i + 4, *qend = q + sz;
            uint64_t *fields[3] = {size, csize, offset};
            for (int f = 0; f < 3; f++)
                if (*fields[f] == 0xffffffffu) {
                    if (q + 8 > qend)
                        return 0;
                    *fields[f] = rd64(q);
                    q += 8;
                }
            return 1;
        }
        i += 4 + sz;
    }
    return 1;
}

adl_status adl_zip_read(adl_ctx *ctx, const char *what, const unsigned char *buf, size_t n,
                        adl_zip_entry **entries, int *count) {
    *entries = NULL;
    *count = 0;
    /* the end of central directory record: 22 bytes + a comment < 64 KiB */
    if (n < 22)
        return bad_zip(ctx, what, "too short");
    size_t eocd = n - 22, lowest = n > 22 + 65535 ? n - 22 - 65535 : 0;
    while (rd32(buf + eocd) != 0x06054b50u) {
        if (eocd == lowest)
            return bad_zip(ctx, what, "no end of central directory record");
        eocd--;
    }
    uint64_t nent = rd16(buf + eocd + 10), cd_size = rd32(buf + eocd + 12),
             cd_off = rd32(buf + eocd + 16);
    if ((nent == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) && eocd >= 20 &&
        rd32(buf + eocd - 20) == 0x07064b50u) { /* ZIP64 locator */
        uint64_t z = rd64(buf + eocd - 20 + 8);
        if (n < 56 || z > n - 56 || rd32(buf + z) != 0x06064b50u)
            return bad_zip(ctx, what, "bad ZIP64 end of central directory");
        nent = rd64(buf + z + 32);
        cd_size = rd64(buf + z + 40);
        cd_off = rd64(buf + z + 48);
    }
    if (cd_off > n || cd_size > n - cd_off || nent > cd_size / 46 + 1)
        return bad_zip(ctx, what, "the central directory lies outside the file");
    adl_zip_entry *list = adl_calloc(nent ? nent : 1, sizeof *list);
    if (!list)
        return adl_error_nomem(ctx, what);
    const unsigned char *p = buf + cd_off, *end = buf + cd_off + cd_size;
    adl_status st = ADL_OK;
    for (uint64_t i = 0; i < nent && st == ADL_OK; i++) {
        if (p + 46 > end || rd32(p) != 0x02014b50u) {
            st = bad_zip(ctx, what, "a broken central directory entry");
            break;
        }
        uint32_t method = rd16(p + 10), crc = rd32(p + 16);
        uint64_t csize = rd32(p + 20), size = rd32(p + 24), off = rd32(p + 42);
        size_t nlen = rd16(p + 28), xlen = rd16(p + 30), clen = rd16(p + 32);
        if (p + 46 + nlen + xlen + clen > end) {
            st = bad_zip(ctx, what, "a central directory entry runs past its end");
            break;
        }
        if (!zip64_values(p + 46 + nlen, xlen, &size, &csize, &off)) {
            st = bad_zip(ctx, what, "a broken ZIP64 extra field");
            break;
        }
        adl_zip_entry *e = &list[i];
        if (nlen >= sizeof e->name) {
            st = bad_zip(ctx, what, "an entry name longer than 255 bytes");
            break;
        }
        memcpy(e->name, p + 46, nlen);
        e->name[nlen] = 0;
        if (memchr(e->name, 0, nlen)) {
            st = bad_zip(ctx, what, "an entry name holds a NUL byte");
            break;
        }
        if (method != 0) {
            st = adl_error(ctx, ADL_ERR_VALUE,
                           "%s: entry '%s' is compressed (method %u); only stored entries are "
                           "read (np.savez, not np.savez_compressed)",
                           what, e->name, method);
            break;
        }
        if (off > n || n - off < 30 || rd32(buf + off) != 0x04034b50u) {
            st = bad_zip(ctx, what, "an entry's local header lies outside the file");
            break;
        }
        uint64_t data = off + 30 + rd16(buf + off + 26) + rd16(buf + off + 28);
        if (size != csize || data > n || size > n - data) {
            st = bad_zip(ctx, what, "an entry's data lies outside the file");
            break;
        }
        e->data = buf + data;
        e->size = (size_t)size;
        if (adl_crc32(e->data, e->size) != crc)
            st = adl_error(ctx, ADL_ERR_VALUE, "%s: entry '%s' is corrupt (CRC-32 mismatch)", what,
                           e->name);
        p += 46 + nlen + xlen + clen;
    }
    if (st) {
        adl_free(list);
        return st;
    }
    *entries = list;
    *count = (int)nent;
    return ADL_OK;
}

static unsigned char *wr16(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}
static unsigned char *wr32(unsigned char *p, uint32_t v) {
    return wr16(wr16(p, v & 0xffffu), v >> 16);
}

/* Local header (30 bytes + name) and central entry (46 + name) share most
 * fields; the time stamp is fixed (1980-01-01 00:00), so the same arrays
 * give the same bytes. */
static unsigned char *common_fields(unsigned char *p, uint32_t crc, uint32_t size, size_t nlen) {
    p = wr16(p, 20); /* version needed: 2.0 */
    p = wr16(p, 0);  /* flags */
    p = wr16(p, 0);  /* stored */
    p = wr16(p, 0);  /* time */
    p = wr16(p, 33); /* date: 1980-01-01 */
    p = wr32(p, crc);
    p = wr32(p, size);
    p = wr32(p, size);
    p = wr16(p, (uint32_t)nlen);
    return wr16(p, 0); /* extra length */
}

adl_status adl_zip_write(adl_ctx *ctx, const char *what, int count, const char *const *names,
                         const unsigned char *const *data, const size_t *sizes, unsigned char **buf,
                         size_t *n) {
    if (count < 0 || count > 65535)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: at most 65535 arrays fit in one archive", what);
    uint64_t total = 22;
    for (int i = 0; i < count; i++)
        total += 30 + 46 + 2 * (uint64_t)strlen(names[i]) + sizes[i];
    if (total > 0xffffffffu)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: archives of 4 GiB or more are not supported",
                         what);
    unsigned char *z = adl_malloc((size_t)total), *p = z;
    uint32_t *crcs = adl_malloc(sizeof(uint32_t) * (size_t)(count ? count : 1));
    uint32_t *offs = adl_malloc(sizeof(uint32_t) * (size_t)(count ? count : 1));
    if (!z || !crcs || !offs) {
        adl_free(z);
        adl_free(crcs);
        adl_free(offs);
        return adl_error_nomem(ctx, what);
    }
    for (int i = 0; i < count; i++) {
        size_t nlen = strlen(names[i]);
        crcs[i] = adl_crc32(data[i], sizes[i]);
        offs[i] = (uint32_t)(p - z);
        p = wr32(p, 0x04034b50u);
        p = common_fields(p, crcs[i], (uint32_t)sizes[i], nlen);
        memcpy(p, names[i], nlen);
        p += nlen;
        if (sizes[i])
            memcpy(p, data[i], sizes[i]);
        p += sizes[i];
    }
    uint32_t cd_off = (uint32_t)(p - z);
    for (int i = 0; i < count; i++) {
        size_t nlen = strlen(names[i]);
        p = wr32(p, 0x02014b50u);
        p = wr16(p, 20); /* made by: 2.0 */
        p = common_fields(p, crcs[i], (uint32_t)sizes[i], nlen);
        p = wr16(p, 0); /* comment length */
        p = wr16(p, 0); /* disk */
        p = wr16(p, 0); /* internal attributes */
        p = wr32(p, 0); /* external attributes */
        p = wr32(p, offs[i]);
        memcpy(p, names[i], nlen);
        p += nlen;
    }
    uint32_t cd_size = (uint32_t)(p - z) - cd_off;
    p = wr32(p, 0x06054b50u);
    p = wr16(p, 0);
    p = wr16(p, 0);
    p = wr16(p, (uint32_t)count);
    p = wr16(p, (uint32_t)count);
    p = wr32(p, cd_size);
    p = wr32(p, cd_off);
    p = wr16(p, 0);
    adl_free(crcs);
    adl_free(offs);
    *buf = z;
    *n = (size_t)(p - z);
    return ADL_OK;
}
