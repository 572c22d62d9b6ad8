/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_origin.c -- the origin grammar (see cors_origin.h): one function
 * for each rule, which the request side (cors_origin_is_valid(), tuned:
 * it runs for every Origin not listed exactly) and the configured side
 * (cors_origin_parse(), with a message for each mistake) both call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <libpsl.h>

#include "apr_cstr.h"
#include "apr_strings.h"

#include "cors_chars.h"
#include "cors_origin.h"

/* ------------------------------------------------------------------------
 * Rules shared by both sides
 */

const char *cors_default_port(const char *scheme, size_t len)
{
    if (len == 5 && memcmp(scheme, "https", 5) == 0) {
        return "443";
    }
    if (len == 4 && memcmp(scheme, "http", 4) == 0) {
        return "80";
    }
    return NULL;
}

/* The length of the scheme at s: a lowercase letter, then letters, digits,
 * '+', '-' and '.' (lowercase: as browsers send it); 0 when s does not
 * start with one. */
static APR_INLINE size_t scheme_length(const char *s)
{
    const char *c = s;

    if (!cors_is_lower((unsigned char)*c)) {
        return 0;
    }
    while (cors_is_scheme_char((unsigned char)*c)) {
        c++;
    }
    return (size_t)(c - s);
}

/* Is port (the rest of the string) 1 to 65535 without leading zeros? */
static int is_port(const char *port)
{
    const char *c = port;

    if (*c == '0') {
        return 0;
    }
    while (cors_is_digit((unsigned char)*c)) {
        c++;
    }
    return *c == '\0' && c != port && c - port <= 5 && atoi(port) <= 65535;
}

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
            if (!cors_is_hex((unsigned char)*last)) {
                return 0;
            }
        }
        return 1;
    }
    for (; *last; last++) {
        if (!cors_is_digit((unsigned char)*last)) {
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
        if (*host == '0' && cors_is_digit((unsigned char)host[1])) {
            return 0;
        }
        while (cors_is_digit((unsigned char)*host)) {
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
            d = cors_is_digit((unsigned char)*c) ? (apr_uint32_t)(*c - '0' + 26)
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

typedef enum {
    IPV6_INVALID,
    IPV6_OTHER_FORM,            /* an address, not as browsers write it */
    IPV6_CANONICAL
} ipv6_form;

/* literal: n bytes between "[" and "]"; canon gets the browsers' form. */
static ipv6_form ipv6_literal(const char *literal, size_t n, char canon[48])
{
    unsigned char addr[16];
    char copy[48];

    if (n == 0 || n >= sizeof(copy)) {
        return IPV6_INVALID;
    }
    memcpy(copy, literal, n);
    copy[n] = '\0';
    if (inet_pton(AF_INET6, copy, addr) != 1) {
        return IPV6_INVALID;
    }
    ipv6_serialize(addr, canon);
    return strcmp(canon, copy) == 0 ? IPV6_CANONICAL : IPV6_OTHER_FORM;
}

/* What scan_labels() found wrong with a DNS name. */
typedef enum {
    HOST_OK,            /* up to *end: '\0' or the stop byte */
    HOST_BAD_CHAR,      /* *end: a byte no host has */
    HOST_EMPTY_LABEL,
    HOST_LONG_LABEL,    /* over 63 bytes */
    HOST_BAD_PUNYCODE,  /* an xn-- label that encodes no IDN */
    HOST_LONG_NAME      /* over 253 bytes */
} host_scan;

/* Reads the DNS labels at s (host characters joined by single dots) up
 * to '\0' or stop, and says what is wrong first, in the order of the
 * bytes; *label is the label read last.  punycode: check xn-- labels too
 * (the configured side; browsers send only valid ones).  Inline: with
 * constant arguments, the request side's loop is a few instructions a
 * byte. */
static APR_INLINE host_scan scan_labels(const char *s, int stop, int punycode,
                                        const char **end, const char **label)
{
    const char *c = s, *l;

    for (;;) {
        l = c;
        while (cors_is_host_char((unsigned char)*c)) {
            c++;
        }
        *end = c;
        *label = l;
        if (*c != '.' && *c != '\0' && *c != stop) {
            return HOST_BAD_CHAR;
        }
        if (c == l) {
            return HOST_EMPTY_LABEL;
        }
        if (c - l > 63) {
            return HOST_LONG_LABEL;
        }
        if (punycode && c - l >= 4 && strncasecmp(l, "xn--", 4) == 0
            && !is_punycode(l + 4, (size_t)(c - l - 4))) {
            return HOST_BAD_PUNYCODE;
        }
        if (*c != '.') {
            break;
        }
        c++;
    }
    return c - s > 253 ? HOST_LONG_NAME : HOST_OK;
}

/* What a subdomain pattern's host (after "*.") may not be. */
typedef enum {
    PATTERN_HOST_OK,
    PATTERN_HOST_IP,            /* an IPv4 address has no subdomains */
    PATTERN_HOST_TOO_LONG,      /* no subdomain of it fits in 253 bytes */
    PATTERN_HOST_PUBLIC_SUFFIX  /* it would allow every site under it */
} pattern_host;

static pattern_host check_pattern_host(const char *host, size_t len)
{
    if (ends_in_number(host)) {
        return PATTERN_HOST_IP;
    }
    /* A subdomain has a label and a dot more than the pattern's host. */
    if (len > 253 - 2) {
        return PATTERN_HOST_TOO_LONG;
    }
    /* Only suffixes the list names: "*.corp" on an intranet is fine. */
    return is_public_suffix(host) ? PATTERN_HOST_PUBLIC_SUFFIX
                                  : PATTERN_HOST_OK;
}

/* Potentially trustworthy hosts (W3C Secure Contexts, which Fetch and the
 * browsers follow): "localhost" and every name under ".localhost" (which
 * resolve to loopback and never leave the machine, RFC 6761 and "let
 * localhost be localhost"), 127.0.0.0/8 and [::1].  Plain http to them is
 * as safe as https, so neither the insecure-origin warning nor the probe
 * of cors_probe.c counts them.  host is valid or at least lowercase. */
int cors_host_is_loopback(const char *host, size_t len)
{
    char ipv4[16];

    if ((len == 9 && memcmp(host, "localhost", 9) == 0)
        || (len > 10 && memcmp(host + len - 10, ".localhost", 10) == 0)
        || (len == 5 && memcmp(host, "[::1]", 5) == 0)) {
        return 1;
    }
    if (len < 9 || len >= sizeof(ipv4) || memcmp(host, "127.", 4) != 0) {
        return 0;
    }
    memcpy(ipv4, host, len);
    ipv4[len] = '\0';
    return is_canonical_ipv4(ipv4);
}

/* Neither fast path takes these: cors_origin_parse() refuses file: (such
 * pages send "null") and checks the Punycode of xn-- labels.  value has at
 * least five bytes ("a://b", or "null" and its NUL). */
static int needs_parser(const char *value)
{
    return memcmp(value, "file:", 5) == 0 || strstr(value, "xn--") != NULL;
}

/* ------------------------------------------------------------------------
 * Request side: the Origin header, as browsers serialize it
 */

/* Past the "://" of a lowercase scheme as browsers serialize it, or
 * NULL. */
static APR_INLINE const char *skip_scheme(const char *origin)
{
    const char *c = origin + scheme_length(origin);

    if (c == origin || c[0] != ':' || c[1] != '/' || c[2] != '/') {
        return NULL;
    }
    return c + 3;
}

/* Is the "[...]" at s an IPv6 literal as browsers serialize it?  *end is
 * set past the "]". */
static int is_canonical_ipv6_literal(const char *s, const char **end)
{
    const char *close = strchr(s, ']');
    char canon[48];

    if (close == NULL
        || ipv6_literal(s + 1, (size_t)(close - s - 1), canon)
           != IPV6_CANONICAL) {
        return 0;
    }
    *end = close + 1;
    return 1;
}

/* Is the host at s (up to ':' or the end) lowercase DNS labels of 1-63
 * characters, at most 253 in all, or a canonical IPv4 address?  *end is
 * set past the host. */
static int is_serialized_host(const char *s, const char **end)
{
    const char *last;
    char host[254];
    size_t n;

    if (scan_labels(s, ':', 0, end, &last) != HOST_OK) {
        return 0;
    }
    if (!cors_is_digit((unsigned char)*last)) {
        return 1;       /* cannot end in a number: not an IPv4 address */
    }
    n = (size_t)(*end - s);
    memcpy(host, s, n);
    host[n] = '\0';
    return !ends_in_number(host) || is_canonical_ipv4(host);
}

int cors_origin_is_valid(const char *origin)
{
    const char *c = origin, *host, *dflt;

    if (origin[0] == 'n' && strcmp(origin, "null") == 0) {
        return 1;
    }
    if (strlen(origin) > CORS_ORIGIN_MAX
        || (c = host = skip_scheme(origin)) == NULL) {
        return 0;
    }
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
    if (*c++ != ':' || !is_port(c)) {
        return 0;
    }
    /* A default port written out is not how a browser serializes. */
    dflt = cors_default_port(origin, (size_t)(host - 3 - origin));
    return dflt == NULL || strcmp(c, dflt) != 0;
}

/* A valid serialized origin is what cors_origin_parse() would make of it,
 * so it is its own key: it needs neither the parser's normalization nor
 * its diagnostics. */
int cors_origin_is_own_key(const char *value)
{
    return cors_origin_is_valid(value) && strcmp(value, "null") != 0
           && !needs_parser(value);
}

/* So is a subdomain pattern whose host is written as browsers send one,
 * if the pattern rules allow it: the parser would make the same key of
 * it.  Any other pattern, and these when refused, go to the parser for
 * its message. */
int cors_pattern_is_own_key(const char *value, const char **host)
{
    const char *h = skip_scheme(value), *end;

    if (h == NULL || h[0] != '*' || h[1] != '.' || needs_parser(value)
        || !is_serialized_host(h + 2, &end) || *end != '\0'
        || check_pattern_host(h + 2, (size_t)(end - (h + 2)))
           != PATTERN_HOST_OK) {
        return 0;
    }
    *host = h + 2;
    return 1;
}

/* ------------------------------------------------------------------------
 * Configured side: what an operator writes, normalized, with a message
 * for each mistake
 */

static const char *check_ipv6(apr_pool_t *p, const char *value,
                              const char *host)
{
    char canon[48];

    switch (ipv6_literal(host + 1, strlen(host) - 2, canon)) {
    case IPV6_CANONICAL:
        return NULL;
    case IPV6_OTHER_FORM:
        return apr_psprintf(p, "'%s' has an IPv6 address in a form browsers "
                            "never send; write it as [%s]", value, canon);
    default:
        return apr_psprintf(p, "'%s' has an invalid IPv6 address", value);
    }
}

static const char *bad_host_char(apr_pool_t *p, const char *value, char c)
{
    if ((unsigned char)c >= 0x80) {
        return apr_psprintf(p, "'%s' has a non-ASCII host; write its "
                            "punycode form (xn--...)", value);
    }
    if (c == '*') {
        return apr_psprintf(p, "'%s': '*' can only stand as the whole "
                            "leftmost label, as in https://*.example.com",
                            value);
    }
    return apr_psprintf(p, "'%s' has the character '%c' in its host", value,
                        c);
}

static const char *check_dns_name(apr_pool_t *p, const char *value,
                                  const char *host)
{
    const char *end, *label;

    if (strlen(host) > 253) {
        return apr_psprintf(p, "'%s' has a host name over 253 characters",
                            value);
    }
    switch (scan_labels(host, '\0', 1, &end, &label)) {
    case HOST_OK:
    case HOST_LONG_NAME:        /* measured above */
        return NULL;
    case HOST_BAD_CHAR:
        return bad_host_char(p, value, *end);
    case HOST_EMPTY_LABEL:
        return apr_psprintf(p, "'%s' has an empty label in its host%s",
                            value, *end ? "" : " (trailing dot)");
    case HOST_LONG_LABEL:
        return apr_psprintf(p, "'%s' has a host label over 63 characters",
                            value);
    case HOST_BAD_PUNYCODE:
    default:
        return apr_psprintf(p, "'%s' has a host label '%s' that is not "
                            "valid Punycode (an xn-- label must encode an "
                            "international name)", value,
                            apr_pstrmemdup(p, label, (size_t)(end - label)));
    }
}

static const char *check_host(apr_pool_t *p, const char *value,
                              const cors_origin_parts *o)
{
    const char *err;

    if (o->host[0] == '[') {
        size_t n = strlen(o->host);
        if (o->subdomains || n < 3 || o->host[n - 1] != ']') {
            return apr_psprintf(p, "'%s' has an invalid IPv6 host", value);
        }
        return check_ipv6(p, value, o->host);
    }
    if ((err = check_dns_name(p, value, o->host)) != NULL) {
        return err;
    }
    if (!o->subdomains) {
        if (ends_in_number(o->host) && !is_canonical_ipv4(o->host)) {
            return apr_psprintf(p, "'%s' has an IPv4 address in a form "
                                "browsers never send; write it as four "
                                "decimal numbers (e.g. 127.0.0.1)", value);
        }
        return NULL;
    }
    switch (check_pattern_host(o->host, strlen(o->host))) {
    case PATTERN_HOST_IP:
        return apr_psprintf(p, "'%s': a subdomain pattern needs a domain "
                            "name, not an IP address", value);
    case PATTERN_HOST_TOO_LONG:
        return apr_psprintf(p, "'%s': no host under '%s' can be a DNS name "
                            "(at most 253 characters)", value, o->host);
    case PATTERN_HOST_PUBLIC_SUFFIX:
        return apr_psprintf(p, "'%s' would allow every site under the "
                            "public suffix '%s'", value, o->host);
    default:
        return NULL;
    }
}

static const char *check_port(apr_pool_t *p, const char *value,
                              cors_origin_parts *o, const char *port)
{
    const char *dflt;

    if (strcmp(port, "*") == 0) {
        o->port_any = 1;
        return NULL;
    }
    if (!is_port(port)) {
        return apr_psprintf(p, "'%s' has an invalid port '%s' (1 to 65535, "
                            "no leading zeros, or '*')", value, port);
    }
    /* Browsers never send a default port: keep the form they send. */
    dflt = cors_default_port(o->scheme, strlen(o->scheme));
    if (dflt == NULL || strcmp(dflt, port) != 0) {
        o->port = port;
    }
    return NULL;
}

static const char *check_scheme(apr_pool_t *p, const char *value,
                                const char *scheme)
{
    if (scheme_length(scheme) != strlen(scheme)) {
        return apr_psprintf(p, "'%s' has an invalid scheme", value);
    }
    if (strcmp(scheme, "file") == 0) {
        return apr_psprintf(p, "'%s': file: pages send the origin 'null'; "
                            "list 'null' if you mean them", value);
    }
    return NULL;
}

/* An origin is scheme://host[:port] and nothing more. */
static const char *check_authority(apr_pool_t *p, const char *value,
                                   const char *rest)
{
    const char *c;

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
    return NULL;
}

static char *lowercase_copy(apr_pool_t *p, const char *s, size_t n)
{
    char *copy = apr_pstrmemdup(p, s, n), *c;

    for (c = copy; *c; c++) {
        *c = (char)cors_to_lower((unsigned char)*c);
    }
    return copy;
}

const char *cors_origin_parse(apr_pool_t *p, const char *value,
                              cors_origin_parts *o)
{
    const char *sep = strstr(value, "://");
    const char *rest, *colon, *err;
    char *host;

    memset(o, 0, sizeof(*o));
    if (sep == NULL || sep == value) {
        return apr_psprintf(p, "'%s' is not an origin: write "
                            "scheme://host[:port], '*' or 'null'", value);
    }
    o->scheme = lowercase_copy(p, value, (size_t)(sep - value));
    if ((err = check_scheme(p, value, o->scheme)) != NULL) {
        return err;
    }
    rest = sep + 3;
    if ((err = check_authority(p, value, rest)) != NULL) {
        return err;
    }
    /* An IPv6 literal holds colons: the port separator follows its ']'. */
    if (rest[0] == '[') {
        const char *end = strchr(rest, ']');
        colon = end ? strchr(end, ':') : NULL;
    }
    else {
        colon = strchr(rest, ':');
    }
    host = lowercase_copy(p, rest, colon ? (size_t)(colon - rest)
                                         : strlen(rest));
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
    if (colon && (err = check_port(p, value, o, colon + 1)) != NULL) {
        return err;
    }
    return check_host(p, value, o);
}

const char *cors_origin_key(apr_pool_t *p, const cors_origin_parts *o)
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

const char *cors_origin_normalize(apr_pool_t *p, const char *value,
                                  const char **normalized)
{
    cors_origin_parts o;
    const char *err;

    if (strcmp(value, "*") == 0 || apr_cstr_casecmp(value, "null") == 0) {
        *normalized = strcmp(value, "*") == 0 ? "*" : "null";
        return NULL;
    }
    if ((err = cors_origin_parse(p, value, &o)) != NULL) {
        return err;
    }
    *normalized = cors_origin_key(p, &o);
    return NULL;
}
