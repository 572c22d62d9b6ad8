/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_decide.c -- whole decisions under any policy and any request.
 *
 * The input is lines: a flags line, then the words of CORSAllowOrigin,
 * CORSAllowMethods, CORSAllowHeaders and CORSExposeHeaders (values the
 * directives refuse are skipped, as configtest would refuse them), then
 * Origin, Access-Control-Request-Method, -Headers and -Private-Network
 * ("-" or a missing line: the header is absent).  For every policy and
 * request these must hold:
 *   - never Access-Control-Allow-Origin: * together with credentials;
 *   - an Access-Control-Allow-Origin other than '*' is the request's own
 *     Origin, and the policy allows that origin;
 *   - a refused decision sends no header (but '*' to an invalid Origin);
 *   - a successful preflight implies that the actual request from the
 *     same origin is allowed, with the same Access-Control-Allow-Origin;
 *   - what is offending lies inside the request's own values;
 *   - every answer varies on Origin unless it is the same for everyone.
 * The work per input is bounded by the input's size (-max_len, -timeout).
 */
#include "fuzz_common.h"

#include "apr_cstr.h"

#include "cors_decide.h"
#include "cors_explain.h"

/* The value of the header name the decision sets, or NULL. */
static const char *decision_header(const cors_decision *d, const char *name)
{
    int i;

    for (i = 0; i < d->nheaders; i++) {
        if (apr_cstr_casecmp(d->headers[i].name, name) == 0) {
            return d->headers[i].value;
        }
    }
    return NULL;
}

/* A stand-in for CORSAllowOriginMatch: any subdomain of fuzz.example. */
static int suffix_match(const void *data, const char *origin)
{
    size_t n = strlen(origin), m = strlen(data);
    return n > m && strcmp(origin + n - m, data) == 0;
}

static const char matcher_suffix[] = ".fuzz.example";

enum {
    F_CREDENTIALS = 1,
    F_PNA = 2,
    F_MATCHER = 4,
    F_METHODS = 8,
    F_ALLOW = 16,
    F_EXPOSE = 32,
    F_KEEP_CONFLICT = 64,   /* as merging would: '*' with credentials */
    F_MAX_AGE = 128
};

/* The next line of the input (NUL-terminated in place), or NULL. */
static char *next_line(char **cursor)
{
    char *line = *cursor, *nl;

    if (line == NULL) {
        return NULL;
    }
    nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    }
    else {
        *cursor = NULL;
    }
    return line;
}

static const char *header_value(char *line)
{
    return line == NULL || strcmp(line, "-") == 0 ? NULL : line;
}

static char **split_words(apr_pool_t *p, const char *line, int *argc)
{
    char **argv;

    if (line == NULL || apr_tokenize_to_argv(line, &argv, p) != APR_SUCCESS) {
        *argc = 0;
        return NULL;
    }
    for (*argc = 0; argv[*argc]; (*argc)++) {
    }
    return argv;
}

static const cors_list *fuzz_list(apr_pool_t *p, const char *line, int kind)
{
    cors_list *list = cors_list_make(p);
    const char *err, *warning;
    int argc;
    char **argv = split_words(p, line, &argc);

    if (argc == 0) {
        return NULL;
    }
    err = kind == 0 ? cors_list_add_methods(list, p, argc, argv, &warning)
          : kind == 1 ? cors_list_add_allow_headers(list, p, argc, argv)
                      : cors_list_add_expose_headers(list, p, argc, argv);
    return err ? NULL : list;
}

static int within(const char *inner, size_t len, const char *outer)
{
    return outer && inner >= outer && inner + len <= outer + strlen(outer);
}

static int policy_allows(const cors_policy *policy, const char *origin)
{
    if (cors_origins_match(policy->origins, origin) == CORS_ORIGIN_MATCH) {
        return 1;
    }
    return policy->matchers && cors_origin_is_valid(origin)
           && strcmp(origin, "null") != 0
           && suffix_match(matcher_suffix, origin);
}

static void check_common(const cors_policy *policy, const cors_input *in,
                         const cors_decision *d)
{
    const char *acao = decision_header(d, CORS_ACAO);
    const char *acac = decision_header(d, CORS_ACAC);

    if (acao && acac && strcmp(acao, "*") == 0) {
        FUZZ_FAIL("'*' together with credentials");
    }
    if (acac && strcmp(acac, "true") != 0) {
        FUZZ_FAIL("Access-Control-Allow-Credentials is '%s'", acac);
    }
    if (acao && strcmp(acao, "*") != 0) {
        if (in->origin == NULL || strcmp(acao, in->origin) != 0) {
            FUZZ_FAIL("Access-Control-Allow-Origin is not the request's");
        }
        if (!policy_allows(policy, in->origin)) {
            fuzz_print(stderr, "origin: ", in->origin);
            FUZZ_FAIL("an origin the policy does not allow is answered");
        }
    }
    if (acao && strcmp(acao, "*") == 0
        && !(policy->origins->any && policy->credentials != CORS_ON)) {
        FUZZ_FAIL("'*' answered by a policy that is not '*'");
    }
    if (!cors_decision_allowed(d) && d->nheaders
        && !(policy->origins->any && acao && strcmp(acao, "*") == 0)) {
        FUZZ_FAIL("a refused request gets %d headers", d->nheaders);
    }
    if (d->offending && d->reason != CORS_REASON_MERGED_CONFLICT
        && !within(d->offending, d->offending_len, in->origin)
        && !within(d->offending, d->offending_len, in->request_method)
        && !within(d->offending, d->offending_len, in->request_headers)) {
        FUZZ_FAIL("the offending value is not the request's");
    }
    if (d->vary && !cors_list_has(d->vary, "Origin", 6)) {
        FUZZ_FAIL("Vary without Origin: %s", d->vary);
    }
    if (d->vary == NULL && !(policy->origins->any
                             && policy->credentials != CORS_ON)) {
        FUZZ_FAIL("no Vary for an answer that depends on the origin");
    }
}

/* The CORS-Debug value of any decision is a header value a client can
 * read: printable ASCII only, starting with the note, of bounded length. */
static void check_explained(apr_pool_t *p, const cors_policy *policy,
                            const cors_input *in, const cors_decision *d)
{
    cors_explain_context ctx = { "/etc/apache2/fuzz.conf:1", 1 };
    const char *v = cors_explain(p, policy, in, d, &ctx), *c;
    const char *note = cors_note_name(d->note);

    for (c = v; *c; c++) {
        if (*c < 0x20 || *c > 0x7e) {
            FUZZ_FAIL("CORS-Debug has byte 0x%02x", (unsigned char)*c);
        }
    }
    if (strncmp(v, note, strlen(note)) != 0) {
        FUZZ_FAIL("CORS-Debug does not start with the note: %s", v);
    }
    if (strlen(v) > 2 * CORS_EXPLAIN_VALUE_MAX + 4 * CORS_EXPLAIN_POLICY_MAX
                        + 200) {
        FUZZ_FAIL("CORS-Debug is %zu bytes", strlen(v));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *text, *cursor;
    cors_origins *origins;
    cors_policy policy;
    cors_matcher matcher = { suffix_match, matcher_suffix, "fuzz", NULL };
    apr_array_header_t *matchers;
    cors_input in;
    cors_decision d, actual;
    unsigned flags;
    int argc, i;
    char **argv;

    if (size < 1) {
        return 0;
    }
    fuzz_init();
    p = fuzz_pool();
    flags = data[0];
    text = fuzz_strndup(data + 1, size - 1);
    cursor = text;

    origins = cors_origins_make(p);
    argv = split_words(p, next_line(&cursor), &argc);
    for (i = 0; i < argc; i++) {
        (void)cors_origins_add(origins, p, argv[i]);
    }
    memset(&policy, 0, sizeof(policy));
    policy.origins = origins;
    policy.methods = fuzz_list(p, next_line(&cursor), 0);
    policy.allow_headers = fuzz_list(p, next_line(&cursor), 1);
    policy.expose_headers = fuzz_list(p, next_line(&cursor), 2);
    if (!(flags & F_METHODS)) {
        policy.methods = NULL;
    }
    if (!(flags & F_ALLOW)) {
        policy.allow_headers = NULL;
    }
    if (!(flags & F_EXPOSE)) {
        policy.expose_headers = NULL;
    }
    if (flags & F_MATCHER) {
        matchers = apr_array_make(p, 1, sizeof(cors_matcher));
        *(cors_matcher *)apr_array_push(matchers) = matcher;
        policy.matchers = matchers;
    }
    policy.credentials = flags & F_CREDENTIALS ? CORS_ON : CORS_UNSET;
    policy.private_network = flags & F_PNA ? CORS_ON : CORS_OFF;
    policy.max_age = flags & F_MAX_AGE ? "600" : NULL;
    /* One scope with '*' and credentials is refused at config time; only
     * merging can join them, and then nothing may be allowed. */
    if (policy.credentials == CORS_ON && cors_credentials_conflict(&policy)
        && !(flags & F_KEEP_CONFLICT)) {
        policy.credentials = CORS_OFF;
    }

    in.origin = header_value(next_line(&cursor));
    in.request_method = header_value(next_line(&cursor));
    in.request_headers = header_value(next_line(&cursor));
    in.request_private_network = header_value(next_line(&cursor));

    cors_decide_actual(&policy, &in, &actual);
    check_common(&policy, &in, &actual);
    check_explained(p, &policy, &in, &actual);
    if (in.origin && cors_is_preflight(&in)) {
        cors_decide_preflight(&policy, &in, &d);
        check_common(&policy, &in, &d);
        check_explained(p, &policy, &in, &d);
        if (d.vary == NULL) {
            FUZZ_FAIL("a preflight's answer without Vary");
        }
        if (cors_decision_allowed(&d)) {
            const char *pf = decision_header(&d, CORS_ACAO);
            const char *ac = decision_header(&actual, CORS_ACAO);
            if (actual.note != CORS_NOTE_ALLOWED || pf == NULL || ac == NULL
                || strcmp(pf, ac) != 0) {
                fuzz_print(stderr, "origin: ", in.origin);
                FUZZ_FAIL("preflight allowed, the actual request is not");
            }
        }
        if (policy.credentials == CORS_ON && cors_credentials_conflict(&policy)
            && d.nheaders) {
            FUZZ_FAIL("merged '*' with credentials answered a preflight");
        }
    }
    free(text);
    apr_pool_destroy(p);
    return 0;
}
