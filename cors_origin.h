/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_origin.h -- the one grammar of origins: "scheme://host[:port]" as
 * browsers serialize it (the Origin header) and as an operator writes it
 * (CORSAllowOrigin, a map's entries), with the "*." and ":*" patterns of
 * the latter.  Pure code: APR, libc and libpsl.
 *
 * Both sides share each rule: the scheme, DNS labels (1-63 bytes, 253 in
 * all), IPv4 and IPv6 literals in the form browsers send, ports (1-65535,
 * no leading zero), the default ports, and which hosts are loopback.  The
 * configured side adds normalization (case, a default port written out)
 * and a message for each mistake; the request side allocates nothing.
 */
#ifndef CORS_ORIGIN_H
#define CORS_ORIGIN_H

#include <stddef.h>
#include <string.h>

#include "apr_pools.h"

/* The longest Origin value that can be valid: scheme (64), "://", a DNS
 * name (253), ":" and a port (5).  Longer values are refused before any
 * other work. */
#define CORS_ORIGIN_MAX 326

/* Is origin (the raw Origin header value) a valid serialized origin as a
 * browser sends it: lowercase "scheme://host[:port]" with no default port,
 * a canonical IP literal, or "null"?  Everything else is never allowed. */
int cors_origin_is_valid(const char *origin);

/* Is value, as configured, already the key cors_origin_normalize() would
 * make of it (a valid serialized origin that needs no checks beyond
 * cors_origin_is_valid()), so that it can be kept as it is? */
int cors_origin_is_own_key(const char *value);

/* The same for a subdomain pattern "scheme://" "*.host" (no port) written
 * as browsers send hosts; *host is set to the host after its "*.". */
int cors_pattern_is_own_key(const char *value, const char **host);

/* A configured origin or pattern, parsed. */
typedef struct {
    const char *scheme;     /* lowercased */
    const char *host;       /* lowercased; without the "*." of a pattern */
    const char *port;       /* digits, or NULL for none/default */
    int subdomains;         /* "*." */
    int port_any;           /* ":*" */
} cors_origin_parts;

/* Parses and checks one configured origin or pattern (not "*" or "null").
 * Returns NULL, or a message (from p) that says what is wrong with it. */
const char *cors_origin_parse(apr_pool_t *p, const char *value,
                              cors_origin_parts *o);

/* The key of parsed parts: the normalized origin or pattern,
 * scheme "://" ["*."] host [":" port | ":*"], in one allocation. */
const char *cors_origin_key(apr_pool_t *p, const cors_origin_parts *o);

/* Parses a configured origin into its normalized serialization (scheme and
 * host lowercased, default port dropped) without adding it anywhere; used
 * by tests and by the pattern fuzzer.  Returns NULL or an error. */
const char *cors_origin_normalize(apr_pool_t *p, const char *value,
                                  const char **normalized);

/* The port a browser leaves out for scheme (len bytes): "443" for https,
 * "80" for http; NULL for any other. */
const char *cors_default_port(const char *scheme, size_t len);

/* Is host (len bytes; "[...]" for IPv6) loopback, so that plain http to
 * it is as safe as https?  See cors_origin.c for the rule. */
int cors_host_is_loopback(const char *host, size_t len);

/* Splits a valid origin: the host runs from *host_start to *host_end, and
 * the port part (":" digits, or empty) from *host_end to the end.  Inline:
 * a request whose origin is not listed exactly runs it once. */
static APR_INLINE void cors_origin_split(const char *origin,
                                         size_t *host_start,
                                         size_t *host_end)
{
    const char *h = strstr(origin, "://") + 3;
    const char *e = h[0] == '[' ? strchr(h, ']') + 1 : h;

    while (*e && *e != ':') {
        e++;
    }
    *host_start = (size_t)(h - origin);
    *host_end = (size_t)(e - origin);
}

#endif /* CORS_ORIGIN_H */
