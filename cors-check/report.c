/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c -- cors-check's output (see report.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);

    if (d == NULL) {
        fputs("cors-check: out of memory\n", stderr);
        exit(2);
    }
    memcpy(d, s ? s : "", n);
    return d;
}

exchange *report_exchange(report *r, exchange_kind kind, const char *method,
                          const char *url)
{
    exchange *e;

    if (r->nex >= REPORT_MAX_EXCHANGES) {
        return NULL;
    }
    e = &r->ex[r->nex++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->method = dup_str(method);
    e->url = dup_str(url);
    return e;
}

void report_request_header(exchange *e, const char *name, const char *value)
{
    if (e->nreq < sizeof(e->req) / sizeof(e->req[0])) {
        e->req[e->nreq].name = dup_str(name);
        e->req[e->nreq].value = dup_str(value);
        e->nreq++;
    }
}

void report_note(report *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (r->nnotes >= REPORT_MAX_NOTES) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    r->notes[r->nnotes++] = dup_str(buf);
}

/* ---- text ----------------------------------------------------------------- */

static const char *kind_name(exchange_kind k)
{
    return k == EXCHANGE_PREFLIGHT ? "preflight" : "request";
}

static void text_exchange(const exchange *e, FILE *out)
{
    size_t i;

    fprintf(out, "\n%s:\n> %s %s\n", kind_name(e->kind), e->method, e->url);
    for (i = 0; i < e->nreq; i++) {
        fprintf(out, "> %s: %s\n", e->req[i].name, e->req[i].value);
    }
    if (e->status == 0) {
        fputs("< (no response)\n", out);
        return;
    }
    fprintf(out, "< %d %s\n", e->status, e->reason ? e->reason : "");
    for (i = 0; i < e->nresp; i++) {
        fprintf(out, "< %s: %s\n", e->resp[i].name, e->resp[i].value);
    }
    for (i = 0; i < e->checks.n; i++) {
        const fm_check *c = &e->checks.items[i];

        fprintf(out, "  %s %s: %s\n", c->passed ? "pass" : "FAIL", c->what, c->detail);
    }
}

static const char *read_state(int state)
{
    return state > 0 ? "readable" : state < 0 ? "exposed, but not in the response"
                                              : "NOT readable (not exposed)";
}

void report_text(const report *r, FILE *out)
{
    size_t i;

    fprintf(out, "cors-check: %s %s from origin %s%s\n", r->method, r->url, r->origin,
            r->credentials ? " with credentials" : "");
    if (r->network_error && r->nex == 0) {
        fprintf(out, "error: %s\n", r->network_error);
        return;
    }
    if (r->same_origin) {
        fputs("same-origin request: CORS does not apply\n", out);
    } else {
        fprintf(out, "preflight: %s\n", r->preflight_needed
                ? "needed (method or request headers are not CORS-safelisted)"
                : "not needed (CORS-safelisted method and headers)");
    }
    for (i = 0; i < r->nex; i++) {
        text_exchange(&r->ex[i], out);
    }
    fputc('\n', out);
    for (i = 0; i < r->nnotes; i++) {
        fprintf(out, "note: %s\n", r->notes[i]);
    }
    if (r->verdict == VERDICT_ERROR) {
        fprintf(out, "error: %s\n", r->network_error ? r->network_error : "?");
        fputs("verdict: none (network error)\n", out);
        return;
    }
    for (i = 0; i < r->nread; i++) {
        fprintf(out, "read-header %s: %s\n", r->read[i].name, read_state(r->read[i].state));
    }
    if (r->verdict == VERDICT_ALLOWED) {
        fprintf(out, "verdict: allowed: the script can read the response (status %d)\n",
                r->final_status);
    } else {
        fputs("verdict: BLOCKED by the browser\n", out);
        fprintf(out, "chromium: %s\n", r->console ? r->console : "");
        if (r->fix && *r->fix) {
            fprintf(out, "fix: %s\n", r->fix);
        }
    }
}

/* ---- JSON ----------------------------------------------------------------- */

void json_str(const char *s, FILE *out)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

static void json_headers(const fm_header *h, size_t n, FILE *out)
{
    size_t i;

    fputc('[', out);
    for (i = 0; i < n; i++) {
        fputs(i ? ", [" : "[", out);
        json_str(h[i].name, out);
        fputs(", ", out);
        json_str(h[i].value, out);
        fputc(']', out);
    }
    fputc(']', out);
}

static void json_exchange(const exchange *e, FILE *out)
{
    size_t i;

    fputs("{\"kind\": ", out);
    json_str(kind_name(e->kind), out);
    fputs(", \"request\": {\"method\": ", out);
    json_str(e->method, out);
    fputs(", \"url\": ", out);
    json_str(e->url, out);
    fputs(", \"headers\": ", out);
    json_headers(e->req, e->nreq, out);
    fputs("}, \"response\": ", out);
    if (e->status == 0) {
        fputs("null", out);
    } else {
        fprintf(out, "{\"status\": %d, \"reason\": ", e->status);
        json_str(e->reason, out);
        fputs(", \"headers\": ", out);
        json_headers(e->resp, e->nresp, out);
        fputc('}', out);
    }
    fputs(", \"checks\": [", out);
    for (i = 0; i < e->checks.n; i++) {
        const fm_check *c = &e->checks.items[i];

        fputs(i ? ", {\"what\": " : "{\"what\": ", out);
        json_str(c->what, out);
        fprintf(out, ", \"passed\": %s, \"detail\": ", c->passed ? "true" : "false");
        json_str(c->detail, out);
        fputc('}', out);
    }
    fputs("]}", out);
}

void report_json(const report *r, FILE *out)
{
    static const char *const verdicts[] = { "allowed", "blocked", "error" };
    size_t i;

    fputs("{\"url\": ", out);
    json_str(r->url, out);
    fputs(", \"origin\": ", out);
    json_str(r->origin, out);
    fputs(", \"method\": ", out);
    json_str(r->method, out);
    fprintf(out, ", \"credentials\": %s, \"same_origin\": %s, \"preflight_needed\": %s",
            r->credentials ? "true" : "false", r->same_origin ? "true" : "false",
            r->preflight_needed ? "true" : "false");
    fputs(", \"exchanges\": [", out);
    for (i = 0; i < r->nex; i++) {
        if (i) {
            fputs(", ", out);
        }
        json_exchange(&r->ex[i], out);
    }
    fputs("], \"verdict\": ", out);
    json_str(verdicts[r->verdict], out);
    fputs(", \"error\": ", out);
    json_str(r->verdict == VERDICT_BLOCKED ? fm_error_name(r->error) : NULL, out);
    fputs(", \"console_message\": ", out);
    json_str(r->verdict == VERDICT_BLOCKED ? r->console : NULL, out);
    fputs(", \"fix\": ", out);
    json_str(r->verdict == VERDICT_BLOCKED ? r->fix : NULL, out);
    fputs(", \"network_error\": ", out);
    json_str(r->network_error, out);
    fputs(", \"final_url\": ", out);
    json_str(r->final_url, out);
    if (r->verdict == VERDICT_ALLOWED) {
        fprintf(out, ", \"status\": %d", r->final_status);
    } else {
        fputs(", \"status\": null", out);
    }
    fputs(", \"read_headers\": {", out);
    for (i = 0; i < r->nread; i++) {
        fputs(i ? ", " : "", out);
        json_str(r->read[i].name, out);
        fputs(r->read[i].state > 0 ? ": \"readable\"" : r->read[i].state < 0
              ? ": \"absent\"" : ": \"not-exposed\"", out);
    }
    fputs("}, \"notes\": [", out);
    for (i = 0; i < r->nnotes; i++) {
        fputs(i ? ", " : "", out);
        json_str(r->notes[i], out);
    }
    fputs("]}\n", out);
}
