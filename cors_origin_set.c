/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_origin_set.c -- compiling CORSAllowOrigin values into a set and
 * matching an Origin against it (see cors_origin_set.h).  The grammar of
 * both is cors_origin.c's.
 */
#include <string.h>

#include "apr_cstr.h"

#include "cors_origin_set.h"

cors_origins *cors_origins_make(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(cors_origins));
}

/* hostlen: of the pattern's host after its "*."; its suffix has a dot
 * more.  A host is at most 253 bytes, so every suffix length has its bit. */
static void add_suffix_length(cors_pattern_shape *shape, size_t hostlen)
{
    size_t n = hostlen + 1;

    shape->suffix_lengths[n / 8] |= (unsigned char)(1u << (n % 8));
}

static int has_suffix_length(const cors_pattern_shape *shape, size_t n)
{
    return n < 8 * sizeof(shape->suffix_lengths)
           && (shape->suffix_lengths[n / 8] & (1u << (n % 8)));
}

void cors_pattern_shape_add(cors_pattern_shape *shape, const char *key)
{
    const char *host = strstr(key, "://*."), *end;
    size_t len = strlen(key);

    if (len > 2 && memcmp(key + len - 2, ":*", 2) == 0) {
        shape->port_any = 1;
    }
    if (host) {
        host += 5;
        end = strchr(host, ':');
        shape->subdomains = 1;
        add_suffix_length(shape, end ? (size_t)(end - host) : strlen(host));
    }
}

/* Adds a compiled key, an origin or a pattern, with what the set keeps of
 * it (inline: in .htaccess it runs for every origin of every request).
 * host (hostlen bytes, without a pattern's "*.") is read only when it
 * matters: for a subdomain pattern, and for a plain-http origin, which is
 * insecure unless its host is loopback (a pattern's is when it is under
 * .localhost).  The key is kept, not copied. */
static APR_INLINE void add_key(cors_origins *set, apr_pool_t *p,
                               const char *key, int http, const char *host,
                               size_t hostlen, int subdomains, int port_any)
{
    cors_set_push(subdomains || port_any ? &set->patterns : &set->exact, p,
                  key, key, strlen(key));
    set->shape.port_any |= port_any;
    if (subdomains) {
        set->shape.subdomains = 1;
        add_suffix_length(&set->shape, hostlen);
    }
    if (!set->insecure && http && !cors_host_is_loopback(host, hostlen)) {
        set->insecure = key;
    }
}

static int is_http(const char *value)
{
    return memcmp(value, "http:", 5) == 0;
}

/* A value in the form browsers send is its own key: no parsing, no copy. */
static int add_serialized(cors_origins *set, apr_pool_t *p,
                          const char *value)
{
    size_t hs = 0, he = 0;
    const char *host;
    int http;

    if (cors_origin_is_own_key(value)) {
        if ((http = is_http(value))) {
            cors_origin_split(value, &hs, &he);
        }
        add_key(set, p, value, http, value + hs, he - hs, 0, 0);
        return 1;
    }
    if (cors_pattern_is_own_key(value, &host)) {
        add_key(set, p, value, is_http(value), host, strlen(host), 1, 0);
        return 1;
    }
    return 0;
}

const char *cors_origins_add(cors_origins *set, apr_pool_t *p,
                             const char *value)
{
    cors_origin_parts o;
    const char *err, *key;

    if (strcmp(value, "*") == 0) {
        set->any = 1;
        return NULL;
    }
    if (apr_cstr_casecmp(value, "null") == 0) {
        set->null = 1;
        return NULL;
    }
    if (add_serialized(set, p, value)) {
        return NULL;
    }
    if ((err = cors_origin_parse(p, value, &o)) != NULL) {
        return err;
    }
    key = cors_origin_key(p, &o);
    add_key(set, p, key, strcmp(o.scheme, "http") == 0, o.host,
            strlen(o.host), o.subdomains, o.port_any);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Matching an Origin
 */

static int has_pattern(const void *data, const char *key, size_t len)
{
    return cors_set_lookup(&((const cors_origins *)data)->patterns, key, len)
           != NULL;
}

int cors_origin_match_patterns(const cors_pattern_shape *shape,
                               const char *origin, cors_has_key_fn *has,
                               const void *data)
{
    char key[CORS_ORIGIN_MAX + 8];
    size_t len, hs, he, i, scheme_len;

    if (!shape->port_any && !shape->subdomains) {
        return 0;
    }
    len = strlen(origin);
    cors_origin_split(origin, &hs, &he);
    if (shape->port_any) {
        memcpy(key, origin, he);
        memcpy(key + he, ":*", 2);
        if (has(data, key, he + 2)) {
            return 1;
        }
    }
    if (!shape->subdomains || origin[hs] == '[') {
        return 0;
    }
    /* A pattern "*.example.com" (after the scheme) matches when some
     * ".suffix" of the host, after at least one whole label, is a listed
     * pattern. */
    scheme_len = hs;
    memcpy(key, origin, scheme_len);
    key[scheme_len] = '*';
    for (i = hs + 1; i < he; i++) {
        size_t k;
        if (origin[i] != '.' || !has_suffix_length(shape, he - i)) {
            continue;
        }
        k = scheme_len + 1;
        memcpy(key + k, origin + i, he - i);
        k += he - i;
        memcpy(key + k, origin + he, len - he);
        if (has(data, key, k + len - he)) {
            return 1;
        }
        if (shape->port_any) {
            memcpy(key + k, ":*", 2);
            if (has(data, key, k + 2)) {
                return 1;
            }
        }
    }
    return 0;
}

/* Does a pattern (or '*', or null) of the set allow origin, a valid
 * serialized origin whose exact lookup found nothing? */
static int match_patterns(const cors_origins *set, const char *origin)
{
    if (set->any) {
        return 1;
    }
    if (strcmp(origin, "null") == 0) {
        return set->null;
    }
    return cors_origin_match_patterns(&set->shape, origin, has_pattern, set);
}

/* A listed exact origin is a valid serialization by construction, so one
 * lookup decides the common case; anything else is validated before the
 * patterns are tried. */
cors_origin_verdict cors_origins_match(const cors_origins *set,
                                       const char *origin)
{
    if (cors_set_lookup(&set->exact, origin, strlen(origin))) {
        return CORS_ORIGIN_MATCH;
    }
    if (!cors_origin_is_valid(origin)) {
        return CORS_ORIGIN_INVALID;
    }
    return match_patterns(set, origin) ? CORS_ORIGIN_MATCH
                                       : CORS_ORIGIN_NO_MATCH;
}
