/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_probe.h -- the origins a CORS scanner would try against a
 * CORSAllowOriginMatch regex.
 *
 * Scanners (Corsy, CORScanner) find loose origin checks by sending
 * origins made from the site's own domain: with a prefix
 * (https://evilexample.com), as a subdomain of their own site
 * (https://app.example.com.evil.example), with a dot replaced
 * (https://appxexample.com), on plain http, "null", and unrelated sites.
 * The same set, built from the literal domain text of the regex itself,
 * is tried at config time: a regex that matches one of them lets pages of
 * a site it does not name read the responses.
 *
 * Pure code on APR: the regex engine comes in as a cors_match_fn, so
 * that neither ap_regex nor PCRE is known here.  Hosts of the domains the
 * regex names (anything under its registrable domain, on the scheme it
 * names) are never in the set, so a regex that allows only what it names
 * matches none of them; but for a few origins made to make a backtracking
 * regex work hard (CORS_PROBE_BACKTRACK), which count only when the regex
 * reaches a limit of its matching on them.
 */
#ifndef CORS_PROBE_H
#define CORS_PROBE_H

#include "apr_pools.h"
#include "apr_tables.h"

#include "cors_decide.h"            /* cors_match_fn */

/* How an attacker origin was made, in the order they are tried: the
 * first one a regex matches is the one reported. */
typedef enum {
    CORS_PROBE_UNRELATED,       /* https://evil.example: any site at all */
    CORS_PROBE_PREFIX,          /* https://evilexample.com */
    CORS_PROBE_OTHER_SITE,      /* https://app.example.com.evil.example */
    CORS_PROBE_SUFFIX,          /* https://app.example.comevil.example */
    CORS_PROBE_DOT,             /* https://appxexample.com: '.' unescaped */
    CORS_PROBE_PLAIN_HTTP,      /* http://app.example.com */
    CORS_PROBE_NULL,            /* null */
    CORS_PROBE_BACKTRACK,       /* https://aaa(60 a)aaa.example.com- */
    CORS_PROBE_KIND_COUNT
} cors_probe_kind;

typedef struct {
    const char *origin;
    cors_probe_kind kind;
} cors_probe;

/* The attacker set for a regex, as written (with or without ^ and $; it
 * is read as anchored at both ends): an array of cors_probe, in the
 * order of cors_probe_kind, without duplicates.  Never NULL. */
apr_array_header_t *cors_probe_set(apr_pool_t *p, const char *regex_source);

/* The marks in the alternatives of cors_probe_branches(). */
#define CORS_PROBE_WILD '\001'         /* any run of characters */
#define CORS_PROBE_ANY_CHAR '\002'     /* one unescaped '.' */

/* The alternatives the regex can match as the probe reads them: the
 * literal text each requires, with the two marks above (anchors and
 * lookarounds dropped, optional parts both ways).  *complete is 0 when
 * the regex has more alternatives than the reader keeps: the list is then
 * only a part of them.  cors-check audit reads a recipe's regex for the
 * origins its author meant with it. */
apr_array_header_t *cors_probe_branches(apr_pool_t *p, const char *regex_source,
                                        int *complete);

/* The first probe of the set that match() allows, or NULL when it allows
 * none.  match is called with data and each origin in turn.  A
 * CORS_PROBE_BACKTRACK origin is found only when match() says
 * CORS_MATCH_LIMIT (it may be one the regex is meant to allow); any
 * origin is found when it does. */
const cors_probe *cors_probe_find(apr_pool_t *p, const char *regex_source,
                                  cors_match_fn *match, const void *data);

/* A plain-http origin of a site the regex names (not loopback) that
 * match() allows, or NULL: such an origin is the regex's own, so the
 * attacker probe does not report it, yet with credentials it deserves the
 * warning CORSAllowOrigin http://... gets. */
const char *cors_probe_plain_http(apr_pool_t *p, const char *regex_source,
                                  cors_match_fn *match, const void *data);

/* What is wrong with the regex, for messages: "'https://.*' matches the
 * origin of any site (such as https://evil.example)", "'...' has a '.'
 * that matches any character (it matches https://appxexample.com); write
 * '\\.' for a literal dot", ... */
const char *cors_probe_describe(apr_pool_t *p, const char *regex_source,
                                const cors_probe *probe);

#endif /* CORS_PROBE_H */
