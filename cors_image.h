/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_image.h -- one version of a CORSAllowOriginMap, compiled into a
 * flat, position-independent block: a header, an open-addressing hash
 * table of the entries' keys, and the keys.  The loader writes it to a
 * file once per change; every child process maps that file read-only, so
 * a server holds one copy of a map however many children it has, and a
 * lookup is a hash probe with no lock and no allocation.
 *
 * Pure code on APR and libc: the unit tests and the fuzzer build, check
 * and query images without a server.
 */
#ifndef CORS_IMAGE_H
#define CORS_IMAGE_H

#include "apr_pools.h"
#include "apr_time.h"

#include "cors_logic.h"
#include "cors_source.h"

/* Bounds of one version, checked while it is read, before anything is
 * built: a source with more entries is refused. */
#define CORS_MAP_ENTRIES_MAX 2000000

/* What a source said it read at, kept in the image (cors_source_poll's
 * new_token), NUL included. */
#define CORS_IMAGE_TOKEN_MAX (CORS_SOURCE_TOKEN_MAX + 1)

/* What a version says of itself, beside its entries. */
typedef struct {
    apr_uint64_t generation;    /* 1, 2, ...: newer is larger */
    apr_time_t read_at;         /* when its source was read */
    long entries;               /* entries read (duplicates included) */
    long skipped;               /* entries a source left out */
    const char *token;          /* the source's token, or "" */
    apr_uint64_t digest;        /* of the entries, in any order (written by
                                 * cors_image_write() from the builder) */
} cors_image_meta;

/* A version checked and ready for lookups: a view onto a block of memory
 * that the caller keeps (an apr_mmap, or a buffer). */
typedef struct {
    const void *base;
    apr_size_t size;
    cors_image_meta meta;
    /* the rest is for cors_image_match() */
    cors_pattern_shape shape;
    const unsigned char *slots;
    apr_uint32_t mask;
    const unsigned char *keys;
} cors_image;

typedef enum {
    CORS_BUILD_ANY_ENTRY,       /* exact origins and patterns (txt, dbd) */
    CORS_BUILD_EXACT_ONLY       /* exact origins only (dbm keys) */
} cors_build_kind;

/* A builder takes a version's entries (cors_map_builder_add(), declared
 * in cors_source.h); everything it keeps comes from p. */
cors_map_builder *cors_image_builder_make(apr_pool_t *p, cors_build_kind kind);

/* Entries added so far, duplicates included. */
long cors_image_builder_entries(const cors_map_builder *b);

/* A digest of the entries added, whatever their order: two reads of a
 * source that give the same digest gave the same entries. */
apr_uint64_t cors_image_builder_digest(const cors_map_builder *b);


/* The size of the image of what b holds now. */
apr_size_t cors_image_size(const cors_map_builder *b);

/* Writes the image of b, with meta, into out (cors_image_size() bytes,
 * e.g. a mapped file); returns the size it takes (less than that when an
 * entry was listed twice). */
apr_size_t cors_image_write(const cors_map_builder *b,
                            const cors_image_meta *meta, void *out);

/* Checks that base[0..size) is a whole, intact image (magic, sizes,
 * checksum, every key within bounds) and fills img.  Returns NULL, or
 * what is wrong (from p).  The token in img->meta points into base. */
const char *cors_image_open(apr_pool_t *p, const void *base, apr_size_t size,
                            cors_image *img);

/* Does the version allow origin, a valid serialized origin other than
 * "null" (the decision validates an Origin before it asks a map)? */
int cors_image_match(const cors_image *img, const char *origin);

#endif /* CORS_IMAGE_H */
