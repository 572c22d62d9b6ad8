#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# demo/run.sh -- run mod_cors in a throw-away httpd on 127.0.0.1 (`make demo`).
#
# Two ports on 127.0.0.1, served by one httpd:
#   DEMO_PORT       (default 8080)  a small JSON API under /api/ with a CORS
#                                   policy (demo/cors-demo.conf);
#   DEMO_PAGE_PORT  (default 8081)  a page (demo/page/) whose buttons call the
#                                   API with fetch() from another origin.
# A port set in the environment must be free; a default port that is busy is
# replaced by the next free one.
#
# The server root (configuration, logs, documents) is a fresh temporary
# directory.  httpd runs in the foreground; Ctrl-C stops it and removes the
# directory.  The server is the test harness's (tests/lib/httpd_harness.py),
# started by demo/serve.py: HTTPD and HTTPD_MODULES choose another httpd,
# CORS_MODULE (or MOD_CORS_SO) another build of the module.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
if [ ! -x "$python" ] || [ ! -x "${HTTPD:-/usr/sbin/apache2}" ]; then
    # tools/ensure-deps.sh is the one place that installs packages.
    sh "$here/../tools/ensure-deps.sh" test || exit 1
fi
exec "$python" "$here/serve.py"
