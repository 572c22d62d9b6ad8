/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_image.c -- a map version as one flat block (see cors_image.h).
 *
 * Layout, every field in the byte order of the machine that wrote it (the
 * image lives in httpd's runtime directory, never elsewhere):
 *
 *   header      image_header below
 *   slots       nslots pairs of uint32: the key's hash tag, and the
 *               offset of the key in the keys area (0: an empty slot)
 *   keys        a reserved byte (offset 0 means "empty"), then each key
 *               as a uint16 length and its bytes
 *
 * The table is an open-addressing hash with linear probing, at most 80%
 * full, so a lookup reads one or two cache lines of slots and compares
 * one key.  Pattern keys ("https://" "*.example.com", "http://host:*")
 * sit in the same table: they hold a '*', which no origin has, so the two
 * kinds never meet; cors_origin_match_patterns() says which pattern keys
 * an origin can have, as it does for a configured set.
 */
#include <string.h>

#include "apr_strings.h"

#include "cors_image.h"

#define IMAGE_MAGIC "CORSMAP\001"

/* The longest entry a source may give (a txt line's first field is at
 * most this long: cors_map.h's line bound is larger). */
#define ENTRY_MAX 1024

/* Keys are kept in chunks of this size while a source is read. */
#define CHUNK_SIZE (1024 * 1024)

/* The scratch pool that normalization allocates from is cleared this
 * often, so that reading a million entries costs bounded memory. */
#define SCRATCH_EVERY 1024

typedef struct {
    char magic[8];
    apr_uint32_t header_size;
    apr_uint32_t nslots;
    apr_uint64_t total_size;
    apr_uint64_t keys_size;
    apr_uint64_t checksum;      /* of the whole image, this field as 0 */
    apr_uint64_t generation;
    apr_int64_t read_at;
    apr_int64_t entries;
    apr_int64_t skipped;
    apr_uint64_t digest;
    unsigned char port_any;
    unsigned char subdomains;
    unsigned char pad[6];
    unsigned char suffix_lengths[32];
    char token[CORS_IMAGE_TOKEN_MAX];
} image_header;

typedef struct chunk {
    struct chunk *next;
    apr_size_t used;
    unsigned char data[CHUNK_SIZE];
} chunk;

struct cors_map_builder {
    apr_pool_t *p;
    apr_pool_t *scratch;
    cors_build_kind kind;
    long entries;
    apr_size_t keys_size;       /* of the keys area: 1 + (2 + len) each */
    chunk *first;
    chunk *last;
    cors_pattern_shape shape;
    apr_uint64_t digest;        /* the sum of the keys' hashes */
};

/* ------------------------------------------------------------------------
 * Hashing: 64-bit words through a multiply-xorshift mix.  Keys come from
 * the admin's source, not from clients, so a fixed function is enough;
 * the probe sequence of any Origin is bounded by the table's clusters.
 */

static APR_INLINE apr_uint64_t mix(apr_uint64_t h, apr_uint64_t w)
{
    h = (h ^ w) * APR_UINT64_C(0xff51afd7ed558ccd);
    return h ^ (h >> 32);
}

static apr_uint64_t hash_bytes(apr_uint64_t h, const void *data,
                               apr_size_t n)
{
    const unsigned char *s = data;
    apr_uint64_t w;

    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = mix(h, w);
    }
    w = 0;
    memcpy(&w, s, n);
    return mix(h, w ^ ((apr_uint64_t)n << 56));
}

static APR_INLINE apr_uint64_t key_hash(const char *key, apr_size_t len)
{
    apr_uint64_t h = hash_bytes(APR_UINT64_C(0x9e3779b97f4a7c15), key, len);
    return mix(h, APR_UINT64_C(0xc4ceb9fe1a85ec53));
}

/* ------------------------------------------------------------------------
 * The builder
 */

cors_map_builder *cors_image_builder_make(apr_pool_t *p, cors_build_kind kind)
{
    cors_map_builder *b = apr_pcalloc(p, sizeof(*b));

    b->p = p;
    b->kind = kind;
    b->keys_size = 1;
    apr_pool_create(&b->scratch, p);
    return b;
}

long cors_image_builder_entries(const cors_map_builder *b)
{
    return b->entries;
}

apr_uint64_t cors_image_builder_digest(const cors_map_builder *b)
{
    return b->digest;
}

static void keep_key(cors_map_builder *b, const char *key, apr_size_t len)
{
    apr_uint16_t n = (apr_uint16_t)len;

    if (b->last == NULL || b->last->used + 2 + len > CHUNK_SIZE) {
        chunk *c = apr_palloc(b->p, sizeof(*c));
        c->next = NULL;
        c->used = 0;
        if (b->last) {
            b->last->next = c;
        }
        else {
            b->first = c;
        }
        b->last = c;
    }
    memcpy(b->last->data + b->last->used, &n, 2);
    memcpy(b->last->data + b->last->used + 2, key, len);
    b->last->used += 2 + len;
    b->keys_size += 2 + len;
}

/* The key of an entry: a valid serialized origin is its own key; any
 * other goes through the configuration's parser (which says what is
 * wrong with it). */
static const char *entry_key(cors_map_builder *b, const char *entry,
                             const char **key)
{
    if (cors_origin_is_own_key(entry)) {
        *key = entry;
        return NULL;
    }
    if (b->kind == CORS_BUILD_EXACT_ONLY) {
        return apr_psprintf(b->scratch, "'%s' is not an origin as browsers "
                            "send it (lowercase scheme://host[:port], no "
                            "default port; patterns need a txt map)", entry);
    }
    return cors_origin_normalize(b->scratch, entry, key);
}

const char *cors_map_builder_add(cors_map_builder *b, const char *value,
                                 apr_size_t len)
{
    char entry[ENTRY_MAX + 1];
    const char *key, *err;

    if (b->entries % SCRATCH_EVERY == 0) {
        apr_pool_clear(b->scratch);
    }
    if (len > ENTRY_MAX) {
        return apr_psprintf(b->scratch, "an entry of %" APR_SIZE_T_FMT
                            " bytes (at most %d)", len, ENTRY_MAX);
    }
    memcpy(entry, value, len);
    entry[len] = '\0';
    if (memchr(entry, '\0', len)) {
        return apr_psprintf(b->scratch, "an entry with a NUL byte");
    }
    if (strcmp(entry, "*") == 0) {
        return "'*' cannot be in a map (write CORSAllowOrigin * to allow "
               "every origin)";
    }
    /* null is any sandboxed page or file: a site's list is no place for
     * it, and the decision never asks a map about it. */
    if (strcasecmp(entry, "null") == 0) {
        return "'null' cannot be in a map (any sandboxed page sends it; "
               "write CORSAllowOrigin null)";
    }
    if (b->entries >= CORS_MAP_ENTRIES_MAX) {
        return apr_psprintf(b->scratch, "more than %d entries",
                            CORS_MAP_ENTRIES_MAX);
    }
    if ((err = entry_key(b, entry, &key)) != NULL) {
        return err;
    }
    if (strchr(key, '*')) {
        cors_pattern_shape_add(&b->shape, key);
    }
    keep_key(b, key, strlen(key));
    b->digest += key_hash(key, strlen(key));
    b->entries++;
    return NULL;
}

/* ------------------------------------------------------------------------
 * Writing an image
 */

static apr_uint32_t slot_count(long entries)
{
    apr_uint64_t want = (apr_uint64_t)entries + (apr_uint64_t)entries / 4 + 1;
    apr_uint32_t n = 8;

    while (n < want) {
        n <<= 1;
    }
    return n;
}

apr_size_t cors_image_size(const cors_map_builder *b)
{
    return sizeof(image_header)
           + (apr_size_t)slot_count(b->entries) * 8 + b->keys_size;
}

static int same_key(const unsigned char *keys, apr_uint32_t off,
                    const char *key, apr_size_t len)
{
    apr_uint16_t n;

    memcpy(&n, keys + off, 2);
    return n == len && memcmp(keys + off + 2, key, len) == 0;
}

/* Puts key in the table unless it is there; returns the keys area's new
 * end. */
static apr_uint32_t insert_key(apr_uint32_t *slots, apr_uint32_t mask,
                               unsigned char *keys, apr_uint32_t end,
                               const char *key, apr_size_t len)
{
    apr_uint64_t h = key_hash(key, len);
    apr_uint32_t tag = (apr_uint32_t)(h >> 32), i = (apr_uint32_t)h & mask;
    apr_uint16_t n = (apr_uint16_t)len;

    for (; slots[2 * i + 1] != 0; i = (i + 1) & mask) {
        if (slots[2 * i] == tag && same_key(keys, slots[2 * i + 1], key, len)) {
            return end;         /* listed twice */
        }
    }
    slots[2 * i] = tag;
    slots[2 * i + 1] = end;
    memcpy(keys + end, &n, 2);
    memcpy(keys + end + 2, key, len);
    return end + 2 + (apr_uint32_t)len;
}

static apr_uint64_t image_checksum(const void *base, apr_size_t size)
{
    image_header h;

    memcpy(&h, base, sizeof(h));
    h.checksum = 0;
    return hash_bytes(hash_bytes(0, &h, sizeof(h)),
                      (const char *)base + sizeof(h), size - sizeof(h));
}

apr_size_t cors_image_write(const cors_map_builder *b,
                            const cors_image_meta *meta, void *out)
{
    image_header *h = out;
    apr_uint32_t nslots = slot_count(b->entries);
    apr_uint32_t *slots = (apr_uint32_t *)(h + 1);
    unsigned char *keys = (unsigned char *)(slots + 2 * (apr_size_t)nslots);
    apr_uint32_t end = 1;
    const chunk *c;

    memset(out, 0, cors_image_size(b));
    memcpy(h->magic, IMAGE_MAGIC, 8);
    h->header_size = sizeof(*h);
    h->nslots = nslots;
    h->generation = meta->generation;
    h->read_at = meta->read_at;
    h->entries = meta->entries;
    h->skipped = meta->skipped;
    h->digest = b->digest;
    h->port_any = b->shape.port_any;
    h->subdomains = b->shape.subdomains;
    memcpy(h->suffix_lengths, b->shape.suffix_lengths,
           sizeof(h->suffix_lengths));
    apr_cpystrn(h->token, meta->token ? meta->token : "", sizeof(h->token));
    for (c = b->first; c; c = c->next) {
        apr_size_t at = 0;
        while (at < c->used) {
            apr_uint16_t n;
            memcpy(&n, c->data + at, 2);
            end = insert_key(slots, nslots - 1, keys, end,
                             (const char *)c->data + at + 2, n);
            at += 2 + (apr_size_t)n;
        }
    }
    h->keys_size = end;
    h->total_size = (apr_size_t)((unsigned char *)keys + end
                                 - (unsigned char *)out);
    h->checksum = image_checksum(out, (apr_size_t)h->total_size);
    return (apr_size_t)h->total_size;
}

/* ------------------------------------------------------------------------
 * Reading an image
 */

/* Every slot names a key inside the keys area, and one slot at least is
 * empty (a probe always ends). */
static int slots_in_bounds(const apr_uint32_t *slots, apr_uint32_t nslots,
                           const unsigned char *keys, apr_uint64_t keys_size)
{
    apr_uint32_t i, empty = 0;

    for (i = 0; i < nslots; i++) {
        apr_uint32_t off = slots[2 * i + 1];
        apr_uint16_t n;
        if (off == 0) {
            empty++;
            continue;
        }
        if ((apr_uint64_t)off + 2 > keys_size) {
            return 0;
        }
        memcpy(&n, keys + off, 2);
        if ((apr_uint64_t)off + 2 + n > keys_size) {
            return 0;
        }
    }
    return empty > 0;
}

const char *cors_image_open(apr_pool_t *p, const void *base, apr_size_t size,
                            cors_image *img)
{
    image_header h;
    apr_uint64_t table;

    if (size < sizeof(h)) {
        return apr_psprintf(p, "%" APR_SIZE_T_FMT " bytes: not an image",
                            size);
    }
    memcpy(&h, base, sizeof(h));
    if (memcmp(h.magic, IMAGE_MAGIC, 8) != 0 || h.header_size != sizeof(h)) {
        return "not an image of this version of mod_cors";
    }
    table = (apr_uint64_t)h.nslots * 8;
    if (h.nslots < 8 || (h.nslots & (h.nslots - 1)) != 0
        || h.total_size != size || h.keys_size < 1
        || sizeof(h) + table + h.keys_size != size
        || h.token[sizeof(h.token) - 1] != '\0') {
        return "the sizes in its header do not add up (cut short?)";
    }
    if (image_checksum(base, size) != h.checksum) {
        return "its checksum is wrong (damaged)";
    }
    memset(img, 0, sizeof(*img));
    img->base = base;
    img->size = size;
    img->slots = (const unsigned char *)base + sizeof(h);
    img->keys = img->slots + table;
    img->mask = h.nslots - 1;
    if (!slots_in_bounds((const apr_uint32_t *)img->slots, h.nslots,
                         img->keys, h.keys_size)) {
        return "a slot points outside the image";
    }
    img->meta.generation = h.generation;
    img->meta.read_at = h.read_at;
    img->meta.entries = (long)h.entries;
    img->meta.skipped = (long)h.skipped;
    img->meta.digest = h.digest;
    img->meta.token = ((const image_header *)base)->token;
    img->shape.port_any = h.port_any != 0;
    img->shape.subdomains = h.subdomains != 0;
    memcpy(img->shape.suffix_lengths, h.suffix_lengths,
           sizeof(h.suffix_lengths));
    return NULL;
}

static int has_key(const void *data, const char *key, size_t len)
{
    const cors_image *img = data;
    const apr_uint32_t *slots = (const apr_uint32_t *)img->slots;
    apr_uint64_t h = key_hash(key, len);
    apr_uint32_t tag = (apr_uint32_t)(h >> 32), i = (apr_uint32_t)h & img->mask;

    for (; slots[2 * i + 1] != 0; i = (i + 1) & img->mask) {
        if (slots[2 * i] == tag
            && same_key(img->keys, slots[2 * i + 1], key, len)) {
            return 1;
        }
    }
    return 0;
}

int cors_image_match(const cors_image *img, const char *origin)
{
    return has_key(img, origin, strlen(origin))
           || cors_origin_match_patterns(&img->shape, origin, has_key, img);
}
