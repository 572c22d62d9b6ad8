/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_noop.c -- the cost floor of reading mod_cors's directives.
 *
 * Built by `make bench` (with apxs, into bench/build/floor/) and never
 * installed.  It declares mod_cors's directives -- the same names, in the
 * same order, taking their arguments the same way (ITERATE, TAKE1,
 * TAKE_ARGV) -- and its handlers do nothing: no per-directory
 * configuration, no hooks.  A .htaccess holding a CORS policy then costs
 * what httpd itself spends reading those lines (opening the file,
 * tokenizing, finding the command, splitting the arguments, calling the
 * handler), the least any module that reads them can cost.
 *
 * It is loaded last, where mod_cors is in the benchmark, so that httpd
 * finds its commands as fast as it finds mod_cors's.
 */
#include "httpd.h"
#include "http_config.h"

static const char *noop1(cmd_parms *cmd, void *dconf, const char *arg)
{
    (void)cmd;
    (void)dconf;
    (void)arg;
    return NULL;
}

static const char *noop_argv(cmd_parms *cmd, void *dconf, int argc,
                             char *const argv[])
{
    (void)cmd;
    (void)dconf;
    (void)argc;
    (void)argv;
    return NULL;
}

/* mod_cors's command table (mod_cors_config.c), with these handlers. */
static const command_rec noop_cmds[] = {
    AP_INIT_ITERATE("CORSAllowOrigin", noop1, NULL, OR_FILEINFO, "no-op"),
    AP_INIT_TAKE1("CORSAllowOriginMatch", noop1, NULL, OR_FILEINFO, "no-op"),
    AP_INIT_TAKE_ARGV("CORSAllowMethods", noop_argv, NULL, OR_FILEINFO,
                      "no-op"),
    AP_INIT_TAKE_ARGV("CORSAllowHeaders", noop_argv, NULL, OR_FILEINFO,
                      "no-op"),
    AP_INIT_TAKE_ARGV("CORSExposeHeaders", noop_argv, NULL, OR_FILEINFO,
                      "no-op"),
    AP_INIT_TAKE1("CORSAllowCredentials", noop1, NULL, OR_FILEINFO, "no-op"),
    AP_INIT_TAKE1("CORSMaxAge", noop1, NULL, OR_FILEINFO, "no-op"),
    AP_INIT_TAKE1("CORSAllowPrivateNetwork", noop1, NULL, OR_FILEINFO,
                  "no-op"),
    AP_INIT_TAKE1("CORSPreflightStatus", noop1, NULL, OR_FILEINFO, "no-op"),
    AP_INIT_TAKE1("CORSPreflightContinue", noop1, NULL, OR_FILEINFO, "no-op"),
    AP_INIT_TAKE1("CORSBackendHeaders", noop1, NULL, OR_FILEINFO, "no-op"),
    AP_INIT_TAKE1("CORSEngine", noop1, NULL, OR_FILEINFO, "no-op"),
    {NULL}
};

AP_DECLARE_MODULE(cors_noop) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    NULL,
    NULL,
    noop_cmds,
    NULL,
#if defined(AP_MODULE_FLAG_NONE)
    AP_MODULE_FLAG_NONE
#endif
};
