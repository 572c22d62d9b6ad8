/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_dbd.h -- CORSAllowOriginMap "dbd:QUERY" ["CHANGE-QUERY"]: the
 * origins of a map read from a SQL database through mod_dbd.
 *
 * The statements are prepared with mod_dbd when the directive is read
 * and run by the map core's loader (cors_map.h, through cors_source.h),
 * in a process of its own, never in a request.
 */
#ifndef MOD_CORS_DBD_H
#define MOD_CORS_DBD_H

#include "httpd.h"
#include "http_config.h"

#include "cors_map.h"

/* For CORSAllowOriginMap "dbd:QUERY" ["CHANGE-QUERY"] being read in cmd
 * (query is the text after "dbd:", change_query NULL for none): checks
 * that it may name queries here (not in .htaccess), that mod_dbd is
 * loaded and the virtual host has a DBDriver (mod_dbd checks that
 * APR-util has it), prepares both statements with mod_dbd and defines the
 * map whose source they are, in *out.  Returns NULL, or what is wrong,
 * without the directive's name (the caller adds it).  Nothing connects to
 * the database here.
 *
 * The map is known by the driver, DBDParams and both queries (hashed: the
 * parameters may hold a password), so two virtual hosts that ask the same
 * database the same share it, and its last good version on disk is found
 * again after a restart.  Its loader runs CHANGE-QUERY once a second and
 * QUERY only when CHANGE-QUERY's answer changed (every
 * CORS_MAP_DBD_FULL_MS without one); each row's first column is one
 * entry, and a row that is not a valid entry is skipped and logged (the
 * first CORS_MAP_SKIP_LOG_MAX of a load, then the count). */
const char *cors_dbd_define(cmd_parms *cmd, const char *query,
                            const char *change_query, cors_map **out);

#endif /* MOD_CORS_DBD_H */
