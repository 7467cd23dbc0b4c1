/* npyio.h: NumPy's file formats in the core: .npy (npy.c), .npz zip
 * archives (zip.c), text tables (text.c), and whole-file reads and atomic
 * writes (file.c).
 *
 * Readers take the whole file as bytes and check every length and offset
 * against what is there before they allocate or copy, so a truncated file,
 * a garbage header or a shape whose size overflows is an error naming the
 * file, never a crash or an absurd allocation. */
#ifndef ADL_NPYIO_H
#define ADL_NPYIO_H

#include "adl_core.h"

/* ---- files (file.c) ---- */

/* The whole file at path, from adl_malloc (caller adl_frees); `what` names the caller
 * in errors ("load"). */
adl_status adl_file_read(adl_ctx *ctx, const char *what, const char *path, unsigned char **buf,
                         size_t *n);
/* Writes n bytes to a new file next to path and renames it to path, so
 * that readers see the old file or the new one, never half of one. */
adl_status adl_file_write_atomic(adl_ctx *ctx, const char *what, const char *path, const void *buf,
                                 size_t n);

/* ---- .npy (npy.c) ---- */

typedef struct adl_npy_header {
    int major, minor; /* format version 1.0, 2.0 or 3.0 */
    char kind;        /* 'f' float, 'i' signed, 'u' unsigned, 'b' bool */
    int itemsize;     /* bytes */
    int big_endian;
    int fortran_order;
    int ndim;
    int64_t shape[ADL_MAX_DIMS];
    int64_t size;       /* elements */
    size_t data_offset; /* bytes from the start of the file to the data */
} adl_npy_header;

/* Parses the magic string, version and header dict at the start of buf. */
adl_status adl_npy_parse_header(adl_ctx *ctx, const char *what, const unsigned char *buf, size_t n,
                                adl_npy_header *h);
/* A .npy file's contents to a new array: float32 for a float32 file,
 * float64 for the others (converted: the integers exactly, bool as 0/1,
 * int64 beyond 2^53 rounded). */
adl_status adl_npy_decode(adl_ctx *ctx, const char *what, const unsigned char *buf, size_t n,
                          adl_array **out);
/* The .npy file of a plain array (version 1.0, or 2.0 for huge headers;
 * little-endian, C order; '<f8', or '<f4' for a float32 array),
 * into *buf from adl_malloc (caller adl_frees). */
adl_status adl_npy_encode(adl_ctx *ctx, const adl_array *a, unsigned char **buf, size_t *n);

/* ---- .npz: zip archives with stored entries (zip.c) ---- */

typedef struct adl_zip_entry {
    char name[256];
    const unsigned char *data; /* inside the archive's bytes */
    size_t size;
} adl_zip_entry;

/* The entries of the archive in buf (*entries from adl_calloc, caller adl_frees);
 * checks every offset and each entry's CRC-32. Compressed entries are an
 * error naming them. */
adl_status adl_zip_read(adl_ctx *ctx, const char *what, const unsigned char *buf, size_t n,
                        adl_zip_entry **entries, int *count);
/* An archive of stored entries (names[i], data[i], sizes[i]), from adl_malloc
 * (caller adl_frees). */
adl_status adl_zip_write(adl_ctx *ctx, const char *what, int count, const char *const *names,
                         const unsigned char *const *data, const size_t *sizes, unsigned char **buf,
                         size_t *n);
uint32_t adl_crc32(const unsigned char *p, size_t n);

/* ---- text tables (text.c) ---- */

#define ADL_TEXT_MAX_USECOLS 1024

typedef struct adl_text_opts {
    char delimiter;   /* 0: runs of whitespace */
    char comments;    /* 0: none; default '#' */
    int64_t skiprows; /* lines skipped at the start, comments and blanks included */
    int nusecols;     /* 0: all columns */
    int64_t usecols[ADL_TEXT_MAX_USECOLS]; /* 0-based; negative counts from the end */
    int ndmin;                             /* 0, 1 or 2, as NumPy's */
} adl_text_opts;

void adl_text_opts_default(adl_text_opts *o);
/* A table of numbers to a float64 array: (rows, columns), squeezed as
 * NumPy's loadtxt does for ndmin.  Errors name the line: "loadtxt: line 4:
 * could not convert 'abc' to a number". */
adl_status adl_text_parse(adl_ctx *ctx, const char *what, const char *buf, size_t n,
                          const adl_text_opts *o, adl_array **out);

#endif
