/* SPDX-License-Identifier: Apache-2.0 */
/*
 * propose.c -- the tally of an access log's cross-origin traffic and the
 * policy it needs.  See propose.h.
 *
 * The origin grammar, the subdomain patterns and their matching, and the
 * method and header-name rules are mod_cors's own (cors_lists.c): what is
 * proposed is checked by the code that will read it.
 */
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "apr_hash.h"
#include "apr_strings.h"

#include "cors_logic.h"
#include "propose.h"

/* ------------------------------------------------------------------------
 * The tally
 */

/* One Origin value seen for one virtual host. */
typedef struct {
    const char *value;              /* the key: as logged, maybe cut */
    const char *shown;              /* printable, "..." when cut */
    apr_uint64_t requests;
    apr_array_header_t *methods;    /* interned names; NULL until a preflight */
    apr_array_header_t *headers;
    unsigned int valid : 1;         /* a serialized origin (or "null") */
} seen_origin;

typedef struct {
    const char *key;                /* as logged, maybe cut */
    size_t key_len;
    const char *name;               /* printable */
    apr_uint64_t requests;
    apr_hash_t *origins;            /* value -> seen_origin */
    apr_hash_t *names;              /* method and header names, interned */
} seen_vhost;

struct pp_tally {
    apr_pool_t *pool;
    const char *prefix;
    size_t prefix_len;
    apr_hash_t *vhosts;             /* name -> seen_vhost */
    seen_vhost *last;               /* most logs have one virtual host */
    pp_counts counts;
};

/* Longest virtual-host name kept (a DNS name is at most 253). */
#define VHOST_MAX 255
/* Longest method or header name recorded from a preflight. */
#define NAME_MAX_LEN 127

pp_tally *pp_tally_make(apr_pool_t *p, const char *prefix)
{
    pp_tally *t = apr_pcalloc(p, sizeof(*t));

    t->pool = p;
    t->prefix = prefix ? prefix : "";
    t->prefix_len = strlen(t->prefix);
    t->vhosts = apr_hash_make(p);
    return t;
}

const pp_counts *pp_tally_counts(const pp_tally *t)
{
    return &t->counts;
}

static const char *printable(apr_pool_t *p, const char *s, size_t len,
                             int cut);

static seen_vhost *find_vhost(pp_tally *t, const ll_span *name)
{
    int cut = name->len > VHOST_MAX;
    size_t len = cut ? VHOST_MAX : name->len;
    seen_vhost *v = t->last;

    if (v && v->key_len == len && memcmp(v->key, name->s, len) == 0) {
        return v;
    }
    v = apr_hash_get(t->vhosts, name->s, (apr_ssize_t)len);
    if (v == NULL) {
        v = apr_pcalloc(t->pool, sizeof(*v));
        v->key = apr_pstrmemdup(t->pool, name->s, len);
        v->key_len = len;
        v->name = printable(t->pool, v->key, len, cut);
        v->origins = apr_hash_make(t->pool);
        v->names = apr_hash_make(t->pool);
        apr_hash_set(t->vhosts, v->key, (apr_ssize_t)len, v);
    }
    t->last = v;
    return v;
}

/* The value as it can be printed: bytes outside printable ASCII as \xhh
 * (httpd's own log escaping does the same), "..." when it was cut. */
static const char *printable(apr_pool_t *p, const char *s, size_t len,
                             int cut)
{
    char *out = apr_palloc(p, len * 4 + 4), *o = out;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f) {
            o += apr_snprintf(o, 5, "\\x%02x", c);
        }
        else {
            *o++ = (char)c;
        }
    }
    memcpy(o, cut ? "..." : "", cut ? 4 : 1);
    return out;
}

static seen_origin *find_origin(pp_tally *t, seen_vhost *v,
                                const ll_span *origin)
{
    int cut = origin->len > PP_VALUE_MAX;
    size_t len = cut ? PP_VALUE_MAX : origin->len;
    seen_origin *o = apr_hash_get(v->origins, origin->s, (apr_ssize_t)len);

    if (o == NULL) {
        o = apr_pcalloc(t->pool, sizeof(*o));
        o->value = apr_pstrmemdup(t->pool, origin->s, len);
        /* checked once per distinct value, not once per line */
        o->valid = !cut && len <= CORS_ORIGIN_MAX && cors_origin_is_valid(o->value);
        o->shown = o->valid ? o->value : printable(t->pool, o->value, len, cut);
        apr_hash_set(v->origins, o->value, (apr_ssize_t)len, o);
    }
    return o;
}

/* The one copy of a name for the virtual host: per-origin lists hold
 * pointers, so a name asked for by a thousand origins is stored once. */
static const char *intern(pp_tally *t, seen_vhost *v, const char *name)
{
    const char *s = apr_hash_get(v->names, name, APR_HASH_KEY_STRING);

    if (s == NULL) {
        s = apr_pstrdup(t->pool, name);
        apr_hash_set(v->names, s, APR_HASH_KEY_STRING, s);
    }
    return s;
}

static void remember(pp_tally *t, apr_array_header_t **list, const char *name)
{
    int i;

    if (*list == NULL) {
        *list = apr_array_make(t->pool, 4, sizeof(const char *));
    }
    for (i = 0; i < (*list)->nelts; i++) {
        if (APR_ARRAY_IDX(*list, i, const char *) == name) {
            return;
        }
    }
    if ((*list)->nelts < PP_NAMES_MAX) {
        APR_ARRAY_PUSH(*list, const char *) = name;
    }
}

/* The method of a preflight: one token, as the page wrote it (methods
 * are case-sensitive).  GET, HEAD and POST need no CORSAllowMethods. */
static void tally_method(pp_tally *t, seen_vhost *v, seen_origin *o,
                         const ll_span *acrm)
{
    char m[NAME_MAX_LEN + 1];

    if (acrm->len > NAME_MAX_LEN) {
        return;
    }
    memcpy(m, acrm->s, acrm->len);
    m[acrm->len] = '\0';
    if (!cors_is_token(m) || strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0
        || strcmp(m, "POST") == 0) {
        return;
    }
    remember(t, &o->methods, intern(t, v, m));
}

/* The names of Access-Control-Request-Headers, lowercased (they compare
 * case-insensitively).  A list mod_cors would refuse as too long is a
 * request no policy can allow: it adds nothing. */
static void tally_headers(pp_tally *t, seen_vhost *v, seen_origin *o,
                          const ll_span *acrh)
{
    char list[CORS_ACRH_MAX_BYTES + 1], name[NAME_MAX_LEN + 1];
    const char *cursor = list, *e;
    size_t len, i;
    int n = 0;

    if (acrh->len == 0 || acrh->len > CORS_ACRH_MAX_BYTES) {
        return;
    }
    memcpy(list, acrh->s, acrh->len);
    list[acrh->len] = '\0';
    while ((e = cors_list_next(&cursor, &len)) != NULL) {
        if (++n > CORS_ACRH_MAX_NAMES) {
            return;
        }
        if (len > NAME_MAX_LEN) {
            continue;
        }
        for (i = 0; i < len; i++) {
            name[i] = (char)((e[i] >= 'A' && e[i] <= 'Z') ? e[i] + 32 : e[i]);
        }
        name[len] = '\0';
        if (cors_is_token(name)) {
            remember(t, &o->headers, intern(t, v, name));
        }
    }
}

void pp_tally_add(pp_tally *t, const ll_fields *f)
{
    seen_vhost *v;
    seen_origin *o;

    if (!f->has_origin) {
        t->counts.no_origin++;
        return;
    }
    if (!ll_path_under(f, t->prefix, t->prefix_len)) {
        t->counts.outside_prefix++;
        return;
    }
    t->counts.counted++;
    v = find_vhost(t, &f->vhost);
    o = find_origin(t, v, &f->origin);
    v->requests++;
    o->requests++;
    if (ll_is_preflight(f) && o->valid) {
        tally_method(t, v, o, &f->acrm);
        tally_headers(t, v, o, &f->acrh);
    }
}

/* ------------------------------------------------------------------------
 * The proposal
 */

const char *pp_reason_name(pp_reason r)
{
    static const char *const names[] = { "null", "invalid", "lookalike", "rare" };

    return names[r];
}

typedef enum {
    FATE_ALLOWED,           /* an exact CORSAllowOrigin */
    FATE_IN_PATTERN,        /* allowed by a subdomain pattern */
    FATE_LEFT_OUT
} fate;

/* An origin while the proposal is worked out. */
typedef struct {
    const seen_origin *seen;
    char *host;                 /* a copy; NULL for null and invalid values */
    const char *domain;         /* registrable domain (or the host); NULL: IP */
    const char *port;           /* ":8443" or "" */
    size_t scheme_len;          /* "https" */
    int frequent;
    fate fate;
    pp_reason reason;
    const char *like;
} candidate;

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *cands;  /* of candidate, sorted by origin */
} plan;

static int is_ip_host(const char *host)
{
    size_t n = strlen(host);

    return host[0] == '[' || (n > 0 && host[n - 1] >= '0' && host[n - 1] <= '9');
}

/* Splits a valid origin into scheme, host and port; finds the host's
 * registrable domain in the Public Suffix List (a host the list knows
 * nothing of, "localhost" or "intranet", stands for itself). */
static void read_origin(apr_pool_t *p, candidate *c)
{
    const char *v = c->seen->value, *h = strstr(v, "://") + 3, *e = h;
    const char *reg;

    if (*e == '[') {
        e = strchr(e, ']') + 1;
    }
    e += strcspn(e, ":");
    c->scheme_len = (size_t)(h - 3 - v);
    c->host = apr_pstrmemdup(p, h, (size_t)(e - h));
    c->port = e;
    if (is_ip_host(c->host)) {
        return;
    }
    reg = psl_registrable_domain(psl_builtin(), c->host);
    c->domain = reg ? reg : c->host;
}

static int by_value(const void *a, const void *b)
{
    const seen_origin *x = *(const seen_origin *const *)a;
    const seen_origin *y = *(const seen_origin *const *)b;

    return strcmp(x->value, y->value);
}

static apr_array_header_t *candidates(apr_pool_t *p, const seen_vhost *v,
                                      const pp_options *o)
{
    apr_array_header_t *seen = apr_array_make(p, 16, sizeof(seen_origin *));
    apr_array_header_t *cands;
    apr_hash_index_t *hi;
    int i;

    for (hi = apr_hash_first(p, v->origins); hi; hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(seen, seen_origin *) = apr_hash_this_val(hi);
    }
    qsort(seen->elts, (size_t)seen->nelts, sizeof(seen_origin *), by_value);
    cands = apr_array_make(p, seen->nelts, sizeof(candidate));
    for (i = 0; i < seen->nelts; i++) {
        candidate *c = apr_array_push(cands);

        memset(c, 0, sizeof(*c));
        c->seen = APR_ARRAY_IDX(seen, i, seen_origin *);
        c->frequent = c->seen->requests >= (apr_uint64_t)o->min_requests;
        c->fate = FATE_LEFT_OUT;
        if (strcmp(c->seen->value, "null") == 0) {
            c->reason = PP_REASON_NULL;
        }
        else if (!c->seen->valid) {
            c->reason = PP_REASON_INVALID;
        }
        else {
            read_origin(p, c);
            c->fate = c->frequent ? FATE_ALLOWED : FATE_LEFT_OUT;
            c->reason = PP_REASON_RARE;
        }
    }
    return cands;
}

/* The registrable domains of the candidates still allowed, once each. */
static apr_array_header_t *allowed_domains(plan *pl)
{
    apr_array_header_t *out = apr_array_make(pl->p, 8, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(pl->p);
    int i;

    for (i = 0; i < pl->cands->nelts; i++) {
        candidate *c = &APR_ARRAY_IDX(pl->cands, i, candidate);
        if (c->fate == FATE_ALLOWED && c->domain
            && !apr_hash_get(seen, c->domain, APR_HASH_KEY_STRING)) {
            apr_hash_set(seen, c->domain, APR_HASH_KEY_STRING, c->domain);
            APR_ARRAY_PUSH(out, const char *) = c->domain;
        }
    }
    return out;
}

/* A site whose name ends in, starts with or contains an allowed domain
 * without being under it: https://evilexample.com,
 * https://example.com.evil.net -- the origins CORS scanners send, and
 * what a careless regex lets in.  Subdomains of the same registrable
 * domain are the same site's, never lookalikes. */
static const char *looks_like(const candidate *c, const apr_array_header_t *domains)
{
    int i;

    if (c->domain == NULL) {
        return NULL;
    }
    for (i = 0; i < domains->nelts; i++) {
        const char *d = APR_ARRAY_IDX(domains, i, const char *);
        if (strcmp(d, c->domain) != 0 && strstr(c->host, d) != NULL) {
            return d;
        }
    }
    return NULL;
}

/* Two rounds: the frequent origins against each other first (a scanner's
 * lookalike can be frequent too, and is never what allows another), then
 * every origin left against the allowed sites that remain. */
static void find_lookalikes(plan *pl)
{
    apr_array_header_t *domains = allowed_domains(pl);
    int round, i;

    for (round = 0; round < 2; round++) {
        for (i = 0; i < pl->cands->nelts; i++) {
            candidate *c = &APR_ARRAY_IDX(pl->cands, i, candidate);
            const char *like;
            if (c->host == NULL || (round == 0 && !c->frequent)
                || (round == 1 && c->fate != FATE_LEFT_OUT)) {
                continue;
            }
            if ((like = looks_like(c, domains)) != NULL) {
                c->fate = FATE_LEFT_OUT;
                c->reason = PP_REASON_LOOKALIKE;
                c->like = like;
            }
        }
        if (round == 0) {
            domains = allowed_domains(pl);
        }
    }
}

/* A subdomain pattern being built: the origins it stands for, and
 * mod_cors's own compiled form of it, which says what else it allows. */
typedef struct {
    pp_pattern out;
    cors_origins *set;
    apr_array_header_t *members;    /* their origins, const char * */
} pattern;

/* A pattern's comment names this many of its origins. */
#define PATTERN_EXAMPLES 3

static int ends_in_subdomain_of(const char *host, const char *parent)
{
    size_t h = strlen(host), n = strlen(parent);

    return h > n + 1 && host[h - n - 1] == '.' && strcmp(host + h - n, parent) == 0;
}

/* The closest parent domain all the members are under, never above
 * their registrable domain: a.app.example.com and b.app.example.com give
 * app.example.com, so the pattern allows no more than the traffic needs. */
static const char *common_parent(apr_array_header_t *members)
{
    const candidate *first = APR_ARRAY_IDX(members, 0, candidate *);
    const char *parent = strchr(first->host, '.') + 1;
    int i;

    for (i = 1; i < members->nelts; i++) {
        const candidate *m = APR_ARRAY_IDX(members, i, candidate *);
        while (!ends_in_subdomain_of(m->host, parent)) {
            parent = strchr(parent, '.') + 1;
        }
    }
    return parent;
}

/* The allowed origins that are subdomains of a registrable domain,
 * grouped by scheme, registrable domain and port (of candidate *). */
static apr_hash_t *subdomain_groups(plan *pl)
{
    apr_hash_t *groups = apr_hash_make(pl->p);
    int i;

    for (i = 0; i < pl->cands->nelts; i++) {
        candidate *c = &APR_ARRAY_IDX(pl->cands, i, candidate);
        const char *key;
        apr_array_header_t *members;
        if (c->fate != FATE_ALLOWED || c->domain == NULL
            || !ends_in_subdomain_of(c->host, c->domain)) {
            continue;
        }
        key = apr_psprintf(pl->p, "%.*s://%s%s", (int)c->scheme_len,
                           c->seen->value, c->domain, c->port);
        members = apr_hash_get(groups, key, APR_HASH_KEY_STRING);
        if (members == NULL) {
            members = apr_array_make(pl->p, 4, sizeof(candidate *));
            apr_hash_set(groups, key, APR_HASH_KEY_STRING, members);
        }
        APR_ARRAY_PUSH(members, candidate *) = c;
    }
    return groups;
}

static void join_pattern(pattern *pat, candidate *c)
{
    c->fate = FATE_IN_PATTERN;
    APR_ARRAY_PUSH(pat->members, const char *) = c->seen->value;
    pat->out.origins++;
    pat->out.requests += c->seen->requests;
}

/* A group of PP_COLLAPSE_MIN or more becomes one pattern, checked by
 * mod_cors's parser (a pattern over a public suffix would be refused). */
static pattern *collapse(plan *pl, apr_array_header_t *members)
{
    const candidate *first = APR_ARRAY_IDX(members, 0, candidate *);
    pattern *pat = apr_pcalloc(pl->p, sizeof(*pat));
    int i;

    pat->out.pattern = apr_psprintf(pl->p, "%.*s://*.%s%s", (int)first->scheme_len,
                                    first->seen->value, common_parent(members),
                                    first->port);
    pat->set = cors_origins_make(pl->p);
    pat->members = apr_array_make(pl->p, members->nelts, sizeof(const char *));
    if (cors_origins_add(pat->set, pl->p, pat->out.pattern) != NULL) {
        return NULL;
    }
    for (i = 0; i < members->nelts; i++) {
        join_pattern(pat, APR_ARRAY_IDX(members, i, candidate *));
    }
    return pat;
}

static int by_pattern(const void *a, const void *b)
{
    return strcmp((*(const pattern *const *)a)->out.pattern,
                  (*(const pattern *const *)b)->out.pattern);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "https://a.example.com, https://b.example.com, https://c.example.com and
 * 4 more": what the pattern's comment line says it stands for. */
static void name_examples(apr_pool_t *p, pattern *pat)
{
    apr_array_header_t *m = pat->members;
    const char *s = "";
    int i;

    qsort(m->elts, (size_t)m->nelts, sizeof(const char *), by_name);
    for (i = 0; i < m->nelts && i < PATTERN_EXAMPLES; i++) {
        s = apr_pstrcat(p, s, i ? ", " : "", APR_ARRAY_IDX(m, i, const char *), NULL);
    }
    if (m->nelts > PATTERN_EXAMPLES) {
        s = apr_psprintf(p, "%s and %d more", s, m->nelts - PATTERN_EXAMPLES);
    }
    pat->out.examples = s;
}

/* The patterns (of pattern *), sorted.  A rare origin a pattern allows is
 * not left out: the pattern lets it in, and the count says so. */
static apr_array_header_t *find_patterns(plan *pl)
{
    apr_array_header_t *pats = apr_array_make(pl->p, 2, sizeof(pattern *));
    apr_hash_index_t *hi;
    int i, j;

    for (hi = apr_hash_first(pl->p, subdomain_groups(pl)); hi; hi = apr_hash_next(hi)) {
        apr_array_header_t *members = apr_hash_this_val(hi);
        pattern *pat;
        if (members->nelts >= PP_COLLAPSE_MIN && (pat = collapse(pl, members)) != NULL) {
            APR_ARRAY_PUSH(pats, pattern *) = pat;
        }
    }
    qsort(pats->elts, (size_t)pats->nelts, sizeof(pattern *), by_pattern);
    for (i = 0; i < pl->cands->nelts; i++) {
        candidate *c = &APR_ARRAY_IDX(pl->cands, i, candidate);
        if (c->fate != FATE_LEFT_OUT || c->reason != PP_REASON_RARE) {
            continue;
        }
        for (j = 0; j < pats->nelts; j++) {
            pattern *pat = APR_ARRAY_IDX(pats, j, pattern *);
            if (cors_origins_match(pat->set, c->seen->value) == CORS_ORIGIN_MATCH) {
                join_pattern(pat, c);
                break;
            }
        }
    }
    for (j = 0; j < pats->nelts; j++) {
        name_examples(pl->p, APR_ARRAY_IDX(pats, j, pattern *));
    }
    return pats;
}

static int is_kept(const candidate *c)
{
    return c->fate == FATE_ALLOWED || c->fate == FATE_IN_PATTERN;
}

/* "x-request-id" -> "X-Request-Id": how header names are usually written
 * (they compare case-insensitively). */
static const char *header_case(apr_pool_t *p, const char *name)
{
    char *s = apr_pstrdup(p, name), *c;
    int start = 1;

    for (c = s; *c; c++) {
        if (start && *c >= 'a' && *c <= 'z') {
            *c = (char)(*c - 32);
        }
        start = *c == '-';
    }
    return s;
}

typedef enum {
    NAMES_METHODS,
    NAMES_HEADERS
} names_kind;

/* Would mod_cors take name in CORSAllowMethods / CORSAllowHeaders?  A
 * preflight can ask for what no policy may list (TRACE, Cookie, a
 * scanner's junk): such a name is not proposed. */
static int directive_takes(apr_pool_t *p, names_kind kind, const char *name)
{
    char *argv[1];
    const char *warning = NULL;

    argv[0] = apr_pstrdup(p, name);
    if (kind == NAMES_METHODS) {
        return cors_list_add_methods(cors_list_make(p), p, 1, argv, &warning) == NULL;
    }
    return cors_list_add_allow_headers(cors_list_make(p), p, 1, argv) == NULL;
}

/* The methods or header names the kept origins' preflights asked for,
 * once each, sorted, as the directive writes them. */
static apr_array_header_t *asked_for(plan *pl, names_kind kind)
{
    apr_array_header_t *out = apr_array_make(pl->p, 4, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(pl->p);
    int i, j;

    for (i = 0; i < pl->cands->nelts; i++) {
        const candidate *c = &APR_ARRAY_IDX(pl->cands, i, candidate);
        const apr_array_header_t *names = kind == NAMES_METHODS ? c->seen->methods
                                                                 : c->seen->headers;
        for (j = 0; is_kept(c) && names && j < names->nelts; j++) {
            const char *n = APR_ARRAY_IDX(names, j, const char *);
            if (!apr_hash_get(seen, n, APR_HASH_KEY_STRING)) {
                apr_hash_set(seen, n, APR_HASH_KEY_STRING, n);
                if (directive_takes(pl->p, kind, n)) {
                    APR_ARRAY_PUSH(out, const char *) = n;
                }
            }
        }
    }
    qsort(out->elts, (size_t)out->nelts, sizeof(const char *), by_name);
    for (i = 0; kind == NAMES_HEADERS && i < out->nelts; i++) {
        APR_ARRAY_IDX(out, i, const char *) =
            header_case(pl->p, APR_ARRAY_IDX(out, i, const char *));
    }
    return out;
}

static int by_requests(const void *a, const void *b)
{
    const pp_origin *x = a, *y = b;

    if (x->requests != y->requests) {
        return x->requests > y->requests ? -1 : 1;
    }
    return strcmp(x->origin, y->origin);
}

static int by_reason(const void *a, const void *b)
{
    const pp_left_out *x = a, *y = b;

    if (x->reason != y->reason) {
        return x->reason < y->reason ? -1 : 1;
    }
    if (x->requests != y->requests) {
        return x->requests > y->requests ? -1 : 1;
    }
    return strcmp(x->origin, y->origin);
}

static void sort_origins(pp_proposal *pr, const plan *pl)
{
    int i;

    for (i = 0; i < pl->cands->nelts; i++) {
        const candidate *c = &APR_ARRAY_IDX(pl->cands, i, candidate);
        if (c->fate == FATE_ALLOWED) {
            pp_origin *o = apr_array_push(pr->origins);
            o->origin = c->seen->value;
            o->requests = c->seen->requests;
        }
        else if (c->fate == FATE_LEFT_OUT) {
            pp_left_out *l = apr_array_push(pr->left_out);
            l->origin = c->seen->shown;
            l->requests = c->seen->requests;
            l->reason = c->reason;
            l->like = c->like;
        }
    }
    qsort(pr->origins->elts, (size_t)pr->origins->nelts, sizeof(pp_origin), by_requests);
    qsort(pr->left_out->elts, (size_t)pr->left_out->nelts, sizeof(pp_left_out),
          by_reason);
}

/* The directives, one per line, each with what it stands for in a
 * comment line above it (httpd has no comment after a directive). */
typedef struct {
    apr_pool_t *p;
    apr_array_header_t *lines;
    const char *indent;
} text;

static void add_line(text *t, const char *line)
{
    APR_ARRAY_PUSH(t->lines, const char *) = apr_pstrcat(t->p, t->indent, line, NULL);
}

static const char *plural(apr_uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void add_list(text *t, const char *directive, const apr_array_header_t *names)
{
    if (names->nelts > 0) {
        add_line(t, apr_pstrcat(t->p, directive, " ",
                                apr_array_pstrcat(t->p, names, ' '), NULL));
    }
}

static const char *directives(apr_pool_t *p, const pp_proposal *pr,
                              const pp_options *o)
{
    text t = { p, apr_array_make(p, 16, sizeof(const char *)), "" };
    int i;

    if (pr->origins->nelts == 0 && pr->patterns->nelts == 0) {
        return apr_psprintf(p, "# No origin sent %d requests or more: nothing to "
                            "allow.\n", o->min_requests);
    }
    if (o->prefix && *o->prefix) {
        add_line(&t, apr_psprintf(p, "<Location \"%s\">", o->prefix));
        t.indent = "    ";
    }
    for (i = 0; i < pr->origins->nelts; i++) {
        const pp_origin *a = &APR_ARRAY_IDX(pr->origins, i, pp_origin);
        add_line(&t, apr_psprintf(p, "# %" APR_UINT64_T_FMT " %s", a->requests,
                                  plural(a->requests, "request", "requests")));
        add_line(&t, apr_pstrcat(p, "CORSAllowOrigin ", a->origin, NULL));
    }
    for (i = 0; i < pr->patterns->nelts; i++) {
        const pp_pattern *a = &APR_ARRAY_IDX(pr->patterns, i, pp_pattern);
        add_line(&t, apr_psprintf(p, "# %d origins, %" APR_UINT64_T_FMT " %s: %s",
                                  a->origins, a->requests,
                                  plural(a->requests, "request", "requests"), a->examples));
        add_line(&t, apr_pstrcat(p, "CORSAllowOrigin ", a->pattern, NULL));
    }
    add_list(&t, "CORSAllowMethods", pr->methods);
    add_list(&t, "CORSAllowHeaders", pr->headers);
    if (o->credentials) {
        add_line(&t, "CORSAllowCredentials On");
    }
    else {
        add_line(&t, "# Credentials are not guessed: if the pages send cookies or "
                 "HTTP authentication,");
        add_line(&t, "# add CORSAllowCredentials On (cors-check propose --credentials).");
    }
    if (*t.indent) {
        t.indent = "";
        add_line(&t, "</Location>");
    }
    return apr_pstrcat(p, apr_array_pstrcat(p, t.lines, '\n'), "\n", NULL);
}

static pp_proposal *propose_vhost(apr_pool_t *p, const seen_vhost *v,
                                  const pp_options *o)
{
    plan pl = { p, candidates(p, v, o) };
    pp_proposal *pr = apr_pcalloc(p, sizeof(*pr));
    apr_array_header_t *pats;
    int i;

    find_lookalikes(&pl);
    pats = find_patterns(&pl);
    pr->vhost = v->name;
    pr->requests = v->requests;
    pr->origins = apr_array_make(p, 8, sizeof(pp_origin));
    pr->patterns = apr_array_make(p, pats->nelts, sizeof(pp_pattern));
    pr->left_out = apr_array_make(p, 8, sizeof(pp_left_out));
    for (i = 0; i < pats->nelts; i++) {
        APR_ARRAY_PUSH(pr->patterns, pp_pattern) = APR_ARRAY_IDX(pats, i, pattern *)->out;
    }
    sort_origins(pr, &pl);
    pr->methods = asked_for(&pl, NAMES_METHODS);
    pr->headers = asked_for(&pl, NAMES_HEADERS);
    pr->directives = directives(p, pr, o);
    return pr;
}

static int by_vhost(const void *a, const void *b)
{
    return strcmp((*(const pp_proposal *const *)a)->vhost,
                  (*(const pp_proposal *const *)b)->vhost);
}

apr_array_header_t *pp_propose(apr_pool_t *p, const pp_tally *t,
                               const pp_options *o)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(pp_proposal *));
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(p, t->vhosts); hi; hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(out, pp_proposal *) = propose_vhost(p, apr_hash_this_val(hi), o);
    }
    qsort(out->elts, (size_t)out->nelts, sizeof(pp_proposal *), by_vhost);
    return out;
}
