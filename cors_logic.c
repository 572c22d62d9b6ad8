/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_logic.c -- origin parsing and matching, method and header lists.
 * See cors_logic.h for the contract.  APR, libc and libpsl only.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <libpsl.h>

#include "apr_cstr.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_logic.h"

/* The CORS-safelisted request-header names (Fetch), as a preflight's
 * answer names them (see cors_logic.h), and the same names for lookups
 * and joins (test_list_next checks that the two agree). */
const char cors_safelisted_headers[] =
    "Accept, Accept-Language, Content-Language, Content-Type, Range";

static const char *join_names(apr_pool_t *p, const char *head,
                              const cors_name *names, int n);

#define NAME(key, written) { key, written, sizeof(key) - 1 }

static const cors_name safelisted[] = {
    NAME("accept", "Accept"),
    NAME("accept-language", "Accept-Language"),
    NAME("content-language", "Content-Language"),
    NAME("content-type", "Content-Type"),
    NAME("range", "Range"),
};

#define N_SAFELISTED (int)(sizeof(safelisted) / sizeof(safelisted[0]))

static int same_name(const char *key, const char *name, size_t len);

/* Is name (len bytes, in any case) a CORS-safelisted request-header name? */
static int is_safelisted(const char *name, size_t len)
{
    int i;

    for (i = 0; i < N_SAFELISTED; i++) {
        if (safelisted[i].len == len
            && same_name(safelisted[i].key, name, len)) {
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Character classes (ASCII only, independent of the locale)
 */

static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int to_lower(int c) { return is_upper(c) ? c + ('a' - 'A') : c; }

/* Character classes by table: these run per byte of every Origin and
 * Access-Control-Request-Headers value. */
#define C_TCHAR 1       /* RFC 9110 tchar */
#define C_HOST 2        /* a-z 0-9 - _ : a host as browsers serialize it */
#define C_SCHEME 4      /* a-z 0-9 + - . */

static const unsigned char char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 5, 0, 7, 5, 0,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 3,
    1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 1, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int is_tchar(int c) { return char_class[c & 0xff] & C_TCHAR; }
static int is_scheme_char(int c) { return char_class[c & 0xff] & C_SCHEME; }
static int is_host_char(int c) { return char_class[c & 0xff] & C_HOST; }

/* Is name (len bytes, in any case) key (lowercase)?  Header names differ
 * mostly in their first bytes, so a mismatch ends the loop at once. */
static int same_name(const char *key, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (key[i] != (char)to_lower((unsigned char)name[i])) {
            return 0;
        }
    }
    return 1;
}

int cors_is_protocol_header(const char *name)
{
    static const char prefix[] = "access-control-";
    size_t i, n = sizeof(prefix) - 1;

    /* Most names are shorter ("Accept-Ranges"), and strlen() is cheaper
     * than comparing them byte by byte. */
    if (strlen(name) < n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (to_lower((unsigned char)name[i]) != prefix[i]) {
            return 0;
        }
    }
    return 1;
}

/* Is s (n bytes) a token? */
static int is_token_n(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!is_tchar((unsigned char)s[i])) {
            return 0;
        }
    }
    return n > 0;
}

/* One pass, without is_token_n()'s length: the directives check every
 * method and header name of a .htaccess line on every request. */
int cors_is_token(const char *s)
{
    if (s == NULL || *s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        if (!is_tchar((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

static const char *default_port(const char *scheme)
{
    if (strcmp(scheme, "https") == 0) {
        return "443";
    }
    if (strcmp(scheme, "http") == 0) {
        return "80";
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * Name sets: an array while small, with a hash index once large
 */

/* Inline where a request looks names up (the origin, the method, each
 * requested header): the call would cost about what the search does. */
static APR_INLINE const char *set_find(const cors_set *set, const char *key,
                                       size_t len)
{
    const cors_name *n;
    int i;

    if (set->index) {
        return apr_hash_get(set->index, key, (apr_ssize_t)len);
    }
    if (set->names == NULL) {
        return NULL;
    }
    n = (const cors_name *)set->names->elts;
    for (i = 0; i < set->names->nelts; i++) {
        /* The first byte tells most short names (methods, headers) apart
         * without a call. */
        if (n[i].len == len && n[i].key[0] == key[0]
            && memcmp(n[i].key, key, len) == 0) {
            return n[i].written;
        }
    }
    return NULL;
}

const char *cors_set_find(const cors_set *set, const char *key, size_t len)
{
    return set_find(set, key, len);
}

/* The longest name looked up in a hash index by a lowercase copy; a longer
 * one is compared with each name instead (none is that long in practice,
 * and the copy stays on a small stack). */
#define INDEXED_NAME_MAX 128

/* The same for name in any case, in a set of lowercase keys (header
 * names): compared in place, and copied only for a hash index. */
static APR_INLINE const char *set_find_any_case(const cors_set *set,
                                                const char *name, size_t len)
{
    char key[INDEXED_NAME_MAX];
    const cors_name *n;
    size_t j;
    int i;

    if (set->index && len < sizeof(key)) {
        for (j = 0; j < len; j++) {
            key[j] = (char)to_lower((unsigned char)name[j]);
        }
        return apr_hash_get(set->index, key, (apr_ssize_t)len);
    }
    if (set->names == NULL) {
        return NULL;
    }
    n = (const cors_name *)set->names->elts;
    for (i = 0; i < set->names->nelts; i++) {
        /* Browsers send the names lowercase: memcmp() settles those. */
        if (n[i].len == len
            && n[i].key[0] == (char)to_lower((unsigned char)name[0])
            && (memcmp(n[i].key, name, len) == 0
                || same_name(n[i].key, name, len))) {
            return n[i].written;
        }
    }
    return NULL;
}

int cors_set_count(const cors_set *set)
{
    return set->names ? set->names->nelts : 0;
}

/* Adds key, which may be in the set already (lookups find the first).
 * Key and written are kept: they must live as long as p. */
static void set_push(cors_set *set, apr_pool_t *p, const char *key,
                     const char *written, size_t len)
{
    cors_name *n;
    int i;

    if (set->names == NULL) {
        set->names = apr_array_make(p, 4, sizeof(cors_name));
    }
    n = apr_array_push(set->names);
    n->key = key;
    n->written = written;
    n->len = len;
    if (set->index) {
        apr_hash_set(set->index, key, (apr_ssize_t)len, written);
    }
    else if (set->names->nelts > CORS_SET_LINEAR_MAX) {
        set->index = apr_hash_make(p);
        n = (cors_name *)set->names->elts;
        for (i = 0; i < set->names->nelts; i++) {
            apr_hash_set(set->index, n[i].key, (apr_ssize_t)n[i].len,
                         n[i].written);
        }
    }
}

/* Adds key unless the set has it: a list names each once. */
static void set_add(cors_set *set, apr_pool_t *p, const char *key,
                    const char *written, size_t len)
{
    if (!cors_set_find(set, key, len)) {
        set_push(set, p, key, written, len);
    }
}

/* ------------------------------------------------------------------------
 * Configured origins: "scheme://host[:port]", "*." and ":*" patterns
 */

typedef struct {
    const char *scheme;     /* lowercased */
    const char *host;       /* lowercased; without the "*." of a pattern */
    const char *port;       /* digits, or NULL for none/default */
    int subdomains;         /* "*." */
    int port_any;           /* ":*" */
} origin_parts;

/* Does the host end in a number (the WHATWG URL test for an IPv4 host)? */
static int ends_in_number(const char *host)
{
    const char *last = strrchr(host, '.');
    last = last ? last + 1 : host;
    if (*last == '\0') {
        return 0;
    }
    if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
        for (last += 2; *last; last++) {
            if (!is_hex((unsigned char)*last)) {
                return 0;
            }
        }
        return 1;
    }
    for (; *last; last++) {
        if (!is_digit((unsigned char)*last)) {
            return 0;
        }
    }
    return 1;
}

/* Is host four decimal parts 0-255 without leading zeros? */
static int is_canonical_ipv4(const char *host)
{
    int parts = 0;
    while (parts < 4) {
        int value = 0, digits = 0;
        if (*host == '0' && is_digit((unsigned char)host[1])) {
            return 0;
        }
        while (is_digit((unsigned char)*host)) {
            value = value * 10 + (*host++ - '0');
            if (++digits > 3 || value > 255) {
                return 0;
            }
        }
        if (digits == 0) {
            return 0;
        }
        parts++;
        if (*host == '\0') {
            break;
        }
        if (*host++ != '.') {
            return 0;
        }
    }
    return parts == 4 && *host == '\0';
}

/* Serializes an IPv6 address the way the URL standard (and so a browser's
 * Origin header) does: lowercase hex, no leading zeros, the first longest
 * run of two or more zero pieces compressed to "::". */
static void ipv6_serialize(const unsigned char a[16], char *out)
{
    unsigned int piece[8];
    int i, best = -1, best_len = 1, run = -1, run_len = 0;

    for (i = 0; i < 8; i++) {
        piece[i] = (unsigned int)(a[2 * i] << 8 | a[2 * i + 1]);
        if (piece[i] == 0) {
            if (run < 0) {
                run = i;
                run_len = 0;
            }
            if (++run_len > best_len) {
                best = run;
                best_len = run_len;
            }
        }
        else {
            run = -1;
        }
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            out += sprintf(out, i == 0 ? "::" : ":");
            i += best_len - 1;
            continue;
        }
        out += sprintf(out, "%x%s", piece[i], i < 7 ? ":" : "");
    }
    *out = '\0';
}

static const char *check_ipv6(apr_pool_t *p, const char *value,
                              const char *literal)
{
    unsigned char addr[16];
    char canon[48];

    if (inet_pton(AF_INET6, literal, addr) != 1) {
        return apr_psprintf(p, "'%s' has an invalid IPv6 address", value);
    }
    ipv6_serialize(addr, canon);
    if (strcmp(canon, literal) != 0) {
        return apr_psprintf(p, "'%s' has an IPv6 address in a form browsers "
                            "never send; write it as [%s]", value, canon);
    }
    return NULL;
}

/* Is label (n bytes after its "xn--") valid Punycode (RFC 3492) that
 * decodes to a name with a character beyond ASCII, as an A-label must?
 * Browsers send such hosts as they are; one that no IDN can have is a
 * typo that no Origin will ever match. */
static int is_punycode(const char *label, size_t n)
{
    enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700,
           INITIAL_BIAS = 72, INITIAL_N = 128, MAX_OUT = 63 };
    const char *delim = NULL, *c;
    apr_uint32_t code = INITIAL_N, bias = INITIAL_BIAS, i = 0, out = 0;
    int wide = 0;

    for (c = label; c < label + n; c++) {
        if (*c == '-') {
            delim = c;
        }
    }
    out = delim ? (apr_uint32_t)(delim - label) : 0;
    for (c = delim ? delim + 1 : label; c < label + n;) {
        apr_uint32_t old = i, w = 1, k, t, d, delta;
        for (k = BASE;; k += BASE) {
            if (c >= label + n) {
                return 0;               /* cut inside a number */
            }
            d = is_digit((unsigned char)*c) ? (apr_uint32_t)(*c - '0' + 26)
                : (*c >= 'a' && *c <= 'z') ? (apr_uint32_t)(*c - 'a')
                : (*c >= 'A' && *c <= 'Z') ? (apr_uint32_t)(*c - 'A') : BASE;
            c++;
            if (d >= BASE || d > (0xffffffffu - i) / w) {
                return 0;
            }
            i += d * w;
            t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
            if (d < t) {
                break;
            }
            if (w > 0xffffffffu / (BASE - t)) {
                return 0;
            }
            w *= BASE - t;
        }
        /* adapt the bias */
        delta = old == 0 ? (i - old) / DAMP : (i - old) / 2;
        delta += delta / (out + 1);
        for (k = 0; delta > ((BASE - TMIN) * TMAX) / 2; k += BASE) {
            delta /= BASE - TMIN;
        }
        bias = k + (BASE - TMIN + 1) * delta / (delta + SKEW);
        if (i / (out + 1) > 0x10ffff - code) {
            return 0;
        }
        code += i / (out + 1);
        i %= out + 1;
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
            || ++out > MAX_OUT) {
            return 0;
        }
        wide = 1;
        i++;
    }
    return wide;
}

static const char *check_dns_name(apr_pool_t *p, const char *value,
                                  const char *host)
{
    const char *c, *label = host;

    if (strlen(host) > 253) {
        return apr_psprintf(p, "'%s' has a host name over 253 characters",
                            value);
    }
    for (c = host;; c++) {
        if (*c == '.' || *c == '\0') {
            if (c == label) {
                return apr_psprintf(p, "'%s' has an empty label in its host%s",
                                    value, *c ? "" : " (trailing dot)");
            }
            if (c - label > 63) {
                return apr_psprintf(p, "'%s' has a host label over 63 "
                                    "characters", value);
            }
            if (c - label >= 4 && strncasecmp(label, "xn--", 4) == 0
                && !is_punycode(label + 4, (size_t)(c - label - 4))) {
                return apr_psprintf(p, "'%s' has a host label '%s' that is "
                                    "not valid Punycode (an xn-- label must "
                                    "encode an international name)", value,
                                    apr_pstrmemdup(p, label,
                                                   (size_t)(c - label)));
            }
            if (*c == '\0') {
                return NULL;
            }
            label = c + 1;
        }
        else if ((unsigned char)*c >= 0x80) {
            return apr_psprintf(p, "'%s' has a non-ASCII host; write its "
                                "punycode form (xn--...)", value);
        }
        else if (*c == '*') {
            return apr_psprintf(p, "'%s': '*' can only stand as the whole "
                                "leftmost label, as in https://*.example.com",
                                value);
        }
        else if (!is_host_char((unsigned char)*c)) {
            return apr_psprintf(p, "'%s' has the character '%c' in its host",
                                value, *c);
        }
    }
}

/* Is host a public suffix (ICANN or private, "*.corp" on an intranet is
 * not)?  libpsl's lookup costs some 4,000 instructions a host, and a
 * policy in .htaccess is compiled again for every request with the same
 * few patterns, so each thread remembers the last PSL_MEMO hosts it
 * looked up.  The built-in list never changes while the process runs,
 * so a remembered verdict never goes stale. */
#define PSL_MEMO 8

static int is_public_suffix(const char *host)
{
    static _Thread_local struct {
        char host[254];
        int verdict;
    } memo[PSL_MEMO];
    static _Thread_local unsigned int next;
    size_t len = strlen(host);
    int i, verdict;

    if (len == 0 || len >= sizeof(memo[0].host)) {    /* not remembered */
        return psl_is_public_suffix2(psl_builtin(), host,
                                     PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
    }
    for (i = 0; i < PSL_MEMO; i++) {
        if (memcmp(memo[i].host, host, len + 1) == 0) {
            return memo[i].verdict;
        }
    }
    verdict = psl_is_public_suffix2(psl_builtin(), host,
                                    PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
    i = (int)(next++ % PSL_MEMO);
    memcpy(memo[i].host, host, len + 1);
    memo[i].verdict = verdict;
    return verdict;
}

static const char *check_host(apr_pool_t *p, const char *value,
                              origin_parts *o)
{
    const char *err;

    if (o->host[0] == '[') {
        size_t n = strlen(o->host);
        if (o->subdomains || n < 3 || o->host[n - 1] != ']') {
            return apr_psprintf(p, "'%s' has an invalid IPv6 host", value);
        }
        return check_ipv6(p, value, apr_pstrmemdup(p, o->host + 1, n - 2));
    }
    if ((err = check_dns_name(p, value, o->host)) != NULL) {
        return err;
    }
    if (ends_in_number(o->host)) {
        if (o->subdomains) {
            return apr_psprintf(p, "'%s': a subdomain pattern needs a domain "
                                "name, not an IP address", value);
        }
        if (!is_canonical_ipv4(o->host)) {
            return apr_psprintf(p, "'%s' has an IPv4 address in a form "
                                "browsers never send; write it as four "
                                "decimal numbers (e.g. 127.0.0.1)", value);
        }
    }
    /* A subdomain has a label and a dot more than the pattern's host. */
    if (o->subdomains && strlen(o->host) > 253 - 2) {
        return apr_psprintf(p, "'%s': no host under '%s' can be a DNS name "
                            "(at most 253 characters)", value, o->host);
    }
    /* Only suffixes the list names: "*.corp" on an intranet is fine. */
    if (o->subdomains) {
        if (is_public_suffix(o->host)) {
            return apr_psprintf(p, "'%s' would allow every site under the "
                                "public suffix '%s'", value, o->host);
        }
    }
    return NULL;
}

static const char *check_port(apr_pool_t *p, const char *value,
                              origin_parts *o, const char *port)
{
    const char *c;

    if (strcmp(port, "*") == 0) {
        o->port_any = 1;
        return NULL;
    }
    for (c = port; is_digit((unsigned char)*c); c++) {
    }
    if (*port == '\0' || *c != '\0' || c - port > 5 || port[0] == '0'
        || atoi(port) > 65535) {
        return apr_psprintf(p, "'%s' has an invalid port '%s' (1 to 65535, "
                            "no leading zeros, or '*')", value, port);
    }
    /* Browsers never send a default port: keep the form they send. */
    if (default_port(o->scheme) && strcmp(default_port(o->scheme), port) == 0) {
        return NULL;
    }
    o->port = port;
    return NULL;
}

static const char *parse_origin(apr_pool_t *p, const char *value,
                                origin_parts *o)
{
    const char *sep = strstr(value, "://");
    const char *c, *rest, *colon;
    char *scheme, *host, *s;

    memset(o, 0, sizeof(*o));
    if (sep == NULL || sep == value) {
        return apr_psprintf(p, "'%s' is not an origin: write "
                            "scheme://host[:port], '*' or 'null'", value);
    }
    scheme = apr_pstrmemdup(p, value, (apr_size_t)(sep - value));
    for (s = scheme; *s; s++) {
        *s = (char)to_lower((unsigned char)*s);
        if (!is_scheme_char((unsigned char)*s)) {
            return apr_psprintf(p, "'%s' has an invalid scheme", value);
        }
    }
    if (!is_lower((unsigned char)scheme[0])) {
        return apr_psprintf(p, "'%s' has an invalid scheme", value);
    }
    if (strcmp(scheme, "file") == 0) {
        return apr_psprintf(p, "'%s': file: pages send the origin 'null'; "
                            "list 'null' if you mean them", value);
    }
    o->scheme = scheme;
    rest = sep + 3;
    for (c = rest; *c; c++) {
        if (*c == '/' || *c == '?' || *c == '#') {
            return apr_psprintf(p, "'%s' has a %s; an origin is only "
                                "scheme://host[:port]", value,
                                *c == '/' ? "path" : *c == '?' ? "query"
                                                                : "fragment");
        }
        if (*c == '@') {
            return apr_psprintf(p, "'%s' has userinfo ('...@'); an origin is "
                                "only scheme://host[:port]", value);
        }
        if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
            return apr_psprintf(p, "'%s' has a space or control character",
                                value);
        }
    }
    /* An IPv6 literal holds colons: the port separator follows its ']'. */
    if (rest[0] == '[') {
        const char *end = strchr(rest, ']');
        colon = end ? strchr(end, ':') : NULL;
    }
    else {
        colon = strchr(rest, ':');
    }
    host = colon ? apr_pstrmemdup(p, rest, (apr_size_t)(colon - rest))
                 : apr_pstrdup(p, rest);
    for (s = host; *s; s++) {
        *s = (char)to_lower((unsigned char)*s);
    }
    if (host[0] == '*' && host[1] == '.') {
        o->subdomains = 1;
        host += 2;
    }
    if (*host == '\0' || strcmp(host, "*") == 0) {
        return apr_psprintf(p, "'%s' has no host%s", value,
                            *host ? " ('*' alone would allow every site; "
                                    "use CORSAllowOrigin *)" : "");
    }
    o->host = host;
    if (colon) {
        const char *err = check_port(p, value, o, colon + 1);
        if (err) {
            return err;
        }
    }
    return check_host(p, value, o);
}

/* The key of parsed parts: the normalized origin or pattern,
 * scheme "://" ["*."] host [":" port | ":*"], in one allocation. */
static const char *origin_key(apr_pool_t *p, const origin_parts *o)
{
    const char *parts[5];
    size_t lens[5], len = 0;
    char *key, *c;
    int i, n = 0;

    parts[n++] = o->scheme;
    parts[n++] = o->subdomains ? "://*." : "://";
    parts[n++] = o->host;
    if (o->port_any || o->port) {
        parts[n++] = ":";
        parts[n++] = o->port_any ? "*" : o->port;
    }
    for (i = 0; i < n; i++) {
        len += lens[i] = strlen(parts[i]);
    }
    c = key = apr_palloc(p, len + 1);
    for (i = 0; i < n; i++) {
        memcpy(c, parts[i], lens[i]);
        c += lens[i];
    }
    *c = '\0';
    return key;
}

/* host: len bytes, "[...]" for IPv6. */
static int is_loopback_host(const char *host, size_t len)
{
    return (len == 9 && memcmp(host, "localhost", 9) == 0)
           || (len == 9 && memcmp(host, "127.0.0.1", 9) == 0)
           || (len == 5 && memcmp(host, "[::1]", 5) == 0);
}

cors_origins *cors_origins_make(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(cors_origins));
}

const char *cors_origin_normalize(apr_pool_t *p, const char *value,
                                  const char **normalized)
{
    origin_parts o;
    const char *err;

    if (strcmp(value, "*") == 0 || apr_cstr_casecmp(value, "null") == 0) {
        *normalized = strcmp(value, "*") == 0 ? "*" : "null";
        return NULL;
    }
    if ((err = parse_origin(p, value, &o)) != NULL) {
        return err;
    }
    *normalized = origin_key(p, &o);
    return NULL;
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
 * insecure unless its host is loopback (a pattern's never is).  The key is
 * kept, not copied. */
static APR_INLINE void add_key(cors_origins *set, apr_pool_t *p,
                               const char *key, int http, const char *host,
                               size_t hostlen, int subdomains, int port_any)
{
    set_push(subdomains || port_any ? &set->patterns : &set->exact, p, key,
             key, strlen(key));
    set->shape.port_any |= port_any;
    if (subdomains) {
        set->shape.subdomains = 1;
        add_suffix_length(&set->shape, hostlen);
    }
    if (!set->insecure && http
        && (subdomains || !is_loopback_host(host, hostlen))) {
        set->insecure = key;
    }
}

static void split_origin(const char *origin, size_t *host_start,
                         size_t *host_end);

/* A valid serialized origin is what parse_origin() would make of it, so
 * it is its own key: it needs neither the parser's normalization nor its
 * diagnostics (file: aside: parse_origin() refuses it). */
int cors_origin_is_own_key(const char *value)
{
    /* A valid origin has at least five bytes ("a://b"); an xn-- label
     * goes to the parser, which checks its Punycode. */
    return cors_origin_is_valid(value) && memcmp(value, "file:", 5) != 0
           && strcmp(value, "null") != 0 && strstr(value, "xn--") == NULL;
}

static int add_serialized(cors_origins *set, apr_pool_t *p,
                          const char *value)
{
    size_t hs = 0, he = 0;
    int http;

    if (!cors_origin_is_own_key(value)) {
        return 0;
    }
    if ((http = memcmp(value, "http:", 5) == 0)) {
        split_origin(value, &hs, &he);
    }
    add_key(set, p, value, http, value + hs, he - hs, 0, 0);
    return 1;
}

static const char *skip_scheme(const char *origin);
static int is_serialized_host(const char *s, const char **end);

/* So is a subdomain pattern "scheme:// *.host" (no port; without the
 * space) whose host is written as browsers send one, if it is a domain
 * name and not a public suffix: parse_origin() would make the same key of
 * it.  Any other pattern, and these when refused, go to the parser for
 * its message. */
static int add_serialized_pattern(cors_origins *set, apr_pool_t *p,
                                  const char *value)
{
    const char *host = skip_scheme(value), *end;

    if (host == NULL || host[0] != '*' || host[1] != '.'
        || memcmp(value, "file:", 5) == 0 || strstr(value, "xn--")
        || !is_serialized_host(host + 2, &end) || *end != '\0'
        || end - (host + 2) > 253 - 2
        || ends_in_number(host + 2) || is_public_suffix(host + 2)) {
        return 0;
    }
    add_key(set, p, value, memcmp(value, "http:", 5) == 0, host + 2,
            strlen(host + 2), 1, 0);
    return 1;
}

const char *cors_origins_add(cors_origins *set, apr_pool_t *p,
                             const char *value)
{
    origin_parts o;
    const char *err, *key;

    if (strcmp(value, "*") == 0) {
        set->any = 1;
        return NULL;
    }
    if (apr_cstr_casecmp(value, "null") == 0) {
        set->null = 1;
        return NULL;
    }
    if (add_serialized(set, p, value)
        || add_serialized_pattern(set, p, value)) {
        return NULL;
    }
    if ((err = parse_origin(p, value, &o)) != NULL) {
        return err;
    }
    key = origin_key(p, &o);
    add_key(set, p, key, strcmp(o.scheme, "http") == 0, o.host,
            strlen(o.host), o.subdomains, o.port_any);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Request-side origins
 */

/* Splits a valid origin: the host runs from *host_start to *host_end, and
 * the port part (":" digits, or empty) from *host_end to the end. */
static void split_origin(const char *origin, size_t *host_start,
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

/* Is the "[...]" at s an IPv6 literal as browsers serialize it?  *end is
 * set past the "]". */
static int is_canonical_ipv6_literal(const char *s, const char **end)
{
    const char *close = strchr(s, ']');
    unsigned char addr[16];
    char literal[48], canon[48];
    size_t n;

    if (close == NULL || (n = (size_t)(close - s - 1)) == 0
        || n >= sizeof(literal)) {
        return 0;
    }
    memcpy(literal, s + 1, n);
    literal[n] = '\0';
    if (inet_pton(AF_INET6, literal, addr) != 1) {
        return 0;
    }
    ipv6_serialize(addr, canon);
    *end = close + 1;
    return strcmp(canon, literal) == 0;
}

/* Past the "://" of a lowercase scheme as browsers serialize it, or
 * NULL. */
static const char *skip_scheme(const char *origin)
{
    const char *c = origin;

    if (!is_lower((unsigned char)*c)) {
        return NULL;
    }
    while (is_scheme_char((unsigned char)*c)) {
        c++;
    }
    if (c[0] != ':' || c[1] != '/' || c[2] != '/') {
        return NULL;
    }
    return c + 3;
}

/* Is the host at s (up to ':' or the end) lowercase DNS labels of 1-63
 * characters, at most 253 in all, or a canonical IPv4 address?  *end is
 * set past the host. */
static int is_serialized_host(const char *s, const char **end)
{
    const char *c = s, *last = s;
    char host[254];
    size_t n;

    for (;;) {
        const char *label = c;
        while (is_host_char((unsigned char)*c)) {
            c++;
        }
        if (c == label || c - label > 63) {
            return 0;
        }
        last = label;
        if (*c != '.') {
            break;
        }
        c++;
    }
    if ((n = (size_t)(c - s)) > 253) {
        return 0;
    }
    *end = c;
    if (!is_digit((unsigned char)*last)) {
        return 1;       /* cannot end in a number: not an IPv4 address */
    }
    memcpy(host, s, n);
    host[n] = '\0';
    return !ends_in_number(host) || is_canonical_ipv4(host);
}

int cors_origin_is_valid(const char *origin)
{
    const char *c = origin, *scheme_end, *port;
    size_t len;

    if (origin[0] == 'n' && strcmp(origin, "null") == 0) {
        return 1;
    }
    len = strlen(origin);
    if (len > CORS_ORIGIN_MAX || (c = skip_scheme(origin)) == NULL) {
        return 0;
    }
    scheme_end = c - 3;
    if (*c == '[') {
        if (!is_canonical_ipv6_literal(c, &c)) {
            return 0;
        }
    }
    else if (!is_serialized_host(c, &c)) {
        return 0;
    }
    if (*c == '\0') {
        return 1;
    }
    if (*c++ != ':' || *c == '0') {
        return 0;
    }
    port = c;
    while (is_digit((unsigned char)*c)) {
        c++;
    }
    if (*c != '\0' || c == port || c - port > 5 || atoi(port) > 65535) {
        return 0;
    }
    /* A default port written out is not how a browser serializes. */
    if ((scheme_end - origin == 5 && strncmp(origin, "https", 5) == 0
         && strcmp(port, "443") == 0)
        || (scheme_end - origin == 4 && strncmp(origin, "http", 4) == 0
            && strcmp(port, "80") == 0)) {
        return 0;
    }
    return 1;
}

static int has_pattern(const void *data, const char *key, size_t len)
{
    return set_find(&((const cors_origins *)data)->patterns, key, len)
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
    split_origin(origin, &hs, &he);
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
    if (set_find(&set->exact, origin, strlen(origin))) {
        return CORS_ORIGIN_MATCH;
    }
    if (!cors_origin_is_valid(origin)) {
        return CORS_ORIGIN_INVALID;
    }
    return match_patterns(set, origin) ? CORS_ORIGIN_MATCH
                                       : CORS_ORIGIN_NO_MATCH;
}

/* ------------------------------------------------------------------------
 * Method and header-name lists
 */

cors_list *cors_list_make(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(cors_list));
}

/* head (or nothing), then ", " and the written form of each name: the
 * response header value, built in one allocation. */
static const char *join_names(apr_pool_t *p, const char *head,
                              const cors_name *names, int n)
{
    size_t head_len = head ? strlen(head) : 0, len = head_len;
    char *value, *c;
    int i;

    for (i = 0; i < n; i++) {
        len += 2 + names[i].len;
    }
    if (len == head_len) {
        return head;
    }
    c = value = apr_palloc(p, len + 1);
    if (head_len) {
        memcpy(c, head, head_len);
        c += head_len;
    }
    for (i = 0; i < n; i++) {
        if (c != value) {
            memcpy(c, ", ", 2);
            c += 2;
        }
        memcpy(c, names[i].written, names[i].len);
        c += names[i].len;
    }
    *c = '\0';
    return value;
}

static void list_join(cors_list *list, apr_pool_t *p)
{
    const apr_array_header_t *a = list->names.names;

    list->value = a ? join_names(p, NULL, (const cors_name *)a->elts,
                                 a->nelts)
                    : NULL;
}

/* "*" as a whole list: alone on the line, and never mixed across lines. */
static const char *check_star_alone(cors_list *list, apr_pool_t *p, int argc,
                                    char *const argv[])
{
    int i, star = 0;
    for (i = 0; i < argc; i++) {
        star |= strcmp(argv[i], "*") == 0;
    }
    if (star && (argc > 1 || cors_set_count(&list->names) > 0)) {
        return "'*' must stand alone";
    }
    if (!star && list->any) {
        return apr_psprintf(p, "'%s' cannot be added to '*'", argv[0]);
    }
    list->any |= star;
    return NULL;
}

/* Is s upper (an uppercase name), ignoring case? */
static int is_nocase(const char *s, const char *upper)
{
    for (; *upper; s++, upper++) {
        if (*s != *upper && !(is_lower((unsigned char)*s)
                              && *s - ('a' - 'A') == *upper)) {
            return 0;
        }
    }
    return *s == '\0';
}

static const char *const fetch_methods[] = {
    "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", NULL
};

static const char *const forbidden_methods[] = {
    "CONNECT", "TRACE", "TRACK", NULL
};

/* The entry of names (uppercase) that s is, ignoring case, or NULL. */
static const char *find_nocase(const char *const *names, const char *s)
{
    for (; *names; names++) {
        if (is_nocase(s, *names)) {
            return *names;
        }
    }
    return NULL;
}

const char *cors_method_fetch_name(const char *method)
{
    return find_nocase(fetch_methods, method);
}

const char *cors_list_add_methods(cors_list *list, apr_pool_t *p, int argc,
                                  char *const argv[], const char **warning)
{
    const char *err;
    int i;

    *warning = NULL;
    if ((err = check_star_alone(list, p, argc, argv)) != NULL || list->any) {
        list->value = list->any ? "*" : list->value;
        return err;
    }
    for (i = 0; i < argc; i++) {
        const char *m = argv[i], *fetch;
        if (!cors_is_token(m)) {
            return apr_psprintf(p, "'%s' is not a method name", m);
        }
        if (find_nocase(forbidden_methods, m)) {
            return apr_psprintf(p, "'%s' is a forbidden method: browsers "
                                "never send it", m);
        }
        /* Browsers uppercase only these six; every other name is sent
         * byte for byte as the page wrote it. */
        if ((fetch = cors_method_fetch_name(m)) != NULL) {
            m = fetch;
        }
        else if (!*warning) {
            char *upper = apr_pstrdup(p, m), *c;
            for (c = upper; *c; c++) {
                *c = is_lower((unsigned char)*c) ? (char)(*c - 32) : *c;
            }
            if (strcmp(upper, m) != 0) {
                *warning = apr_psprintf(p, "method '%s' is kept as written "
                                        "(methods are case-sensitive and "
                                        "browsers do not uppercase it); did "
                                        "you mean '%s'?", m, upper);
            }
        }
        set_add(&list->names, p, m, m, strlen(m));
    }
    list_join(list, p);
    return NULL;
}

/* Fetch's forbidden request-header names, which a page cannot set. */
static const char *const forbidden_request[] = {
    "accept-charset", "accept-encoding", "connection", "content-length",
    "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
    "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding",
    "upgrade", "via", NULL
};

/* s, or a lowercased copy of it when it has an uppercase letter. */
static const char *lowercase(apr_pool_t *p, const char *s, size_t len)
{
    char *l;
    size_t i;

    for (i = 0; i < len && !is_upper((unsigned char)s[i]); i++) {
    }
    if (i == len) {
        return s;
    }
    l = apr_pstrmemdup(p, s, len);
    for (; i < len; i++) {
        l[i] = (char)to_lower((unsigned char)l[i]);
    }
    return l;
}

/* Does s start with prefix (n bytes)?  Most names differ at once. */
static int has_prefix(const char *s, const char *prefix, size_t n)
{
    return s[0] == prefix[0] && strncmp(s, prefix, n) == 0;
}

/* names and name are both lowercase. */
static int in_list(const char *const *names, const char *name)
{
    for (; *names; names++) {
        if ((*names)[0] == name[0] && strcmp(*names, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The safelisted names the list lacks follow its value. */
static void build_safelisted_value(cors_list *list, apr_pool_t *p)
{
    cors_name missing[N_SAFELISTED];
    int i, count = 0;

    for (i = 0; i < N_SAFELISTED; i++) {
        if (!cors_set_find(&list->names, safelisted[i].key,
                           safelisted[i].len)) {
            missing[count++] = safelisted[i];
        }
    }
    list->value_safelisted = join_names(p, list->value, missing, count);
}

const char *cors_list_add_allow_headers(cors_list *list, apr_pool_t *p,
                                        int argc, char *const argv[])
{
    int i;

    for (i = 0; i < argc; i++) {
        const char *h = argv[i], *key;
        size_t len;
        if (strcmp(h, "*") == 0) {
            list->any = 1;
            continue;
        }
        if (!cors_is_token(h)) {
            return apr_psprintf(p, "'%s' is not a header name", h);
        }
        len = strlen(h);
        key = lowercase(p, h, len);
        if (in_list(forbidden_request, key) || has_prefix(key, "sec-", 4)
            || has_prefix(key, "proxy-", 6)) {
            return apr_psprintf(p, "'%s' is a forbidden request header: "
                                "browsers never let a page send it", h);
        }
        if (cors_is_protocol_header(key)) {
            return apr_psprintf(p, "'%s' is a CORS protocol header, not a "
                                "request header a page sends", h);
        }
        if (strcmp(key, "authorization") == 0) {
            list->authorization = 1;
        }
        set_add(&list->names, p, key, h, len);
    }
    if (list->any) {
        /* "*" covers every name but Authorization (Fetch). */
        list->value = list->authorization ? "*, Authorization" : "*";
        list->value_safelisted = list->value;
        return NULL;
    }
    list_join(list, p);
    build_safelisted_value(list, p);
    return NULL;
}

const char *cors_list_add_expose_headers(cors_list *list, apr_pool_t *p,
                                         int argc, char *const argv[])
{
    const char *err;
    int i;

    if ((err = check_star_alone(list, p, argc, argv)) != NULL || list->any) {
        list->value = list->any ? "*" : list->value;
        return err;
    }
    for (i = 0; i < argc; i++) {
        const char *h = argv[i];
        size_t len;
        if (!cors_is_token(h)) {
            return apr_psprintf(p, "'%s' is not a header name", h);
        }
        if (apr_cstr_casecmp(h, "set-cookie") == 0
            || apr_cstr_casecmp(h, "set-cookie2") == 0) {
            return apr_psprintf(p, "'%s' can never be exposed to a page", h);
        }
        if (cors_is_protocol_header(h)) {
            return apr_psprintf(p, "'%s' is a CORS protocol header, not one "
                                "to expose", h);
        }
        len = strlen(h);
        set_add(&list->names, p, lowercase(p, h, len), h, len);
    }
    list_join(list, p);
    return NULL;
}

int cors_method_allowed(const cors_list *list, int credentials,
                        const char *method)
{
    /* A listed method is a token (the directive checks), and a preflight
     * asks for one the policy lists: most end at this lookup. */
    if (list && set_find(&list->names, method, strlen(method))) {
        return 1;
    }
    if (!cors_is_token(method)) {
        return 0;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
        || strcmp(method, "POST") == 0) {
        return 1;
    }
    /* "*" stands alone: its set is empty. */
    return list && list->any && !credentials;
}

static int is_ows(int c) { return c == ' ' || c == '\t'; }

/* Inline in the Access-Control-Request-Headers loop, which runs it once
 * for each name. */
static APR_INLINE const char *list_next(const char **cursor, size_t *len)
{
    const char *c = *cursor, *start, *end;

    if (c == NULL) {
        return NULL;
    }
    while (is_ows((unsigned char)*c) || *c == ',') {
        c++;
    }
    if (*c == '\0') {
        *cursor = c;
        return NULL;
    }
    start = c;
    end = strchr(c, ',');
    c = end ? end : c + strlen(c);
    end = c;
    while (end > start && is_ows((unsigned char)end[-1])) {
        end--;
    }
    *cursor = c;
    *len = (size_t)(end - start);
    return start;
}

const char *cors_list_next(const char **cursor, size_t *len)
{
    return list_next(cursor, len);
}

int cors_list_has(const char *list, const char *name, size_t len)
{
    const char *element;
    size_t n;

    while ((element = cors_list_next(&list, &n)) != NULL) {
        if (n == len && apr_cstr_casecmpn(element, name, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static cors_acrh_result report_bad(cors_acrh_result result, const char **bad,
                                   size_t *badlen, const char *s, size_t n)
{
    *bad = s;
    *badlen = n;
    return result;
}

cors_acrh_result cors_request_headers_check(const cors_list *list,
                                            int credentials, const char *acrh,
                                            int *safelisted, const char **bad,
                                            size_t *badlen)
{
    const char *start;
    size_t n;
    int names = 0;

    *safelisted = 0;
    if (acrh == NULL) {
        return CORS_ACRH_OK;
    }
    if (strlen(acrh) > CORS_ACRH_MAX_BYTES) {
        return CORS_ACRH_TOO_LONG;
    }
    while ((start = list_next(&acrh, &n)) != NULL) {
        if (++names > CORS_ACRH_MAX_NAMES) {
            return CORS_ACRH_TOO_LONG;
        }
        /* A listed name is a token (the directive checks): only the
         * others need the check. */
        if (list && set_find_any_case(&list->names, start, n)) {
            continue;
        }
        if (!is_token_n(start, n)) {
            return report_bad(CORS_ACRH_MALFORMED, bad, badlen, start, n);
        }
        if (list && list->any && !credentials
            && !(n == 13 && same_name("authorization", start, n))) {
            continue;
        }
        if (is_safelisted(start, n)) {
            *safelisted = 1;
            continue;
        }
        return report_bad(CORS_ACRH_DENIED, bad, badlen, start, n);
    }
    return CORS_ACRH_OK;
}
