/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_probe.c -- the attacker origins a CORS scanner would try against a
 * CORSAllowOriginMatch regex (see cors_probe.h).
 *
 * The regex is not run here; it is read for its literal text.  Reading
 * it turns each alternative it can match into a "branch": a string of
 * the literal characters it requires, with two marks, WILD where it
 * allows a run of unknown characters (a class, a quantified '.', \d ...)
 * and ANY_CHAR where an unescaped '.' stands alone.  Alternations and
 * optional groups are expanded ("https://(app|www)\.example\.com" gives
 * two branches), anchors, lookarounds and flags are dropped.
 *
 * A branch's scheme is the text before "://", its domain the longest
 * literal run of its host with a dot in it.  Probes are then made from
 * that domain the way scanners make them, and every probe whose host is
 * under a domain the regex names, on a scheme it names, is dropped: those
 * are the origins the regex is meant for.
 */
#include <string.h>

#include <libpsl.h>

#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "cors_origin.h"
#include "cors_probe.h"

#define WILD CORS_PROBE_WILD
#define ANY_CHAR CORS_PROBE_ANY_CHAR

/* Bounds that keep a hostile regex from costing much: the set stays a
 * few thousand origins at most. */
#define MAX_BRANCHES 32
#define MAX_DEPTH 16

/* ------------------------------------------------------------------------
 * Reading the regex into branches
 */

typedef struct {
    apr_pool_t *p;
    const char *s;              /* the next character to read */
    int depth;
} reader;

typedef apr_array_header_t branches;    /* of const char * */

static branches *branches_of(apr_pool_t *p, const char *s)
{
    branches *b = apr_array_make(p, 2, sizeof(const char *));

    APR_ARRAY_PUSH(b, const char *) = s;
    return b;
}

static void branches_add(branches *to, const branches *from)
{
    int i;

    for (i = 0; i < from->nelts && to->nelts < MAX_BRANCHES; i++) {
        APR_ARRAY_PUSH(to, const char *) = APR_ARRAY_IDX(from, i, const char *);
    }
}

/* Every branch of a followed by every branch of b. */
static branches *branches_join(apr_pool_t *p, const branches *a,
                               const branches *b)
{
    branches *out = apr_array_make(p, a->nelts * b->nelts, sizeof(char *));
    int i, j;

    for (i = 0; i < a->nelts; i++) {
        for (j = 0; j < b->nelts && out->nelts < MAX_BRANCHES; j++) {
            APR_ARRAY_PUSH(out, const char *) = apr_pstrcat(
                p, APR_ARRAY_IDX(a, i, const char *),
                APR_ARRAY_IDX(b, j, const char *), NULL);
        }
    }
    return out;
}

static branches *read_alternation(reader *rd);

/* [...]: one literal character when it holds only that one ("[.]"),
 * else WILD. */
static const char *read_class(reader *rd)
{
    const char *s = rd->s + 1;  /* after '[' */
    int negated = 0, n = 0;
    char only = 0;

    if (*s == '^') {
        negated = 1;
        s++;
    }
    if (*s == ']') {            /* a leading ']' is literal */
        only = *s++;
        n++;
    }
    while (*s && *s != ']') {
        if (s[0] == '[' && s[1] == ':') {       /* [:alpha:] */
            const char *end = strstr(s + 2, ":]");
            s = end ? end + 2 : s + 1;
            n += 2;
            continue;
        }
        if (*s == '\\' && s[1]) {
            s++;
            n += apr_isalnum(*s) ? 2 : 1;       /* \d is a class */
        }
        else {
            n++;
        }
        only = *s++;
    }
    rd->s = *s ? s + 1 : s;
    if (n == 1 && !negated) {
        return apr_pstrmemdup(rd->p, &only, 1);
    }
    return apr_pstrmemdup(rd->p, "\001", 1);
}

/* \x: a literal character, a class (WILD) or nothing (an assertion). */
static const char *read_escape(reader *rd)
{
    char c = rd->s[1];

    if (c == '\0') {
        rd->s++;
        return "";
    }
    rd->s += 2;
    if (c == 'Q') {             /* \Q...\E: all literal */
        const char *end = strstr(rd->s, "\\E");
        const char *lit = end ? apr_pstrmemdup(rd->p, rd->s, end - rd->s)
                              : apr_pstrdup(rd->p, rd->s);
        rd->s = end ? end + 2 : rd->s + strlen(rd->s);
        return lit;
    }
    if (strchr("bBAzZGKE", c)) {
        return "";
    }
    if ((c == 'x' || c == 'p' || c == 'P' || c == 'o') && *rd->s == '{') {
        const char *end = strchr(rd->s, '}');
        rd->s = end ? end + 1 : rd->s + strlen(rd->s);
        return "\001";
    }
    if (apr_isalnum(c)) {       /* \d \w \s \x41 \1 \n ... */
        return "\001";
    }
    return apr_pstrmemdup(rd->p, &c, 1);
}

/* (...), (?:...), (?<name>...), (?i), (?=...) ... */
static branches *read_group(reader *rd)
{
    int zero_width = 0;
    branches *inner;

    rd->s++;                    /* '(' */
    if (*rd->s == '?') {
        const char *s = rd->s + 1;
        if (*s == '#') {        /* (?# comment ) */
            const char *end = strchr(s, ')');
            rd->s = end ? end + 1 : s + strlen(s);
            return branches_of(rd->p, "");
        }
        if (*s == '=' || *s == '!') {
            zero_width = 1;
            s++;
        }
        else if (*s == '<' && (s[1] == '=' || s[1] == '!')) {
            zero_width = 1;
            s += 2;
        }
        else if (*s == '<' || *s == '\'' || (*s == 'P' && s[1] == '<')) {
            const char *end = strpbrk(s + 1, ">'");
            s = end ? end + 1 : s + strlen(s);
        }
        else {
            while (apr_isalpha(*s) || *s == '-' || *s == '^') {
                s++;
            }
            if (*s == ')') {    /* (?i): flags for what follows */
                rd->s = s + 1;
                return branches_of(rd->p, "");
            }
            if (*s == ':') {
                s++;
            }
        }
        rd->s = s;
    }
    if (++rd->depth > MAX_DEPTH) {
        inner = branches_of(rd->p, "\001");
        while (*rd->s && *rd->s != ')') {
            rd->s++;
        }
    }
    else {
        inner = read_alternation(rd);
    }
    rd->depth--;
    if (*rd->s == ')') {
        rd->s++;
    }
    return zero_width ? branches_of(rd->p, "") : inner;
}

/* A quantifier after an atom: its least count, or -1 when there is
 * none.  "{" that does not start {n}, {n,} or {n,m} is a literal. */
static int read_quantifier(reader *rd)
{
    const char *s = rd->s;
    int min = -1;

    if (*s == '?' || *s == '*') {
        min = 0;
        s++;
    }
    else if (*s == '+') {
        min = 1;
        s++;
    }
    else if (*s == '{' && apr_isdigit(s[1])) {
        const char *c = s + 1;
        min = 0;
        while (apr_isdigit(*c)) {
            min = min < 1000 ? min * 10 + (*c - '0') : min;
            c++;
        }
        if (*c == ',') {
            c++;
            while (apr_isdigit(*c)) {
                c++;
            }
        }
        if (*c != '}') {
            return -1;
        }
        s = c + 1;
    }
    else {
        return -1;
    }
    if (*s == '?' || *s == '+') {      /* lazy, possessive */
        s++;
    }
    rd->s = s;
    return min;
}

/* One atom and its quantifier, as the branches it can stand for. */
static branches *read_quantified(reader *rd)
{
    const char *s = rd->s;
    const char *one = NULL;     /* a single-character atom */
    branches *atom = NULL;
    int min;

    switch (*s) {
    case '(':
        atom = read_group(rd);
        break;
    case '[':
        one = read_class(rd);
        break;
    case '\\':
        one = read_escape(rd);
        break;
    case '.':
        one = "\002";
        rd->s++;
        break;
    case '^':
    case '$':
        one = "";
        rd->s++;
        break;
    default:
        one = apr_pstrmemdup(rd->p, s, 1);
        rd->s++;
        break;
    }
    min = read_quantifier(rd);
    if (atom == NULL) {
        if (min >= 0 && (*one == WILD || *one == ANY_CHAR)) {
            one = "\001";       /* .* .+ [a-z]+ \d{1,3} */
        }
        else if (min == 0 && *one) {
            atom = branches_of(rd->p, "");      /* s? in https? */
            APR_ARRAY_PUSH(atom, const char *) = one;
            return atom;
        }
        return branches_of(rd->p, one);
    }
    if (min == 0) {             /* (www\.)? : with and without */
        branches *both = branches_of(rd->p, "");
        branches_add(both, atom);
        return both;
    }
    return atom;
}

static branches *read_sequence(reader *rd)
{
    branches *seq = branches_of(rd->p, "");

    while (*rd->s && *rd->s != '|' && *rd->s != ')') {
        seq = branches_join(rd->p, seq, read_quantified(rd));
    }
    return seq;
}

static branches *read_alternation(reader *rd)
{
    branches *all = read_sequence(rd);

    while (*rd->s == '|') {
        rd->s++;
        branches_add(all, read_sequence(rd));
    }
    return all;
}

static branches *read_regex(apr_pool_t *p, const char *source)
{
    reader rd = { p, source, 0 };
    branches *all = read_alternation(&rd);

    /* A stray ')' ends a group that was never opened: read on. */
    while (*rd.s == ')') {
        rd.s++;
        branches_add(all, read_alternation(&rd));
    }
    return all;
}

apr_array_header_t *cors_probe_branches(apr_pool_t *p, const char *regex_source,
                                        int *complete)
{
    branches *all = read_regex(p, regex_source ? regex_source : "");

    *complete = all->nelts < MAX_BRANCHES;
    return all;
}

/* ------------------------------------------------------------------------
 * What a branch names: scheme, domain, port
 */

typedef struct {
    const char *scheme;         /* as written ("https"), NULL: not literal */
    const char *run;            /* its domain text, ANY_CHAR kept */
    int wild_before;            /* something precedes run in the host */
    int wild_after;             /* something follows run in the host */
    const char *domain;         /* run as a name: "example.com" */
    const char *site;           /* its registrable domain */
    const char *port;           /* ":8443", or "" */
    const char *host;           /* the host as read, marks kept */
} branch;

/* The registrable domain, the site (Public Suffix List, ICANN and private
 * sections: "example.co.uk", "app.github.io"); an IP address, a public
 * suffix or a single label as it is. */
static const char *site_of(const char *domain)
{
    const char *c, *site;

    for (c = domain; *c && (apr_isdigit(*c) || *c == '.'); c++) {
    }
    if (*c == '\0' || domain[0] == '[') {
        return domain;          /* an IP address */
    }
    site = psl_registrable_domain(psl_builtin(), domain);
    return site ? site : domain;
}

/* The text of run with its marks as dots, lowercased, without leading
 * and trailing '.' and '-'. */
static const char *name_of(apr_pool_t *p, const char *run)
{
    char *name = apr_pstrdup(p, run), *c, *end;

    for (c = name; *c; c++) {
        *c = *c == ANY_CHAR ? '.' : apr_tolower(*c);
    }
    for (c = name; *c == '.' || *c == '-'; c++) {
    }
    end = c + strlen(c);
    while (end > c && (end[-1] == '.' || end[-1] == '-')) {
        *--end = '\0';
    }
    return c;
}

static int is_dotted(char c)
{
    return c == '.' || c == ANY_CHAR;
}

/* The run of host [start, end) the branch is about: the longest literal
 * run with a dot in it, else the longest. */
static void find_run(const char *host, apr_size_t len, apr_size_t *start,
                     apr_size_t *end)
{
    apr_size_t i = 0, best_len = 0;
    int best_dotted = 0;

    *start = *end = 0;
    while (i < len) {
        apr_size_t j = i;
        int dotted = 0;
        while (j < len && host[j] != WILD) {
            dotted |= is_dotted(host[j]);
            j++;
        }
        if (j > i && (dotted > best_dotted
                      || (dotted == best_dotted && j - i > best_len))) {
            *start = i;
            *end = j;
            best_len = j - i;
            best_dotted = dotted;
        }
        i = j + 1;
    }
}

static const char *port_of(apr_pool_t *p, const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len == 0) {
        return "";
    }
    for (i = 0; i < len; i++) {
        if (s[i] == WILD || s[i] == ANY_CHAR) {
            return ":8443";     /* a port of the attacker's choosing */
        }
        if (!apr_isdigit(s[i])) {
            return "";
        }
    }
    return apr_pstrcat(p, ":", apr_pstrmemdup(p, s, len), NULL);
}

static void read_branch(apr_pool_t *p, const char *text, branch *b)
{
    const char *sep = strstr(text, "://"), *host = text, *c;
    apr_size_t hlen, start, end;

    memset(b, 0, sizeof(*b));
    b->port = "";
    if (sep) {
        for (c = text; c < sep && *c != WILD && *c != ANY_CHAR; c++) {
        }
        if (c == sep && sep > text) {
            char *scheme = apr_pstrmemdup(p, text, sep - text);
            for (c = scheme; *c; c++) {
                *(char *)c = apr_tolower(*c);
            }
            b->scheme = scheme;
        }
        host = sep + 3;
    }
    if (*host == '[') {
        const char *close = strchr(host, ']');
        hlen = close ? (apr_size_t)(close + 1 - host) : strlen(host);
    }
    else {
        hlen = strcspn(host, ":/");
    }
    if (host[hlen] == ':') {
        b->port = port_of(p, host + hlen + 1, strcspn(host + hlen + 1, "/"));
    }
    b->host = apr_pstrmemdup(p, host, hlen);
    find_run(host, hlen, &start, &end);
    if (end == start) {
        return;
    }
    b->run = apr_pstrmemdup(p, host + start, end - start);
    b->domain = name_of(p, b->run);
    if (!*b->domain) {
        b->run = b->domain = NULL;
        return;
    }
    b->site = site_of(b->domain);
    b->wild_before = memchr(host, WILD, start) != NULL
                     || (sep == NULL && start > 0);
    b->wild_after = memchr(host + end, WILD, hlen - end) != NULL;
}

/* ------------------------------------------------------------------------
 * Making the probes
 */

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *probes; /* of cors_probe */
    apr_hash_t *seen;
    const branch *branches;
    int nbranches;
} probe_set;

static int host_is_under(const char *host, const char *site)
{
    apr_size_t hl = strlen(host), sl = strlen(site);

    return hl == sl ? strcmp(host, site) == 0
                    : hl > sl && host[hl - sl - 1] == '.'
                          && strcmp(host + hl - sl, site) == 0;
}

/* Is scheme://host an origin the regex names: under the site of a
 * branch that names this scheme (or any scheme, for https)? */
static int is_named(const probe_set *ps, const char *scheme, const char *host)
{
    int i;

    for (i = 0; i < ps->nbranches; i++) {
        const branch *b = &ps->branches[i];
        if (b->site && host_is_under(host, b->site)
            && strcmp(scheme, b->scheme ? b->scheme : "https") == 0) {
            return 1;
        }
    }
    return 0;
}

/* Adds scheme://host:port (host lowercased) unless it is in the set
 * already or is not an origin a browser sends (cors_origin.c's grammar): the
 * decision refuses such an Origin before any regex sees it. */
static void add_origin(probe_set *ps, cors_probe_kind kind, const char *scheme,
                       const char *host, const char *port)
{
    char *h = apr_pstrdup(ps->p, host), *c;
    const char *origin;
    cors_probe *probe;

    for (c = h; *c; c++) {
        *c = apr_tolower(*c);
    }
    origin = apr_pstrcat(ps->p, scheme, "://", h, port, NULL);
    if (!cors_origin_is_valid(origin)
        || apr_hash_get(ps->seen, origin, APR_HASH_KEY_STRING)) {
        return;
    }
    apr_hash_set(ps->seen, origin, APR_HASH_KEY_STRING, origin);
    probe = apr_array_push(ps->probes);
    probe->origin = origin;
    probe->kind = kind;
}

/* An attacker origin: one of a site the regex does not name. */
static void add_probe(probe_set *ps, cors_probe_kind kind, const char *scheme,
                      const char *host, const char *port)
{
    char *h = apr_pstrdup(ps->p, host), *c;

    for (c = h; *c; c++) {
        *c = apr_tolower(*c);
    }
    if (!is_named(ps, scheme, h)) {
        add_origin(ps, kind, scheme, h, port);
    }
}

/* The branch's host as written, with something where its wildcards are:
 * before (a label, or a prefix of one) ahead of the run when there is a
 * wildcard there; dot is the index of an ANY_CHAR to write as 'x', or -1.
 * Marks are left for name_of(). */
static const char *fill(apr_pool_t *p, const branch *b, const char *before,
                        int dot)
{
    char *run = apr_pstrdup(p, b->run);

    if (dot >= 0) {
        run[dot] = 'x';
    }
    return b->wild_before ? apr_pstrcat(p, before, run, NULL) : run;
}

static const char *const fills[] = { "evil", "0" };
#define NFILLS (b->wild_before ? 2 : 1)

/* Calls add for each host a branch's probes are made from: the filled
 * hosts and the bare domain. */
static void add_for_hosts(probe_set *ps, const branch *b, cors_probe_kind kind,
                          const char *scheme, const char *prefix,
                          const char *suffix, const char *port)
{
    int i;

    for (i = 0; i < NFILLS; i++) {
        const char *h = fill(ps->p, b, fills[i], -1);
        add_probe(ps, kind, scheme,
                  apr_pstrcat(ps->p, prefix, name_of(ps->p, h), suffix, NULL),
                  port);
    }
    add_probe(ps, kind, scheme,
              apr_pstrcat(ps->p, prefix, b->domain, suffix, NULL), port);
}

/* Origins made to make a backtracking regex work hard: the branch's host
 * with each wildcard a run of 60 of one character and a '-' at the end,
 * where no regex written for hosts can end ("https://([a-z]+)+\.a{40}p0"
 * "\.com" tries every split of the run).  The regex may be meant to
 * allow such a host: only reaching a limit on one counts. */
static void add_backtrack_probes(probe_set *ps, const branch *b,
                                 const char *scheme, const char *port)
{
    /* Long enough for the shortest subject PCRE2 would try a regex with
     * a{40} on (a shorter one fails before any backtracking), short
     * enough for a label. */
    char runs[2][61];
    apr_size_t i;
    const char *c;

    memset(runs[0], 'a', 60);
    memset(runs[1], '0', 60);
    runs[0][60] = runs[1][60] = '\0';

    if (strchr(b->host, WILD) == NULL) {
        return;
    }
    for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        const char *h = "";
        for (c = b->host; *c; c++) {
            h = apr_pstrcat(ps->p, h, *c == WILD ? runs[i]
                                     : *c == ANY_CHAR ? "a"
                                     : apr_pstrmemdup(ps->p, c, 1), NULL);
        }
        add_origin(ps, CORS_PROBE_BACKTRACK, scheme,
                   apr_pstrcat(ps->p, h, "-", NULL), port);
    }
}

static int is_loopback(const char *host)
{
    return cors_host_is_loopback(host, strlen(host));
}

static void add_branch_probes(probe_set *ps, const branch *b,
                              cors_probe_kind kind, const char *port)
{
    const char *scheme = b->scheme ? b->scheme : "https";
    int i, k;

    switch (kind) {
    case CORS_PROBE_UNRELATED:
        add_probe(ps, kind, scheme, "evil.example", port);
        break;
    case CORS_PROBE_PREFIX:
        add_probe(ps, kind, scheme, apr_pstrcat(ps->p, "evil", b->site, NULL),
                  port);
        add_probe(ps, kind, scheme,
                  apr_pstrcat(ps->p, "evil-", b->site, NULL), port);
        add_probe(ps, kind, scheme,
                  apr_pstrcat(ps->p, "evil", b->domain, NULL), port);
        break;
    case CORS_PROBE_OTHER_SITE:
        add_for_hosts(ps, b, kind, scheme, "", ".evil.example", port);
        break;
    case CORS_PROBE_SUFFIX:
        add_for_hosts(ps, b, kind, scheme, "", "evil.example", port);
        if (b->wild_after) {    /* app\.example\.[a-z]+: any TLD */
            add_for_hosts(ps, b, kind, scheme, "", ".evil", port);
        }
        break;
    case CORS_PROBE_DOT:
        for (k = 0; b->run[k]; k++) {
            if (b->run[k] != ANY_CHAR) {
                continue;
            }
            for (i = 0; i < NFILLS; i++) {
                add_probe(ps, kind, scheme,
                          name_of(ps->p, fill(ps->p, b, fills[i], k)), port);
            }
        }
        break;
    case CORS_PROBE_PLAIN_HTTP:
        if (b->scheme == NULL || strcmp(b->scheme, "http") != 0) {
            for (i = 0; i < NFILLS; i++) {
                const char *h = name_of(ps->p, fill(ps->p, b, fills[i], -1));
                if (!is_loopback(h)) {
                    add_probe(ps, kind, "http", h, port);
                }
            }
            if (!is_loopback(b->domain)) {
                add_probe(ps, kind, "http", b->domain, port);
            }
        }
        break;
    case CORS_PROBE_BACKTRACK:
        add_backtrack_probes(ps, b, scheme, port);
        break;
    default:
        break;
    }
}

static void add_kind(probe_set *ps, cors_probe_kind kind)
{
    int i;

    if (kind == CORS_PROBE_UNRELATED) {
        add_probe(ps, kind, "https", "evil.example", "");
        add_probe(ps, kind, "https", "any-site.invalid", "");
        add_probe(ps, kind, "http", "evil.example", "");
    }
    for (i = 0; i < ps->nbranches; i++) {
        const branch *b = &ps->branches[i];
        if (b->domain == NULL && kind != CORS_PROBE_UNRELATED) {
            continue;
        }
        if (b->domain) {
            add_branch_probes(ps, b, kind, "");
        }
        if (*b->port) {
            add_branch_probes(ps, b, kind, b->port);
        }
    }
    if (kind == CORS_PROBE_NULL) {
        cors_probe *probe = apr_array_push(ps->probes);
        probe->origin = "null";
        probe->kind = kind;
    }
}

apr_array_header_t *cors_probe_set(apr_pool_t *p, const char *regex_source)
{
    branches *texts = read_regex(p, regex_source ? regex_source : "");
    branch *all = apr_pcalloc(p, texts->nelts * sizeof(*all) + 1);
    probe_set ps;
    int i, kind;

    for (i = 0; i < texts->nelts; i++) {
        read_branch(p, APR_ARRAY_IDX(texts, i, const char *), &all[i]);
    }
    ps.p = p;
    ps.probes = apr_array_make(p, 64, sizeof(cors_probe));
    ps.seen = apr_hash_make(p);
    ps.branches = all;
    ps.nbranches = texts->nelts;
    for (kind = 0; kind < CORS_PROBE_KIND_COUNT; kind++) {
        add_kind(&ps, (cors_probe_kind)kind);
    }
    return ps.probes;
}

const cors_probe *cors_probe_find(apr_pool_t *p, const char *regex_source,
                                  cors_match_fn *match, const void *data)
{
    const apr_array_header_t *set = cors_probe_set(p, regex_source);
    int i;

    for (i = 0; i < set->nelts; i++) {
        const cors_probe *probe = &APR_ARRAY_IDX(set, i, cors_probe);
        int said = match(data, probe->origin);
        if (said == CORS_MATCH_LIMIT
            || (said && probe->kind != CORS_PROBE_BACKTRACK)) {
            return probe;
        }
    }
    return NULL;
}

/* An alternative of the regex made into an http origin: the scheme
 * replaced, each unknown run filled ("app" for a wildcard, '.' for an
 * unescaped dot); NULL when it has no "://". */
static const char *as_plain_http(apr_pool_t *p, const char *alt)
{
    const char *rest = strstr(alt, "://"), *c;
    char *out, *o;

    if (rest == NULL) {
        return NULL;
    }
    out = o = apr_palloc(p, 7 + 3 * strlen(rest) + 1);
    memcpy(o, "http://", 7);
    o += 7;
    for (c = rest + 3; *c; c++) {
        if (*c == CORS_PROBE_WILD) {
            memcpy(o, "app", 3);
            o += 3;
        }
        else {
            *o++ = *c == CORS_PROBE_ANY_CHAR ? '.' : *c;
        }
    }
    *o = '\0';
    return out;
}

const char *cors_probe_plain_http(apr_pool_t *p, const char *regex_source,
                                  cors_match_fn *match, const void *data)
{
    int complete, i;
    apr_array_header_t *alts = cors_probe_branches(p, regex_source,
                                                   &complete);

    for (i = 0; i < alts->nelts; i++) {
        const char *origin = as_plain_http(p, APR_ARRAY_IDX(alts, i,
                                                            const char *));
        char host[256];
        if (origin == NULL) {
            continue;
        }
        apr_cpystrn(host, origin + 7, sizeof(host));
        if (host[0] != '[') {
            host[strcspn(host, ":")] = '\0';
        }
        if (!is_loopback(host) && match(data, origin) == CORS_MATCH_YES) {
            return origin;
        }
    }
    return NULL;
}

const char *cors_probe_describe(apr_pool_t *p, const char *regex_source,
                                const cors_probe *probe)
{
    static const char *const what[CORS_PROBE_KIND_COUNT] = {
        "matches the origin of any site (such as %s)",
        "matches %s, a site whose name only ends in the domain it names",
        "matches %s, a subdomain of another site",
        "matches %s, a site whose name only starts with the domain it "
        "names",
        "has a '.' that matches any character (it matches %s); write '\\.' "
        "for a literal dot",
        "matches %s: plain http, which anyone on the network path can "
        "impersonate",
        "matches %s, the origin of sandboxed pages and local files",
        "takes too much work to match %s",
    };

    return apr_pstrcat(p, "'", regex_source, "' ",
                       apr_psprintf(p, what[probe->kind], probe->origin),
                       NULL);
}
