/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_log.h -- how the pure code logs: through a function the glue gives
 * it (ap_log_error with the module's tag), so that no pure file includes an
 * httpd header (the model: modules/md/md_log.h).  A pure file that logs
 * takes a cors_log_fn and its baton where the glue sets it up (e.g.
 * cors_map_set_logger()); with none set, it logs nothing.
 */
#ifndef CORS_LOG_H
#define CORS_LOG_H

typedef enum {
    CORS_LOG_ERROR,
    CORS_LOG_WARNING,
    CORS_LOG_INFO,
    CORS_LOG_DEBUG
} cors_log_level;

/* The glue's logger: baton is what the glue gave with it (a server_rec);
 * msg is valid only during the call. */
typedef void cors_log_fn(void *baton, cors_log_level level, const char *msg);

#endif /* CORS_LOG_H */
