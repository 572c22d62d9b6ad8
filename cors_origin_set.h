/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_origin_set.h -- a compiled CORSAllowOrigin set and how an Origin is
 * matched against it.  Pure code: APR, libc and libpsl.
 *
 * A set holds exact origins, found by one lookup, and patterns, each tried
 * by a few lookups of keys made from the Origin:
 *   "https://app.example.com"      exact origin (default port dropped)
 *   "http://localhost:*"           any port, or none
 *   "https:// *.example.com"       any subdomain, default port
 *   "https:// *.example.com:8443"  any subdomain, that port
 *   "https:// *.example.com:*"     any subdomain, any port
 * (written here with a space after "//" only to keep C comments intact)
 */
#ifndef CORS_ORIGIN_SET_H
#define CORS_ORIGIN_SET_H

#include <stddef.h>

#include "apr_pools.h"

#include "cors_origin.h"
#include "cors_set.h"

/* What the patterns of a set look like, which says what pattern keys an
 * Origin can have there: shared by the compiled set below and the
 * published image of a map (cors_image.h), so that both match alike. */
typedef struct {
    unsigned int port_any : 1;      /* some key ends in ":*" */
    unsigned int subdomains : 1;    /* some key has a "*." host */
    /* A bit for each length of the ".suffix" that subdomain patterns give
     * a host (".example.com": 12): a host's suffixes of other lengths are
     * never looked up, so a refused origin costs few lookups however many
     * patterns are listed. */
    unsigned char suffix_lengths[32];
} cors_pattern_shape;

typedef struct cors_origins {
    cors_set exact;
    cors_set patterns;              /* keys with a '*' */
    unsigned int any : 1;           /* "*" was listed */
    unsigned int null : 1;          /* "null" was listed */
    cors_pattern_shape shape;
    /* The first plain-http entry whose host is not loopback
     * (cors_host_is_loopback()). */
    const char *insecure;
} cors_origins;

cors_origins *cors_origins_make(apr_pool_t *p);

/* Parses one CORSAllowOrigin value and adds it to the set.  Returns NULL,
 * or an error message (from p) that says what is wrong with the value.
 * A value already in the form browsers send (cors_origin_is_own_key()) is
 * its own key and is kept, not copied: it must live as long as the set
 * (httpd's directive arguments do); any other is normalized into a copy. */
const char *cors_origins_add(cors_origins *set, apr_pool_t *p,
                             const char *value);

/* What the set says of an Origin header value. */
typedef enum {
    CORS_ORIGIN_NO_MATCH = 0,   /* a valid origin the set does not allow */
    CORS_ORIGIN_MATCH,          /* allowed */
    CORS_ORIGIN_INVALID         /* not a serialized origin: never allowed */
} cors_origin_verdict;

/* Does the set allow origin (the raw Origin header value)?  A listed
 * exact origin is found by one lookup; any other value is checked with
 * cors_origin_is_valid() before the patterns.  Allocates nothing. */
cors_origin_verdict cors_origins_match(const cors_origins *set,
                                       const char *origin);

/* Records a pattern key (a subdomain or port pattern, as
 * cors_origin_normalize() makes it) in shape. */
void cors_pattern_shape_add(cors_pattern_shape *shape, const char *key);

/* Is key (len bytes) in the set of data? */
typedef int cors_has_key_fn(const void *data, const char *key, size_t len);

/* Does a pattern allow origin, a valid serialized origin other than
 * "null"?  Makes each pattern key that shape says the origin can have and
 * asks has() about it: a few lookups, however many patterns there are. */
int cors_origin_match_patterns(const cors_pattern_shape *shape,
                               const char *origin, cors_has_key_fn *has,
                               const void *data);

#endif /* CORS_ORIGIN_SET_H */
