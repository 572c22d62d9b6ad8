/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_logic.h -- the pure logic of mod_cors, one header for the files
 * that use all of it (the decision, the explanation, the map image, the
 * glue, cors-check, the tests):
 *
 *   cors_chars.h       character classes (inline)
 *   cors_set.h         name sets; their lookups are inline
 *   cors_origin.h      the origin grammar: validation, parsing, loopback
 *   cors_origin_set.h  compiled CORSAllowOrigin sets and matching
 *   cors_lists.h       methods, header names, Access-Control-Request-Headers
 *
 * Nothing here includes an httpd header: this code depends on APR, libc and
 * libpsl only, so unit tests and fuzzers link it without a server.
 *
 * Two halves:
 *  - config time: cors_origins_add(), cors_list_add_*() parse, validate and
 *    compile a directive's values into name sets and pre-joined header
 *    values, allocating from the pool they are given.  The values they are
 *    given are kept, not copied: they must live as long as that pool
 *    (httpd allocates directive arguments from it);
 *  - request time: cors_origin_*(), cors_method_allowed() and
 *    cors_request_headers_check() only read those structures, allocate
 *    nothing and are safe to call from any number of threads at once.
 */
#ifndef CORS_LOGIC_H
#define CORS_LOGIC_H

#include "cors_set.h"
#include "cors_origin.h"
#include "cors_origin_set.h"
#include "cors_lists.h"

#endif /* CORS_LOGIC_H */
