/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_regex.c -- CORSAllowOriginMatch regexes with bounded work (see
 * cors_regex.h).
 *
 * Every match runs under a PCRE2 match context with the match, depth and
 * heap limits of cors_regex.h.  Each regex has its own, made when it is
 * compiled and only read afterwards, so requests share it from any
 * thread; the probe, which raises the match limit step by step, makes one
 * per try.
 */
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "apr_strings.h"

#include "cors_logic.h"
#include "cors_regex.h"

struct cors_regex {
    pcre2_code *code;
    pcre2_match_context *limits;        /* CORS_REGEX_MATCH_LIMIT */
};

static apr_status_t free_code(void *code)
{
    pcre2_code_free(code);
    return APR_SUCCESS;
}

static apr_status_t free_context(void *mc)
{
    pcre2_match_context_free(mc);
    return APR_SUCCESS;
}

/* A match context with the module's limits and a match limit of limit. */
static pcre2_match_context *limited_context(unsigned int limit)
{
    pcre2_match_context *mc = pcre2_match_context_create(NULL);

    if (mc) {
        pcre2_set_match_limit(mc, limit);
        pcre2_set_depth_limit(mc, CORS_REGEX_DEPTH_LIMIT);
        pcre2_set_heap_limit(mc, CORS_REGEX_HEAP_LIMIT_KIB);
    }
    return mc;
}

/* Each limit as messages name it, with its value. */
static const struct {
    const char *format;
    int value;
} limit_texts[CORS_REGEX_LIMIT_COUNT] = {
    [CORS_REGEX_LIMIT_LENGTH] = { "the length limit (%d bytes)",
                                  CORS_REGEX_MAX_LENGTH },
    [CORS_REGEX_LIMIT_MATCH] = { "the match limit (%d steps)",
                                 CORS_REGEX_MATCH_LIMIT },
    [CORS_REGEX_LIMIT_DEPTH] = { "the depth limit (%d)",
                                 CORS_REGEX_DEPTH_LIMIT },
    [CORS_REGEX_LIMIT_HEAP] = { "the memory limit (%d KiB)",
                                CORS_REGEX_HEAP_LIMIT_KIB },
    [CORS_REGEX_LIMIT_PROBE] = { "the check's work limit (%d steps)",
                                 CORS_REGEX_PROBE_BUDGET },
};

const char *cors_regex_limit_text(apr_pool_t *p, cors_regex_limit limit)
{
    if ((unsigned int)limit >= CORS_REGEX_LIMIT_COUNT
        || limit_texts[limit].format == NULL) {
        return "no limit";
    }
    return apr_psprintf(p, limit_texts[limit].format,
                        limit_texts[limit].value);
}

static uint32_t pcre2_options(int options)
{
    /* What ap_regcomp() gives every regex: DUPNAMES, and the options of
     * RegexDefaultOptions. */
    uint32_t o = PCRE2_DUPNAMES;

    if (options & CORS_REGEX_ICASE) {
        o |= PCRE2_CASELESS;
    }
    if (options & CORS_REGEX_DOTALL) {
        o |= PCRE2_DOTALL;
    }
    if (options & CORS_REGEX_DOLLAR_ENDONLY) {
        o |= PCRE2_DOLLAR_ENDONLY;
    }
    if (options & CORS_REGEX_EXTENDED) {
        o |= PCRE2_EXTENDED;
    }
    return o;
}

const char *cors_regex_compile(apr_pool_t *p, const char *source,
                               int options, cors_regex **re)
{
    pcre2_code *code;
    PCRE2_UCHAR why[128];
    PCRE2_SIZE offset;
    int err;

    *re = NULL;
    if (strlen(source) > CORS_REGEX_MAX_LENGTH) {
        return apr_psprintf(p, "'%.64s...' (%" APR_SIZE_T_FMT " bytes) is "
                            "refused: it is over %s", source, strlen(source),
                            cors_regex_limit_text(p,
                                                  CORS_REGEX_LIMIT_LENGTH));
    }
    if (*source == '\0') {
        return apr_psprintf(p, "'' is not a valid regular expression");
    }
    /* Anchored at both ends however it is written: an unanchored
     * "https://.*\.example\.com" must not allow
     * "https://a.example.com.evil.net".  By options, not by writing
     * "^(?:...)$" around it, which "a)|(.*" would get out of. */
    code = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED,
                         pcre2_options(options) | PCRE2_ANCHORED
                         | PCRE2_ENDANCHORED, &err, &offset, NULL);
    if (code == NULL) {
        pcre2_get_error_message(err, why, sizeof(why));
        return apr_psprintf(p, "'%s' is not a valid regular expression: %s",
                            source, (const char *)why);
    }
    apr_pool_cleanup_register(p, code, free_code, apr_pool_cleanup_null);
    *re = apr_palloc(p, sizeof(**re));
    (*re)->code = code;
    (*re)->limits = limited_context(CORS_REGEX_MATCH_LIMIT);
    if ((*re)->limits == NULL) {
        *re = NULL;
        return "out of memory";
    }
    apr_pool_cleanup_register(p, (*re)->limits, free_context,
                              apr_pool_cleanup_null);
    return NULL;
}

/* The limit a PCRE2 result says was reached. */
static cors_regex_limit limit_of(int rc)
{
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT:
        return CORS_REGEX_LIMIT_MATCH;
    case PCRE2_ERROR_DEPTHLIMIT:
        return CORS_REGEX_LIMIT_DEPTH;
    default:                    /* the heap limit, or out of memory */
        return CORS_REGEX_LIMIT_HEAP;
    }
}

static cors_regex_limit run(const cors_regex *re, const char *subject,
                            pcre2_match_context *mc, int *matched)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    int rc;

    *matched = 0;
    if (md == NULL) {
        return CORS_REGEX_LIMIT_HEAP;
    }
    rc = pcre2_match(re->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0,
                     md, mc);
    pcre2_match_data_free(md);
    if (rc >= 0) {
        *matched = 1;
        return CORS_REGEX_LIMIT_NONE;
    }
    if (rc == PCRE2_ERROR_NOMATCH) {
        return CORS_REGEX_LIMIT_NONE;
    }
    return limit_of(rc);
}

cors_regex_limit cors_regex_exec(const cors_regex *re, const char *subject,
                                 unsigned int limit, int *matched)
{
    pcre2_match_context *mc = limited_context(limit);
    cors_regex_limit reached;

    if (mc == NULL) {
        *matched = 0;
        return CORS_REGEX_LIMIT_HEAP;
    }
    reached = run(re, subject, mc, matched);
    pcre2_match_context_free(mc);
    return reached;
}

int cors_regex_match(const void *data, const char *origin)
{
    const cors_regex *re = data;
    int matched;

    /* The decision refuses such an origin before asking (it cannot be
     * valid); the bound holds whoever asks. */
    if (strlen(origin) > CORS_ORIGIN_MAX) {
        return CORS_MATCH_LIMIT;
    }
    if (run(re, origin, re->limits, &matched)
        != CORS_REGEX_LIMIT_NONE) {
        return CORS_MATCH_LIMIT;
    }
    return matched ? CORS_MATCH_YES : CORS_MATCH_NO;
}

/* ------------------------------------------------------------------------
 * The probe's budget
 */

/* The first match limit tried on each attacker origin: enough for what
 * a regex naming one site needs on one. */
#define PROBE_FIRST_LIMIT 16

void cors_regex_budget_init(cors_regex_budget *b, const cors_regex *re)
{
    b->re = re;
    b->left = CORS_REGEX_PROBE_BUDGET;
    b->limit = CORS_REGEX_LIMIT_NONE;
}

/* Spends limit steps; 0 when the budget does not have them. */
static int spend(cors_regex_budget *b, unsigned int limit)
{
    if (limit > b->left) {
        b->limit = CORS_REGEX_LIMIT_PROBE;
        return 0;
    }
    b->left -= limit;
    return 1;
}

static unsigned int next_limit(unsigned int limit)
{
    return limit * 4 < CORS_REGEX_MATCH_LIMIT ? limit * 4
                                              : CORS_REGEX_MATCH_LIMIT;
}

int cors_regex_probe_match(const void *data, const char *origin)
{
    /* The probe's own budget, passed as the matcher's data. */
    cors_regex_budget *b = (cors_regex_budget *)data;
    unsigned int limit = PROBE_FIRST_LIMIT;
    cors_regex_limit reached;
    int matched;

    /* What the decision would ask of the regex: valid origins other than
     * null only (the probe also tries null and invalid forms). */
    if (strcmp(origin, "null") == 0 || !cors_origin_is_valid(origin)) {
        return CORS_MATCH_NO;
    }
    for (;;) {
        if (!spend(b, limit)) {
            return CORS_MATCH_LIMIT;
        }
        reached = cors_regex_exec(b->re, origin, limit, &matched);
        if (reached == CORS_REGEX_LIMIT_NONE) {
            return matched ? CORS_MATCH_YES : CORS_MATCH_NO;
        }
        if (reached != CORS_REGEX_LIMIT_MATCH
            || limit == CORS_REGEX_MATCH_LIMIT) {
            b->limit = reached;
            return CORS_MATCH_LIMIT;
        }
        limit = next_limit(limit);
    }
}
