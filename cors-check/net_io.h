/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_io.h -- the libcurl side of cors-check: one HTTP exchange at a time
 * (no redirect following: fetch_model.h decides about redirects), and the
 * URL arithmetic (origins, relative Location values) done with libcurl's
 * URL parser.
 */
#ifndef NET_IO_H
#define NET_IO_H

#include <stddef.h>

#include "fetch_model.h"

/* Caps on what one response may make us keep or read. */
#define NIO_HEADER_BYTES (64 * 1024)
#define NIO_BODY_BYTES (1024 * 1024)
#define NIO_URL_MAX 4096

typedef struct {
    int insecure;           /* --insecure: no TLS certificate checks */
    long connect_timeout;   /* seconds */
    long timeout;           /* seconds, whole exchange */
} nio_options;

typedef struct {
    fm_response resp;       /* status and headers (pointing into store) */
    char reason[128];       /* status line's reason phrase */
    char store[NIO_HEADER_BYTES];
    size_t used;
    size_t dropped;         /* header fields over the caps */
    size_t body_bytes;      /* read (at most NIO_BODY_BYTES) */
    int body_truncated;
} nio_response;

/* Starts and ends libcurl (once per process). */
int nio_global_init(void);
void nio_global_cleanup(void);

/* Sends method url with the given header fields (and nothing else of ours
 * but Host, User-Agent and Accept when not given) and reads the response
 * into out.  Returns 0, or -1 with a network error message in err
 * (DNS, refused, TLS, timeout). */
int nio_exchange(const nio_options *opt, const char *method, const char *url,
                 const fm_header *headers, size_t nheaders, nio_response *out,
                 char *err, size_t errlen);

/* url, checked and written the way Chromium prints it (lowercase scheme
 * and host, no default port, "/" for an empty path).  Returns 0 or -1. */
int nio_url_canonical(const char *url, char *out, size_t outlen);

/* The serialized origin of an http(s) URL.  Returns 0 or -1. */
int nio_url_origin(const char *url, char *out, size_t outlen);

/* Resolves a Location value against base into a canonical URL; *creds is
 * set when it has a user name or password.  Returns 0, or -1 when it is no
 * http(s) URL. */
int nio_url_resolve(const char *base, const char *location, char *out,
                    size_t outlen, int *creds);

#endif /* NET_IO_H */
