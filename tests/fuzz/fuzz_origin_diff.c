/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_origin_diff.c -- differential test of the module's origin decision,
 *     cors_origin_is_valid(o) && cors_origins_match(set, o),
 * and of a map's published image of the same entries (cors_image_match,
 * which the decision asks only about valid origins other than "null"),
 * against a slow, plain reference matcher written below from the contract (docs/contract.md).
 *
 * Input: byte 0 picks the mode.  Mode 0: the rest of the input is the
 * origin, as is.  Otherwise byte 1 picks an allowed (or nearly allowed)
 * origin and each following pair of bytes applies one mutation to it:
 * case flip, trailing dot, extra or missing label, "evil" glued before the
 * host or ".evil.net" after it, userinfo, port change, whitespace, percent
 * escapes, scheme change, IPv6 forms, a path, a second value, raw byte
 * insertion or deletion.  A disagreement aborts with both inputs printed.
 */
#include <arpa/inet.h>

#include "fuzz_common.h"

#include "cors_image.h"

/* The configuration, as an operator might write it (mixed case, default
 * port written out): the reference parses these strings itself. */
static const char *const config[] = {"https://app.example.com",
                                     "HTTPS://API.Example.NET:8443",
                                     "https://static.example.net:443",
                                     "http://127.0.0.1:5173",
                                     "https://*.example.com",
                                     "http://localhost:*",
                                     "https://*.example.org:8443",
                                     "http://[::1]:3000",
                                     "http://[fe80::1]:*",
                                     "capacitor://localhost",
                                     "https://*.sub.example.io:*",
                                     "https://xn--bcher-kva.example",
                                     "null",
                                     NULL};

/* Origins the mutations start from: allowed ones and near misses. */
static const char *const bases[] = {
    "https://app.example.com",
    "https://a.example.com",
    "https://a.b.example.com",
    "https://example.com",
    "https://api.example.net:8443",
    "https://static.example.net",
    "http://127.0.0.1:5173",
    "http://localhost",
    "http://localhost:8080",
    "https://x.example.org:8443",
    "https://example.org:8443",
    "http://[::1]:3000",
    "http://[fe80::1]:9",
    "capacitor://localhost",
    "https://q.sub.example.io:444",
    "https://xn--bcher-kva.example",
    "null",
};
#define N_BASES (sizeof(bases) / sizeof(bases[0]))

static cors_origins *set;
static cors_image image;        /* the same entries, "null" aside */

/* ---- the reference ---------------------------------------------------- */

typedef struct {
    char scheme[32];
    char host[64];
    char port[8]; /* "" for none (or default) */
    int port_any;
    int sub; /* host is the suffix after "*." */
} ref_entry;

static ref_entry entries[32];
static int n_entries, cfg_null;

static void lower(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s += 32;
        }
    }
}

/* Config strings above are well formed: split them plainly. */
static void ref_config(const char *value)
{
    ref_entry *e = &entries[n_entries++];
    char buf[128], *host, *colon;

    memset(e, 0, sizeof(*e));
    snprintf(buf, sizeof(buf), "%s", value);
    lower(buf);
    if (strcmp(buf, "null") == 0) {
        cfg_null = 1;
        n_entries--;
        return;
    }
    host = strstr(buf, "://");
    *host = '\0';
    host += 3;
    snprintf(e->scheme, sizeof(e->scheme), "%s", buf);
    if (strncmp(host, "*.", 2) == 0) {
        e->sub = 1;
        host += 2;
    }
    colon = strrchr(host, ':');
    if (colon && strchr(colon, ']')) {
        colon = NULL; /* a colon inside an IPv6 literal */
    }
    if (colon) {
        *colon++ = '\0';
        if (strcmp(colon, "*") == 0) {
            e->port_any = 1;
        }
        else if (!((strcmp(e->scheme, "https") == 0 &&
                    strcmp(colon, "443") == 0) ||
                   (strcmp(e->scheme, "http") == 0 &&
                    strcmp(colon, "80") == 0))) {
            snprintf(e->port, sizeof(e->port), "%s", colon);
        }
    }
    snprintf(e->host, sizeof(e->host), "%s", host);
}

static int in(const char *set_chars, char c)
{
    return c != '\0' && strchr(set_chars, c) != NULL;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGIT "0123456789"

/* WHATWG URL "ends in a number": the last label is all digits, or 0x and
 * hex digits (hosts here are lowercase already). */
static int ref_ends_in_number(const char *label, size_t n)
{
    size_t i, from = 0;
    if (n >= 2 && label[0] == '0' && label[1] == 'x') {
        for (i = 2; i < n; i++) {
            if (!in(DIGIT "abcdef", label[i])) {
                return 0;
            }
        }
        return 1;
    }
    for (i = from; i < n; i++) {
        if (!in(DIGIT, label[i])) {
            return 0;
        }
    }
    return n > 0;
}

/* Is h (n bytes) exactly what "%u.%u.%u.%u" prints for some address? */
static int ref_ipv4(const char *h, size_t n)
{
    unsigned a, b, c, d;
    char again[32], copy[32];
    if (n >= sizeof(copy)) {
        return 0;
    }
    memcpy(copy, h, n);
    copy[n] = '\0';
    if (sscanf(copy, "%3u.%3u.%3u.%3u", &a, &b, &c, &d) != 4 || a > 255 ||
        b > 255 || c > 255 || d > 255) {
        return 0;
    }
    snprintf(again, sizeof(again), "%u.%u.%u.%u", a, b, c, d);
    return strcmp(again, copy) == 0;
}

/* The URL standard's IPv6 serializer: eight pieces in lowercase hex
 * without leading zeros, the first longest run of two or more zero pieces
 * written as "::". */
static void ref_ipv6(const unsigned char addr[16], char *out)
{
    unsigned piece[8];
    int i, j, best = -1, best_len = 0;
    for (i = 0; i < 8; i++) {
        piece[i] = (unsigned)addr[2 * i] << 8 | addr[2 * i + 1];
    }
    for (i = 0; i < 8; i++) {
        for (j = i; j < 8 && piece[j] == 0; j++) {
        }
        if (j - i >= 2 && j - i > best_len) {
            best = i;
            best_len = j - i;
        }
    }
    out[0] = '\0';
    for (i = 0; i < 8; i++) {
        if (i == best) {
            strcat(out, i == 0 ? "::" : ":");
            i += best_len - 1;
            continue;
        }
        sprintf(out + strlen(out), "%x%s", piece[i], i < 7 ? ":" : "");
    }
}

/* Parses a request Origin as a browser serializes it; 0 if it is not one. */
static int ref_parse(const char *o, char *scheme, char *host, char *port)
{
    size_t i = 0, n = strlen(o), start;

    if (n > CORS_ORIGIN_MAX) {
        return 0;
    }
    /* scheme: a lowercase letter, then letters, digits, + - . */
    if (!in(LOWER, o[0])) {
        return 0;
    }
    while (in(LOWER DIGIT "+-.", o[i])) {
        i++;
    }
    memcpy(scheme, o, i);
    scheme[i] = '\0';
    if (strncmp(o + i, "://", 3) != 0) {
        return 0;
    }
    i += 3;
    start = i;
    if (o[i] == '[') {
        /* IPv6: written exactly as the URL standard serializes it */
        char literal[CORS_ORIGIN_MAX + 1], canon[64];
        unsigned char addr[16];
        const char *close = strchr(o + i, ']');
        if (close == NULL) {
            return 0;
        }
        memcpy(literal, o + i + 1, (size_t)(close - o) - i - 1);
        literal[close - o - i - 1] = '\0';
        if (inet_pton(AF_INET6, literal, addr) != 1) {
            return 0;
        }
        ref_ipv6(addr, canon);
        if (strcmp(canon, literal) != 0) {
            return 0;
        }
        i = (size_t)(close - o) + 1;
    }
    else {
        /* DNS name: labels of 1-63 [a-z0-9_-] joined by single dots, at
         * most 253 in all; one ending in a number must be an IPv4 address
         * in its canonical dotted-decimal form. */
        size_t last = i;
        for (;;) {
            size_t label = i;
            while (in(LOWER DIGIT "-_", o[i])) {
                i++;
            }
            if (i == label || i - label > 63) {
                return 0;
            }
            last = label;
            if (o[i] != '.') {
                break;
            }
            i++;
        }
        if (i - start > 253) {
            return 0;
        }
        if (ref_ends_in_number(o + last, i - last) &&
            !ref_ipv4(o + start, i - start)) {
            return 0;
        }
    }
    memcpy(host, o + start, i - start);
    host[i - start] = '\0';
    port[0] = '\0';
    if (o[i] == '\0') {
        return 1;
    }
    if (o[i] != ':') {
        return 0;
    }
    i++;
    /* port: 1-5 digits, no leading zero, at most 65535, not the default */
    start = i;
    while (in(DIGIT, o[i])) {
        i++;
    }
    if (o[i] != '\0' || i == start || i - start > 5 || o[start] == '0' ||
        atol(o + start) > 65535) {
        return 0;
    }
    strcpy(port, o + start);
    if ((strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0) ||
        (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0)) {
        return 0;
    }
    return 1;
}

static int ref_allowed(const char *o)
{
    char scheme[CORS_ORIGIN_MAX + 1], host[CORS_ORIGIN_MAX + 1], port[8];
    int i;

    if (strcmp(o, "null") == 0) {
        return cfg_null;
    }
    if (!ref_parse(o, scheme, host, port)) {
        return 0;
    }
    for (i = 0; i < n_entries; i++) {
        const ref_entry *e = &entries[i];
        size_t hl = strlen(host), sl = strlen(e->host);

        if (strcmp(scheme, e->scheme) != 0) {
            continue;
        }
        if (!e->port_any && strcmp(port, e->port) != 0) {
            continue;
        }
        if (e->sub) {
            /* at least one whole label, then ".", then the suffix */
            if (host[0] != '[' && hl >= sl + 2 && host[hl - sl - 1] == '.' &&
                strcmp(host + hl - sl, e->host) == 0) {
                return 1;
            }
        }
        else if (strcmp(host, e->host) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- mutations ------------------------------------------------------- */

typedef struct {
    char scheme[64];
    char sep[8]; /* "://" unless mutated */
    char userinfo[32];
    char host[600];
    char port[16]; /* with its ':' */
    char tail[32]; /* path, query, a second value ... */
    int opaque;    /* "null": no parts */
} parts;

static void split(const char *o, parts *m)
{
    const char *h, *e;
    memset(m, 0, sizeof(*m));
    if (strcmp(o, "null") == 0) {
        m->opaque = 1;
        strcpy(m->host, "null");
        return;
    }
    h = strstr(o, "://");
    snprintf(m->scheme, sizeof(m->scheme), "%.*s", (int)(h - o), o);
    strcpy(m->sep, "://");
    h += 3;
    e = h[0] == '[' ? strchr(h, ']') + 1 : h;
    e = strchr(e, ':') ? strchr(e, ':') : h + strlen(h);
    snprintf(m->host, sizeof(m->host), "%.*s", (int)(e - h), h);
    snprintf(m->port, sizeof(m->port), "%s", e);
}

static void join(const parts *m, char *out, size_t n)
{
    if (m->opaque) {
        snprintf(out, n, "%s%s", m->host, m->tail);
        return;
    }
    snprintf(out, n, "%s%s%s%s%s%s", m->scheme, m->sep, m->userinfo, m->host,
             m->port, m->tail);
}

static void prepend(char *s, size_t cap, const char *what)
{
    size_t n = strlen(what), l = strlen(s);
    if (n + l + 1 > cap) {
        return;
    }
    memmove(s + n, s, l + 1);
    memcpy(s, what, n);
}

static void append(char *s, size_t cap, const char *what)
{
    if (strlen(s) + strlen(what) + 1 <= cap) {
        strcat(s, what);
    }
}

#define PICK(arr, b) ((arr)[(b) % (sizeof(arr) / sizeof((arr)[0]))])

static const char *const labels[] = {
    "a",   "evil",           "x-y", "0", "_", "a.b", "www", "example",
    "com", "xn--80ak6aa92e", "1"};
static const char *const glue_before[] = {
    "evil",   "evil.", "evil-", "x", "a.", ".", "-", "app.example.com.",
    "example"};
static const char *const glue_after[] = {
    ".evil.net", "evil",         ".",   "-x", ".com", ".example.com",
    "..",        ".example.org", "com", "%00"};
static const char *const users[] = {"user@", "user:pass@",       "@",
                                    ":@",    "app.example.com@", "a%40b@"};
static const char *const ports[] = {
    "",       ":",      ":0",     ":80",     ":443",    ":8443", ":3000",
    ":5173",  ":65535", ":65536", ":08443",  ":*",      ":1",    ":99999",
    ":8443 ", ": 8443", ":+8443", ":0x20fb", ":123456", ":9"};
static const char *const blanks[] = {" ",  "\t", "  ",      "\r",
                                     "\n", "\v", "\xc2\xa0"};
static const char *const schemes[] = {"http",   "https",     "HTTPS", "Http",
                                      "ws",     "capacitor", "",      "https+x",
                                      "1https", "file",      "h"};
static const char *const seps[] = {"://", ":/",    ":///",  ":",
                                   "//",  ":\\\\", "://://"};
static const char *const hosts6[] = {"[::1]",
                                     "[0:0::1]",
                                     "[::1",
                                     "::1",
                                     "[::ffff:127.0.0.1]",
                                     "[::1]]",
                                     "[::]",
                                     "[]",
                                     "[FE80::1]",
                                     "[fe80::1]",
                                     "[fe80::1%25eth0]",
                                     "[fe80:0::1]",
                                     "[fe80::0001]",
                                     "[::1]:3000"};
static const char *const tails[] = {
    "/",        "/x", "?q", "#f", ", https://evil.net", ",", " ",
    "\r\nX: y", ";",  "/.", "\\"};

static void mutate(parts *m, char *raw, size_t rawcap, uint8_t op, uint8_t arg)
{
    size_t l;
    char tmp[8];

    switch (op % 19) {
    case 0: /* case flip in the host */
    case 1: /* case flip anywhere (raw) */
    {
        char *s = op % 19 == 0 ? m->host : raw;
        l = strlen(s);
        if (l) {
            char *c = &s[arg % l];
            if (*c >= 'a' && *c <= 'z')
                *c -= 32;
            else if (*c >= 'A' && *c <= 'Z')
                *c += 32;
        }
    } break;
    case 2: /* trailing dot */
        append(m->host, sizeof(m->host), ".");
        break;
    case 3: /* extra label */
        prepend(m->host, sizeof(m->host), ".");
        prepend(m->host, sizeof(m->host), PICK(labels, arg));
        break;
    case 4: /* missing label */
    {
        char *dot = strchr(m->host, '.');
        if (dot) {
            memmove(m->host, dot + 1, strlen(dot + 1) + 1);
        }
        else if (arg & 1) {
            m->host[0] = '\0';
        }
    } break;
    case 5: /* glue before the host */
        prepend(m->host, sizeof(m->host), PICK(glue_before, arg));
        break;
    case 6: /* glue after the host */
        append(m->host, sizeof(m->host), PICK(glue_after, arg));
        break;
    case 7: /* userinfo */
        snprintf(m->userinfo, sizeof(m->userinfo), "%s", PICK(users, arg));
        break;
    case 8: /* port change */
        snprintf(m->port, sizeof(m->port), "%s", PICK(ports, arg));
        break;
    case 9: /* a random port */
        snprintf(m->port, sizeof(m->port), ":%u", (unsigned)arg * 257u + 1u);
        break;
    case 10: /* whitespace somewhere (raw) */
        l = strlen(raw);
        {
            const char *b = PICK(blanks, arg);
            size_t at = (arg >> 3) % (l + 1), bl = strlen(b);
            if (l + bl + 1 <= rawcap) {
                memmove(raw + at + bl, raw + at, l - at + 1);
                memcpy(raw + at, b, bl);
            }
        }
        break;
    case 11: /* percent-escape one byte of the host */
        l = strlen(m->host);
        if (l && l + 3 < sizeof(m->host)) {
            size_t at = arg % l;
            snprintf(tmp, sizeof(tmp), "%%%02X", (unsigned char)m->host[at]);
            memmove(m->host + at + 3, m->host + at + 1, l - at);
            memcpy(m->host + at, tmp, 3);
        }
        break;
    case 12: /* scheme change */
        snprintf(m->scheme, sizeof(m->scheme), "%s", PICK(schemes, arg));
        break;
    case 13: /* separator change */
        snprintf(m->sep, sizeof(m->sep), "%s", PICK(seps, arg));
        break;
    case 14: /* IPv6 forms */
        snprintf(m->host, sizeof(m->host), "%s", PICK(hosts6, arg));
        break;
    case 15: /* path, query, fragment, a second value */
        snprintf(m->tail, sizeof(m->tail), "%s", PICK(tails, arg));
        break;
    case 16: /* insert any byte (raw) */
        l = strlen(raw);
        if (l + 2 <= rawcap && arg) {
            size_t at = (size_t)(arg * 7) % (l + 1);
            memmove(raw + at + 1, raw + at, l - at + 1);
            raw[at] = (char)arg;
        }
        break;
    case 17: /* delete a byte (raw) */
        l = strlen(raw);
        if (l) {
            size_t at = arg % l;
            memmove(raw + at, raw + at + 1, l - at);
        }
        break;
    default: /* a long subdomain, towards the length bound */
    {
        size_t want = 40u + arg;
        while (strlen(m->host) + 2 < sizeof(m->host) && want > 0) {
            prepend(m->host, sizeof(m->host),
                    want > 60 ? "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrst"
                                "uvwxyz0123456."
                              : "a.");
            want = want > 60 ? want - 60 : 0;
        }
    } break;
    }
}

/* Raw mutations (1, 10, 16, 17) work on the joined string; the others on
 * the parts, which are joined again before each raw step. */
static int is_raw(uint8_t op)
{
    op %= 19;
    return op == 1 || op == 10 || op == 16 || op == 17;
}

/* The published image of builder's entries, as a child maps it. */
static void publish_image(cors_map_builder *builder)
{
    cors_image_meta meta = { 1, 0, 0, 0, "", 0 };
    void *buf = apr_palloc(fuzz_global_pool, cors_image_size(builder));
    apr_size_t used = cors_image_write(builder, &meta, buf);
    const char *err = cors_image_open(fuzz_global_pool, buf, used, &image);

    if (err) {
        FUZZ_FAIL("the image does not open: %s", err);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cors_map_builder *builder;
    int i;
    (void)argc;
    (void)argv;
    fuzz_init();
    set = cors_origins_make(fuzz_global_pool);
    builder = cors_image_builder_make(fuzz_global_pool, CORS_BUILD_ANY_ENTRY);
    for (i = 0; config[i]; i++) {
        const char *err = cors_origins_add(set, fuzz_global_pool, config[i]);
        if (err) {
            FUZZ_FAIL("fixed origin '%s' refused: %s", config[i], err);
        }
        if (strcmp(config[i], "null") != 0
            && (err = cors_map_builder_add(builder, config[i],
                                           strlen(config[i]))) != NULL) {
            FUZZ_FAIL("map entry '%s' refused: %s", config[i], err);
        }
        ref_config(config[i]);
    }
    publish_image(builder);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *origin;
    int module, reference, i;

    if (size < 1) {
        return 0;
    }
    if (data[0] % 4 == 0) {
        origin = fuzz_strndup(data + 1, size - 1);
    }
    else {
        enum { CAP = 1200 };
        parts m;
        char raw[CAP];
        size_t k;
        int dirty = 0; /* raw holds edits not in m */

        split(bases[size > 1 ? data[1] % N_BASES : 0], &m);
        join(&m, raw, sizeof(raw));
        for (k = 2; k + 1 < size && k < 2 + 2 * 12; k += 2) {
            if (is_raw(data[k])) {
                if (!dirty) {
                    join(&m, raw, sizeof(raw));
                }
                mutate(&m, raw, sizeof(raw), data[k], data[k + 1]);
                dirty = 1;
            }
            else if (!dirty && !m.opaque) {
                mutate(&m, raw, sizeof(raw), data[k], data[k + 1]);
            }
        }
        if (!dirty) {
            join(&m, raw, sizeof(raw));
        }
        origin = strdup(raw);
    }

    module = cors_origin_is_valid(origin) && cors_origins_match(set, origin);
    reference = ref_allowed(origin);
    if (module == reference && cors_origin_is_valid(origin)
        && strcmp(origin, "null") != 0
        && cors_image_match(&image, origin) != reference) {
        fuzz_print(stderr, "origin: ", origin);
        FUZZ_FAIL("the map image %s it, the reference %s",
                  reference ? "denies" : "allows",
                  reference ? "allows" : "denies");
    }
    if (module != reference) {
        fprintf(stderr, "\nDIFFERENTIAL MISMATCH: module %s, reference %s\n",
                module ? "ALLOWS" : "denies", reference ? "ALLOWS" : "denies");
        fuzz_print(stderr, "origin: ", origin);
        fprintf(stderr, "config:\n");
        for (i = 0; config[i]; i++) {
            fuzz_print(stderr, "  ", config[i]);
        }
        abort();
    }
    free(origin);
    return 0;
}
