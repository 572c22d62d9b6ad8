/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_status.h -- CORS counters in mod_status's server-status page.
 *
 * Per server (the main server and each virtual host) and per note value,
 * the number of requests since the last start or restart, over every child
 * process and thread.  Without mod_status loaded nothing is allocated and
 * cors_status_count() returns at once.
 */
#ifndef MOD_CORS_STATUS_H
#define MOD_CORS_STATUS_H

#include "httpd.h"

#include "cors_decide.h"

/* Registers the post_config hook that creates the counters and the
 * status_hook that shows them; call it from the module's register_hooks. */
void cors_status_register_hooks(apr_pool_t *p);

/* Counts one request of r->server with the note of decision d, and, when
 * a CORSAllowOriginMatch regex reached its match limit on the Origin, one
 * more of those (CORSRegexLimit).  Call it once per decision, where the
 * "cors" note is set.  Lock-free; safe from any thread of any child
 * process. */
void cors_status_count(const request_rec *r, const cors_decision *d);

#endif /* MOD_CORS_STATUS_H */
