/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h -- what cors-check found, and its two renderings: text for
 * people, one JSON object for --json.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "fetch_model.h"

typedef enum {
    EXCHANGE_PREFLIGHT,
    EXCHANGE_ACTUAL
} exchange_kind;

#define REPORT_MAX_EXCHANGES (2 * (FM_MAX_REDIRECTS + 2))
#define REPORT_MAX_NOTES 16
#define REPORT_MAX_READ 32

/* One request sent and the response it got (NULL status: none). */
typedef struct {
    exchange_kind kind;
    char *method;
    char *url;
    fm_header req[FM_MAX_REQ_HEADERS + 4];
    size_t nreq;
    int status;                     /* 0: no response (network error) */
    char *reason;
    fm_header resp[FM_MAX_RESP_HEADERS]; /* the CORS-relevant ones */
    size_t nresp;
    fm_checks checks;
} exchange;

typedef enum {
    VERDICT_ALLOWED,        /* exit 0 */
    VERDICT_BLOCKED,        /* exit 1 */
    VERDICT_ERROR           /* exit 2: usage or network */
} verdict;

typedef struct {
    const char *name;
    int state;              /* 1 readable, 0 not exposed, -1 exposed, absent */
} read_result;

typedef struct {
    /* the question */
    const char *url;
    const char *origin;
    const char *method;
    int credentials;
    int same_origin;
    int preflight_needed;
    /* the answer */
    exchange ex[REPORT_MAX_EXCHANGES];
    size_t nex;
    char *notes[REPORT_MAX_NOTES];
    size_t nnotes;
    verdict verdict;
    fm_error error;
    char *console;          /* Chromium's console message when blocked */
    char *fix;
    char *network_error;
    char *final_url;
    int final_status;
    read_result read[REPORT_MAX_READ];
    size_t nread;
} report;

exchange *report_exchange(report *r, exchange_kind kind, const char *method,
                          const char *url);
void report_request_header(exchange *e, const char *name, const char *value);
void report_note(report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void report_text(const report *r, FILE *out);
void report_json(const report *r, FILE *out);

/* s as a JSON string ("null" for NULL), control characters escaped; the
 * one JSON string writer of cors-check's outputs. */
void json_str(const char *s, FILE *out);

#endif /* REPORT_H */
