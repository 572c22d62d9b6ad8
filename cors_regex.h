/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_regex.h -- CORSAllowOriginMatch regexes with bounded work.
 *
 * A tenant writes CORSAllowOriginMatch in .htaccess, and every regex is
 * run twice over: against the attacker origins of the probe (cors_probe.h)
 * when the file is read, and against the Origin of each request.  A
 * backtracking regex such as "https://([a-z]+)+\.a{40}p0\.com" would cost
 * seconds on either path.  httpd's ap_regex runs PCRE2 without a match
 * context (PCRE2's default limits: ten million steps, 20 GB of heap), and
 * lets a module set neither, so the module compiles these regexes with
 * PCRE2 itself and runs every match under the limits below.
 *
 * Pure code on PCRE2 and APR: the unit tests and the benchmark call it
 * without a server.
 */
#ifndef CORS_REGEX_H
#define CORS_REGEX_H

#include "apr_pools.h"

#include "cors_decide.h"        /* cors_match_fn, CORS_MATCH_* */

/* The limits, one place for each.
 *
 * Work.  PCRE2's match limit counts backtracking steps; one step can scan
 * the whole subject (a possessive class, a lookbehind), and the subject is
 * never longer than CORS_ORIGIN_MAX: at most ~0.25 us per step on a
 * 2-core machine (a scan of 280 characters a step), so a regex costs at
 * most ~0.12 ms per request and a .htaccess scope's
 * CORS_REGEX_MAX_PER_SCOPE regexes at most ~1 ms (make bench-regex: 8
 * backtracking regexes ~0.11 ms).  An origin a browser sends needs a few
 * dozen steps against any regex written for it; an origin of 300
 * characters in 150 labels needs ~310 against
 * "https://([a-z0-9-]+\.)*example\.com". */
#define CORS_REGEX_MATCH_LIMIT 500

/* Memory.  The depth limit bounds the backtracking frames a match keeps
 * (about one a character for a group repeated per label), the heap limit
 * (KiB) what those frames take when the regex has many groups. */
#define CORS_REGEX_DEPTH_LIMIT 400
#define CORS_REGEX_HEAP_LIMIT_KIB 1024

/* The longest regex, as written: an origin is at most 326 bytes, and one
 * regex naming a few dozen sites fits. */
#define CORS_REGEX_MAX_LENGTH 512

/* The most CORSAllowOriginMatch lines in one .htaccess scope: a request
 * can be matched against each of them. */
#define CORS_REGEX_MAX_PER_SCOPE 8

/* The probe's work for one regex, in match-limit steps over all the
 * attacker origins it tries (a few hundred; a regex naming 32 sites under
 * a wildcard label is charged ~45,000): a few ms at worst. */
#define CORS_REGEX_PROBE_BUDGET 100000

/* The regex options of httpd's RegexDefaultOptions, for
 * cors_regex_compile(). */
typedef enum {
    CORS_REGEX_ICASE = 1 << 0,
    CORS_REGEX_DOTALL = 1 << 1,
    CORS_REGEX_DOLLAR_ENDONLY = 1 << 2,
    CORS_REGEX_EXTENDED = 1 << 3
} cors_regex_option;

typedef struct cors_regex cors_regex;

/* Which limit a regex or a match reached. */
typedef enum {
    CORS_REGEX_LIMIT_NONE,
    CORS_REGEX_LIMIT_LENGTH,
    CORS_REGEX_LIMIT_MATCH,
    CORS_REGEX_LIMIT_DEPTH,
    CORS_REGEX_LIMIT_HEAP,
    CORS_REGEX_LIMIT_PROBE,
    CORS_REGEX_LIMIT_COUNT
} cors_regex_limit;

/* The limit as a phrase for messages: "the match limit (500 steps)". */
const char *cors_regex_limit_text(apr_pool_t *p, cors_regex_limit limit);

/* Compiles source, anchored at both ends however it is written (as
 * "^(?:source)$" would be, but "a)|(.*" is not valid), with options (cors_regex_option bits).  Returns NULL
 * and sets *re, or an error message without the directive's name ("'...'
 * is not a valid regular expression: ...", "'...' is longer than ...").
 * *re is freed with p. */
const char *cors_regex_compile(apr_pool_t *p, const char *source,
                               int options, cors_regex **re);

/* The cors_match_fn of a compiled regex (data: the cors_regex): 
 * CORS_MATCH_YES or CORS_MATCH_NO, or CORS_MATCH_LIMIT when the match
 * reached a limit, or the origin is longer than any valid one (8 KB can
 * come in a request): the caller refuses the origin.  Thread-safe. */
int cors_regex_match(const void *re, const char *origin);

/* One match with a match limit of at most limit steps: the limit reached
 * (CORS_REGEX_LIMIT_NONE when the match ran to its end) and, in *matched,
 * whether it matched. */
cors_regex_limit cors_regex_exec(const cors_regex *re, const char *subject,
                                 unsigned int limit, int *matched);

/* A probe of one regex under CORS_REGEX_PROBE_BUDGET: pass &budget as the
 * data of cors_regex_probe_match() to cors_probe_find().  Each attacker
 * origin is tried with a small match limit first, raised fourfold while
 * it is reached, and the limits tried are spent from the budget, so what
 * is spent is at most about four times the work done.  When a match
 * reaches CORS_REGEX_MATCH_LIMIT, or the budget is spent, the match
 * function says CORS_MATCH_LIMIT (which the probe reads as "lets the
 * origin in": the regex is refused) and limit says which. */
typedef struct {
    const cors_regex *re;
    unsigned int left;          /* steps left */
    cors_regex_limit limit;     /* what stopped the probe, or NONE */
} cors_regex_budget;

void cors_regex_budget_init(cors_regex_budget *b, const cors_regex *re);

/* The cors_match_fn of a probe: data is a cors_regex_budget (changed). */
int cors_regex_probe_match(const void *budget, const char *origin);

#endif /* CORS_REGEX_H */
