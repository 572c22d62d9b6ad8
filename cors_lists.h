/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_lists.h -- method and header-name lists: CORSAllowMethods,
 * CORSAllowHeaders and CORSExposeHeaders compiled at config time (from the
 * pool they are given; the values are kept, not copied), and checked at
 * request time against Access-Control-Request-Method and -Headers (reading
 * only, safe from any number of threads).  Pure code on APR.
 */
#ifndef CORS_LISTS_H
#define CORS_LISTS_H

#include <stddef.h>

#include "apr_pools.h"

#include "cors_set.h"

/* Bounds on Access-Control-Request-Headers: more names or more bytes than
 * this fail the preflight, in time linear in the bytes looked at. */
#define CORS_ACRH_MAX_NAMES 64
#define CORS_ACRH_MAX_BYTES 4096

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

/* The CORS-safelisted methods, as messages list them: "GET, HEAD, POST". */
extern const char cors_safelisted_methods[];

#endif /* CORS_LISTS_H */
