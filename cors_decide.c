/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_decide.c -- the CORS decision for a preflight and for an actual
 * request.  See cors_decide.h.  APR and libc only.
 */
#include <string.h>

#include "apr_cstr.h"

#include "cors_decide.h"

static const char *const note_names[CORS_NOTE_COUNT] = {
    [CORS_NOTE_PREFLIGHT_OK] = "preflight-ok",
    [CORS_NOTE_PREFLIGHT_DENIED_ORIGIN] = "preflight-denied-origin",
    [CORS_NOTE_PREFLIGHT_DENIED_METHOD] = "preflight-denied-method",
    [CORS_NOTE_PREFLIGHT_DENIED_HEADERS] = "preflight-denied-headers",
    [CORS_NOTE_ALLOWED] = "allowed",
    [CORS_NOTE_DENIED_ORIGIN] = "denied-origin",
    [CORS_NOTE_NO_ORIGIN] = "no-origin",
};

const char *cors_note_name(cors_note note)
{
    return note_names[note];
}

/* What each refusal says: the CORS-Debug reason= token (cors_explain.c) and
 * the debug log's text around the offending value (mod_cors.c). */
static const cors_reason_text reason_texts[CORS_REASON_COUNT] = {
    [CORS_REASON_ORIGIN_INVALID] = {
        "invalid", "origin '",
        "' is not a serialized origin as browsers send it" },
    [CORS_REASON_ORIGIN_NOT_ALLOWED] = {
        "not-allowed", "origin '", "' not allowed" },
    [CORS_REASON_MERGED_CONFLICT] = {
        "merged-conflict",
        "the inherited policy joins CORSAllowCredentials On with ", "" },
    [CORS_REASON_METHOD_NOT_ALLOWED] = {
        "not-allowed", "method '", "' not allowed" },
    [CORS_REASON_METHOD_CASE] = {
        "case", "method '",
        "' not allowed (methods are case-sensitive: the policy allows the "
        "uppercase form, which browsers send only when the page writes it)" },
    [CORS_REASON_METHOD_NOT_BROWSER] = {
        "not-browser", "method '",
        "' not allowed (a browser sends it uppercase whatever the page "
        "writes, so this preflight did not come from a browser)" },
    [CORS_REASON_HEADER_NOT_ALLOWED] = {
        "not-allowed", "request header '", "' not allowed" },
    [CORS_REASON_HEADER_MALFORMED] = {
        "malformed", "request header '", "' is not a header name" },
    [CORS_REASON_HEADERS_TOO_LONG] = {
        "too-long", CORS_ACRH " is over ", "" },
    [CORS_REASON_ORIGIN_MATCH_LIMIT] = {
        "match-limit", "origin '",
        "' not allowed: a CORSAllowOriginMatch regex reached its match limit "
        "on it" },
};

const cors_reason_text *cors_reason_describe(cors_reason reason)
{
    return &reason_texts[reason];
}

/* What a preflight's answer varies on, with and without Private Network
 * Access (whose request header then changes the answer too). */
#define VARY_PREFLIGHT "Origin, " CORS_ACRM ", " CORS_ACRH
#define VARY_PREFLIGHT_PNA VARY_PREFLIGHT ", " CORS_ACRPN

static int on(cors_flag flag)
{
    return flag == CORS_ON;
}

/* Inline in origin_allowed(), which asks on every credentialed request. */
static APR_INLINE const char *credentials_conflict(const cors_policy *policy)
{
    if (policy->origins && policy->origins->any) {
        return "CORSAllowOrigin *";
    }
    if (policy->origins && policy->origins->null) {
        return "CORSAllowOrigin null";
    }
    if (policy->methods && policy->methods->any) {
        return "CORSAllowMethods *";
    }
    if (policy->allow_headers && policy->allow_headers->any) {
        return "CORSAllowHeaders *";
    }
    if (policy->expose_headers && policy->expose_headers->any) {
        return "CORSExposeHeaders *";
    }
    return policy->matcher_conflict;
}

const char *cors_credentials_conflict(const cors_policy *policy)
{
    return credentials_conflict(policy);
}

static void start(cors_decision *d, cors_note note, const char *vary)
{
    d->note = note;
    d->reason = CORS_REASON_NONE;
    d->offending = NULL;
    d->offending_len = 0;
    d->vary = vary;
    d->nheaders = 0;
}

static void deny(cors_decision *d, cors_note note, cors_reason reason,
                 const char *offending, size_t len)
{
    d->note = note;
    d->reason = reason;
    d->offending = offending;
    d->offending_len = len;
    d->nheaders = 0;
}

static void add(cors_decision *d, const char *name, const char *value)
{
    d->headers[d->nheaders].name = name;
    d->headers[d->nheaders].value = value;
    d->nheaders++;
}

/* '*' without credentials: the same answer for every request. */
static int answers_any(const cors_policy *policy)
{
    return policy->origins->any && !on(policy->credentials);
}

/* Is origin allowed by the compiled set or one of the matchers?  On
 * refusal the decision says why. */
static int origin_allowed(const cors_policy *policy, const char *origin,
                          cors_decision *d, cors_note denied)
{
    const char *conflict;
    int i;

    if (on(policy->credentials)
        && (conflict = credentials_conflict(policy)) != NULL) {
        deny(d, denied, CORS_REASON_MERGED_CONFLICT, conflict,
             strlen(conflict));
        return 0;
    }
    switch (cors_origins_match(policy->origins, origin)) {
    case CORS_ORIGIN_MATCH:
        return 1;
    case CORS_ORIGIN_INVALID:
        deny(d, denied, CORS_REASON_ORIGIN_INVALID, origin, strlen(origin));
        return 0;
    case CORS_ORIGIN_NO_MATCH:
        break;
    }
    /* Matchers never see "null": only CORSAllowOrigin null allows it. */
    for (i = 0; policy->matchers && strcmp(origin, "null") != 0
                && i < policy->matchers->nelts; i++) {
        const cors_matcher *m =
            &APR_ARRAY_IDX(policy->matchers, i, cors_matcher);
        switch (m->match(m->data, origin)) {
        case CORS_MATCH_NO:
            continue;
        case CORS_MATCH_YES:
            return 1;
        default:                /* fail closed, and no more work */
            deny(d, denied, CORS_REASON_ORIGIN_MATCH_LIMIT, origin,
                 strlen(origin));
            return 0;
        }
    }
    deny(d, denied, CORS_REASON_ORIGIN_NOT_ALLOWED, origin, strlen(origin));
    return 0;
}

/* A refused method that the policy allows in another case ("patch" where
 * "PATCH" is listed) was most likely written so by the page: browsers
 * send any name but the six Fetch methods as written.  Not so for
 * "Delete": a browser would have sent "DELETE", so the request did not
 * come from one. */
static cors_reason method_reason(const cors_policy *policy, const char *method)
{
    const char *fetch = cors_method_fetch_name(method);
    char upper[64];
    size_t i, n = strlen(method);

    if (fetch) {
        return strcmp(fetch, method) != 0 ? CORS_REASON_METHOD_NOT_BROWSER
                                          : CORS_REASON_METHOD_NOT_ALLOWED;
    }
    if (n >= sizeof(upper)) {
        return CORS_REASON_METHOD_NOT_ALLOWED;
    }
    for (i = 0; i <= n; i++) {
        upper[i] = (method[i] >= 'a' && method[i] <= 'z')
                       ? (char)(method[i] - ('a' - 'A')) : method[i];
    }
    if (strcmp(upper, method) != 0
        && cors_method_allowed(policy->methods, on(policy->credentials),
                               upper)) {
        return CORS_REASON_METHOD_CASE;
    }
    return CORS_REASON_METHOD_NOT_ALLOWED;
}

static int headers_allowed(const cors_policy *policy, const char *acrh,
                           cors_decision *d, int *safelisted)
{
    const char *bad = NULL;
    size_t badlen = 0;

    switch (cors_request_headers_check(policy->allow_headers,
                                       on(policy->credentials), acrh,
                                       safelisted, &bad, &badlen)) {
    case CORS_ACRH_OK:
        return 1;
    case CORS_ACRH_TOO_LONG:
        deny(d, CORS_NOTE_PREFLIGHT_DENIED_HEADERS,
             CORS_REASON_HEADERS_TOO_LONG, NULL, 0);
        return 0;
    case CORS_ACRH_MALFORMED:
        deny(d, CORS_NOTE_PREFLIGHT_DENIED_HEADERS,
             CORS_REASON_HEADER_MALFORMED, bad, badlen);
        return 0;
    case CORS_ACRH_DENIED:
        break;
    }
    deny(d, CORS_NOTE_PREFLIGHT_DENIED_HEADERS, CORS_REASON_HEADER_NOT_ALLOWED,
         bad, badlen);
    return 0;
}

/* The Access-Control-Allow-Headers answer: the configured list, with the
 * safelisted names added when the request named one the list lacks (the
 * browser checks every requested name against the answer). */
static const char *allow_headers_value(const cors_policy *policy,
                                       int safelisted)
{
    if (policy->allow_headers) {
        return safelisted ? policy->allow_headers->value_safelisted
                          : policy->allow_headers->value;
    }
    return safelisted ? cors_safelisted_headers : NULL;
}

static void add_preflight_headers(const cors_policy *policy,
                                  const cors_input *in, int safelisted,
                                  cors_decision *d)
{
    const char *acah = allow_headers_value(policy, safelisted);

    add(d, CORS_ACAO, answers_any(policy) ? "*" : in->origin);
    if (on(policy->credentials)) {
        add(d, CORS_ACAC, "true");
    }
    if (policy->methods) {
        add(d, CORS_ACAM, policy->methods->value);
    }
    if (acah) {
        add(d, CORS_ACAH, acah);
    }
    if (policy->max_age) {
        add(d, CORS_ACMA, policy->max_age);
    }
    /* Without CORSAllowPrivateNetwork On the preflight is judged as if the
     * header were absent: browsers that send it only warn without it. */
    if (on(policy->private_network) && in->request_private_network
        && apr_cstr_casecmp(in->request_private_network, "true") == 0) {
        add(d, CORS_ACAPN, "true");
    }
}

void cors_decide_preflight(const cors_policy *policy, const cors_input *in,
                           cors_decision *d)
{
    int safelisted = 0;

    start(d, CORS_NOTE_PREFLIGHT_OK, on(policy->private_network)
                                         ? VARY_PREFLIGHT_PNA
                                         : VARY_PREFLIGHT);
    if (!origin_allowed(policy, in->origin, d,
                        CORS_NOTE_PREFLIGHT_DENIED_ORIGIN)) {
        return;
    }
    if (!cors_method_allowed(policy->methods, on(policy->credentials),
                             in->request_method)) {
        deny(d, CORS_NOTE_PREFLIGHT_DENIED_METHOD,
             method_reason(policy, in->request_method), in->request_method,
             strlen(in->request_method));
        return;
    }
    if (!headers_allowed(policy, in->request_headers, d, &safelisted)) {
        return;
    }
    add_preflight_headers(policy, in, safelisted, d);
}

void cors_decide_actual(const cors_policy *policy, const cors_input *in,
                        cors_decision *d)
{
    /* A '*' policy answers the same to every request, Origin or not, so
     * caches may share its responses: no Vary. */
    if (answers_any(policy)) {
        start(d, in->origin ? CORS_NOTE_ALLOWED : CORS_NOTE_NO_ORIGIN, NULL);
        if (in->origin && !cors_origin_is_valid(in->origin)) {
            /* Noted as refused; the answer is the same '*' all the same. */
            d->note = CORS_NOTE_DENIED_ORIGIN;
            d->reason = CORS_REASON_ORIGIN_INVALID;
            d->offending = in->origin;
            d->offending_len = strlen(in->origin);
        }
        add(d, CORS_ACAO, "*");
    }
    else {
        start(d, CORS_NOTE_ALLOWED, "Origin");
        if (in->origin == NULL) {
            d->note = CORS_NOTE_NO_ORIGIN;
            return;
        }
        if (!origin_allowed(policy, in->origin, d, CORS_NOTE_DENIED_ORIGIN)) {
            return;
        }
        add(d, CORS_ACAO, in->origin);
        if (on(policy->credentials)) {
            add(d, CORS_ACAC, "true");
        }
    }
    if (policy->expose_headers) {
        add(d, CORS_ACEH, policy->expose_headers->value);
    }
}
