/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_logic.h -- the pure logic of mod_cors: origin parsing, normalization
 * and matching, method and header-name lists, and the parsing of
 * Access-Control-Request-Headers.
 *
 * Nothing here includes an httpd header: this code depends on APR, libc and
 * libpsl only, so unit tests and fuzzers link it without a server.
 *
 * Two halves:
 *  - config time: cors_origins_add(), cors_list_add_*() parse, validate and
 *    compile a directive's values into name sets and pre-joined header
 *    values, allocating from the pool they are given.  The values they are
 *    given are kept, not copied: they must live as long as that pool
 *    (httpd allocates directive arguments from it);
 *  - request time: cors_origin_*(), cors_method_allowed() and
 *    cors_request_headers_check() only read those structures, allocate
 *    nothing and are safe to call from any number of threads at once.
 */
#ifndef CORS_LOGIC_H
#define CORS_LOGIC_H

#include <stddef.h>

#include "apr_pools.h"
#include "apr_hash.h"
#include "apr_tables.h"

/* The longest Origin value that can be valid: scheme (64), "://", a DNS
 * name (253), ":" and a port (5).  Longer values are refused before any
 * other work. */
#define CORS_ORIGIN_MAX 326

/* Bounds on Access-Control-Request-Headers: more names or more bytes than
 * this fail the preflight, in time linear in the bytes looked at. */
#define CORS_ACRH_MAX_NAMES 64
#define CORS_ACRH_MAX_BYTES 4096

/* ------------------------------------------------------------------------
 * Name sets
 */

/* A set of names: origins, methods or header names.  Lists are short in
 * practice, and comparing a few strings costs less than hashing one (a
 * policy in .htaccess is compiled again for every request), so a set is
 * an array that is searched in order until it holds more than
 * CORS_SET_LINEAR_MAX names; from then on a hash finds them. */
#define CORS_SET_LINEAR_MAX 24

typedef struct {
    const char *key;            /* what a lookup compares */
    const char *written;        /* as configured: the response lists it */
    size_t len;                 /* of both: the same name in another case */
} cors_name;

typedef struct {
    /* Of cors_name, in the order configured; NULL: empty.  A method or
     * header list holds each name once; an origin listed twice is kept
     * twice (a lookup stops at the first, and checking every new origin
     * against all the others would cost more than the duplicate). */
    apr_array_header_t *names;
    apr_hash_t *index;          /* key -> written; NULL while small */
} cors_set;

/* The written form of key (len bytes), or NULL when the set lacks it. */
const char *cors_set_find(const cors_set *set, const char *key, size_t len);

/* How many names the set holds. */
int cors_set_count(const cors_set *set);

/* ------------------------------------------------------------------------
 * Origins
 */

/* A compiled CORSAllowOrigin set: exact origins, found by one lookup,
 * and patterns, each tried by a few lookups of keys made from the Origin:
 *   "https://app.example.com"      exact origin (default port dropped)
 *   "http://localhost:*"           any port, or none
 *   "https:// *.example.com"       any subdomain, default port
 *   "https:// *.example.com:8443"  any subdomain, that port
 *   "https:// *.example.com:*"     any subdomain, any port
 * (written here with a space after "//" only to keep C comments intact)
 */
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
    const char *insecure;           /* first plain-http non-loopback entry */
} cors_origins;

cors_origins *cors_origins_make(apr_pool_t *p);

/* Parses one CORSAllowOrigin value and adds it to the set.  Returns NULL,
 * or an error message (from p) that says what is wrong with the value.
 * A value already in the form browsers send (cors_origin_is_valid()) is
 * its own key and is kept, not copied: it must live as long as the set
 * (httpd's directive arguments do); any other is normalized into a copy. */
const char *cors_origins_add(cors_origins *set, apr_pool_t *p,
                             const char *value);

/* Is origin (the raw Origin header value) a valid serialized origin as a
 * browser sends it: lowercase "scheme://host[:port]" with no default port,
 * a canonical IP literal, or "null"?  Everything else is never allowed. */
int cors_origin_is_valid(const char *origin);

/* Is value, as configured, already the key cors_origin_normalize() would
 * make of it (a valid serialized origin that needs no checks beyond
 * cors_origin_is_valid()), so that it can be kept as it is? */
int cors_origin_is_own_key(const char *value);

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

/* Parses a configured origin into its normalized serialization (scheme and
 * host lowercased, default port dropped) without adding it anywhere; used
 * by tests and by the pattern fuzzer.  Returns NULL or an error. */
const char *cors_origin_normalize(apr_pool_t *p, const char *value,
                                  const char **normalized);

/* ------------------------------------------------------------------------
 * Methods and header names
 */

/* A compiled CORSAllowMethods / CORSAllowHeaders / CORSExposeHeaders list. */
typedef struct cors_list {
    cors_set names;             /* keys: methods as normalized, headers
                                 * lowercased; in the order written */
    unsigned int any : 1;       /* "*" was listed */
    unsigned int authorization : 1; /* headers: Authorization listed */
    const char *value;          /* the response header value, pre-joined */
    /* CORSAllowHeaders only: value followed by the CORS-safelisted names,
     * for preflights that list one of those names without the policy
     * naming it (the browser needs to see it in the answer). */
    const char *value_safelisted;
} cors_list;

cors_list *cors_list_make(apr_pool_t *p);

/* Each adds the values of one directive line to list (lines in one scope
 * add up) and rebuilds the joined value.  They return NULL or an error
 * message naming the bad value.  *warning, when not NULL on return, is a
 * message worth a startup warning (e.g. "patch" that was probably meant as
 * "PATCH"). */
const char *cors_list_add_methods(cors_list *list, apr_pool_t *p, int argc,
                                  char *const argv[], const char **warning);
const char *cors_list_add_allow_headers(cors_list *list, apr_pool_t *p,
                                        int argc, char *const argv[]);
const char *cors_list_add_expose_headers(cors_list *list, apr_pool_t *p,
                                         int argc, char *const argv[]);

/* Is method (an Access-Control-Request-Method value) one method token that
 * list allows?  GET, HEAD and POST always are; "*" allows any method only
 * when credentials is 0.  list may be NULL (no CORSAllowMethods). */
int cors_method_allowed(const cors_list *list, int credentials,
                        const char *method);

/* The uppercase name when method is, in any case, one of the six that
 * browsers uppercase themselves (DELETE, GET, HEAD, OPTIONS, POST, PUT);
 * else NULL: any other name is sent exactly as the page wrote it. */
const char *cors_method_fetch_name(const char *method);

/* Does name start with "Access-Control-", in any case: is it one of the
 * CORS protocol's own headers? */
int cors_is_protocol_header(const char *name);

/* Is s a non-empty RFC 9110 token? */
int cors_is_token(const char *s);

/* Result of checking Access-Control-Request-Headers. */
typedef enum {
    CORS_ACRH_OK = 0,
    CORS_ACRH_DENIED,       /* a name the policy does not allow */
    CORS_ACRH_MALFORMED,    /* an element that is not a token */
    CORS_ACRH_TOO_LONG      /* over CORS_ACRH_MAX_NAMES or _BYTES */
} cors_acrh_result;

/* Checks every name of an Access-Control-Request-Headers value (NULL or
 * empty: nothing to check).  Names compare case-insensitively; empty list
 * elements and optional whitespace are skipped.  On CORS_ACRH_DENIED or
 * _MALFORMED, *bad and *badlen point at the offending element inside acrh.
 * *safelisted is set when a CORS-safelisted name was accepted only because
 * it is safelisted (the answer must then name it). */
cors_acrh_result cors_request_headers_check(const cors_list *list,
                                            int credentials, const char *acrh,
                                            int *safelisted, const char **bad,
                                            size_t *badlen);

/* Comma-separated lists (Access-Control-Request-Headers, Vary, ...), the
 * one tokenizer: returns the next element of *cursor, without optional
 * whitespace, its length in *len, and moves *cursor past it; empty
 * elements are skipped; NULL at the end. */
const char *cors_list_next(const char **cursor, size_t *len);

/* Does the comma-separated list hold name (len bytes; compared
 * case-insensitively)? */
int cors_list_has(const char *list, const char *name, size_t len);

/* The CORS-safelisted request-header names, as a preflight's answer lists
 * them: "Accept, Accept-Language, Content-Language, Content-Type, Range". */
extern const char cors_safelisted_headers[];

#endif /* CORS_LOGIC_H */
