#!/bin/sh
# demo/run.sh -- run mod_cors in a throw-away Apache on 127.0.0.1 (`make demo`).
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
# directory.  Set MOD_CORS_SO to load another build of the module.

set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
httpd=/usr/sbin/apache2
moddir=/usr/lib/apache2/modules
so=${MOD_CORS_SO:-$top/.libs/mod_cors.so}

say() { printf '%s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# What the demo needs

[ -f "$so" ] || die "$so not found; build the module first with: make"
case $so in
    /*) ;;
    *) so=$(cd "$(dirname "$so")" && pwd)/$(basename "$so") ;;
esac
if [ ! -x "$httpd" ] || [ ! -f "$moddir/mod_mpm_event.so" ]; then
    # tools/ensure-deps.sh is the one place that installs packages.
    sh "$top/tools/ensure-deps.sh" test || exit 1
fi
for m in mpm_event authz_core mime dir headers cgid; do
    [ -f "$moddir/mod_$m.so" ] || die "$moddir/mod_$m.so not found (package apache2)"
done

# ---------------------------------------------------------------------------
# Ports

# Is something listening on TCP port $1?  Reads /proc/net/tcp{,6} (Linux);
# elsewhere it says no, and httpd reports the conflict when it starts.
port_busy() {
    hex=$(printf ':%04X' "$1")
    for f in /proc/net/tcp /proc/net/tcp6; do
        [ -r "$f" ] || continue
        if awk -v p="$hex" '
            NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
            END { exit !found }' "$f"; then
            return 0
        fi
    done
    return 1
}

# pick_port NAME VALUE EXPLICIT AVOID: prints the port to use.  A port the
# user chose (EXPLICIT=1) must be free; a default one that is busy is
# replaced by the next free port.  AVOID is the port already taken.
pick_port() {
    name=$1 want=$2 explicit=$3 avoid=$4
    case $want in
        '' | *[!0-9]*) die "$name='$want' is not a port number" ;;
    esac
    if [ "$want" -lt 1 ] || [ "$want" -gt 65535 ]; then
        die "$name=$want is not a port number (1-65535)"
    fi
    if [ "$explicit" = 1 ]; then
        [ "$want" != "$avoid" ] || die "DEMO_PORT and DEMO_PAGE_PORT are both $want; they must differ"
        if port_busy "$want"; then
            die "port $want ($name) is already in use on this host; choose a free one, e.g. $name=$((want + 1000)) make demo"
        fi
        echo "$want"
        return
    fi
    p=$want
    while [ "$p" = "$avoid" ] || port_busy "$p"; do
        p=$((p + 1))
        [ "$p" -le $((want + 50)) ] || die "no free port in $want-$((want + 50)); set $name"
    done
    if [ "$p" != "$want" ]; then
        if [ "$want" = "$avoid" ]; then why="is the API's port"; else why="is in use"; fi
        say "demo: port $want $why; using $p for $name" >&2
    fi
    echo "$p"
}

if [ -n "${DEMO_PORT:-}" ]; then
    api_port=$(pick_port DEMO_PORT "$DEMO_PORT" 1 "")
else
    api_port=$(pick_port DEMO_PORT 8080 0 "")
fi
if [ -n "${DEMO_PAGE_PORT:-}" ]; then
    page_port=$(pick_port DEMO_PAGE_PORT "$DEMO_PAGE_PORT" 1 "$api_port")
else
    page_port=$(pick_port DEMO_PAGE_PORT 8081 0 "$api_port")
fi

api=http://127.0.0.1:$api_port
page=http://127.0.0.1:$page_port

# ---------------------------------------------------------------------------
# Server root

root=$(mktemp -d "${TMPDIR:-/tmp}/mod_cors-demo.XXXXXX")
pid=""

# shellcheck disable=SC2317  # called from the traps
cleanup() {
    trap - EXIT INT TERM HUP
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || :
        wait "$pid" 2>/dev/null || :
    fi
    rm -rf "$root"
}
trap cleanup EXIT
trap 'echo; say "stopping"; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

chmod 755 "$root"
mkdir -p "$root/conf" "$root/logs" "$root/run" \
    "$root/htdocs/api-root/api/errors" "$root/htdocs/page"

cp "$here/api/items.json" "$root/htdocs/api-root/api/"
cp "$here/api/errors/404.json" "$root/htdocs/api-root/api/errors/"
cp "$here/api/echo.cgi" "$root/htdocs/api-root/api/"
chmod 755 "$root/htdocs/api-root/api/echo.cgi"
cp "$here/page/index.html" "$here/page/app.js" "$root/htdocs/page/"
printf 'window.CORS_DEMO = { api: "%s" };\n' "$api" > "$root/htdocs/page/config.js"

sed "s|@PAGE_ORIGIN@|$page|g" "$here/cors-demo.conf" > "$root/conf/cors-demo.conf"
: > "$root/conf/mime.types"

run_as=""
if [ "$(id -u)" = 0 ]; then
    if id www-data >/dev/null 2>&1; then
        run_as="User www-data
Group www-data"
    else
        run_as="User nobody
Group $(id -gn nobody 2>/dev/null || echo nogroup)"
    fi
fi

loadmod() {    # loadmod NAME: a LoadModule line unless httpd has it built in
    printf '<IfModule !%s_module>\n    LoadModule %s_module %s/mod_%s.so\n</IfModule>\n' \
        "$1" "$1" "$moddir" "$1"
}

{
    cat <<EOF
# Generated by demo/run.sh; removed when the demo stops.
ServerRoot "$root"
ServerName 127.0.0.1
Listen 127.0.0.1:$api_port
Listen 127.0.0.1:$page_port
PidFile "$root/run/httpd.pid"
DefaultRuntimeDir "$root/run"
Mutex file:$root/run default
ErrorLog "$root/logs/error_log"
LogLevel warn cors:debug
$run_as

EOF
    loadmod mpm_event
    loadmod authz_core
    loadmod mime
    loadmod log_config
    loadmod dir
    loadmod headers
    loadmod cgid
    cat <<EOF
LoadModule cors_module "$so"

ScriptSock "$root/run/cgisock"
TypesConfig "$root/conf/mime.types"
AddType "application/json" .json
AddType "text/javascript; charset=utf-8" .js
AddType "text/html; charset=utf-8" .html
DirectoryIndex index.html

# %{cors}n is the note mod_cors sets on every request in a policy's scope.
LogFormat "%h \"%r\" %>s origin=\"%{Origin}i\" cors=%{cors}n" cors_demo
CustomLog "$root/logs/access_log" cors_demo

<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$root/htdocs">
    Options None
    Require all granted
</Directory>

# The API.
<VirtualHost 127.0.0.1:$api_port>
    DocumentRoot "$root/htdocs/api-root"
    ErrorDocument 404 /api/errors/404.json
    <Directory "$root/htdocs/api-root/api">
        Options +ExecCGI
        AddHandler cgi-script .cgi
    </Directory>
    <Files "items.json">
        Header set X-Total-Count "3"
    </Files>
    Include "$root/conf/cors-demo.conf"
</VirtualHost>

# The page, on another origin.
<VirtualHost 127.0.0.1:$page_port>
    DocumentRoot "$root/htdocs/page"
</VirtualHost>
EOF
} > "$root/conf/httpd.conf"

# ---------------------------------------------------------------------------
# Start

if ! out=$("$httpd" -d "$root" -f "$root/conf/httpd.conf" -t 2>&1); then
    printf '%s\n' "$out" >&2
    die "the generated configuration does not pass configtest ($root/conf/httpd.conf)"
fi

"$httpd" -d "$root" -f "$root/conf/httpd.conf" -DFOREGROUND &
pid=$!

n=0
until port_busy "$api_port" && port_busy "$page_port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || :
        pid=""
        tail -n 20 "$root/logs/error_log" >&2 2>/dev/null || :
        die "httpd did not start (a port in use? see above)"
    fi
    n=$((n + 1))
    if [ "$n" -gt 50 ]; then
        if [ ! -r /proc/net/tcp ]; then
            break       # cannot tell; assume it is up
        fi
        die "httpd did not open ports $api_port and $page_port within 10 s"
    fi
    sleep 0.2 2>/dev/null || sleep 1
done

cat <<EOF

mod_cors demo
  module:  $so
  API:     $api/api/   (policy: demo/cors-demo.conf, origin $page)
  page:    $page/      <- open this in a browser
  logs:    $root/logs/error_log  (LogLevel cors:debug)
           $root/logs/access_log (cors=%{cors}n)

Try:

# An allowed preflight: 204 with Access-Control-Allow-* headers
curl -si -X OPTIONS $api/api/echo.cgi \\
     -H 'Origin: $page' \\
     -H 'Access-Control-Request-Method: PUT' \\
     -H 'Access-Control-Request-Headers: content-type,x-request-id'

# A denied preflight (origin not in the policy): 403, no Access-Control-* headers;
# CORSDebug (on for loopback) says why in the CORS-Debug header:
#   CORS-Debug: preflight-denied-origin; origin="https://evil.example"; ...
curl -si -X OPTIONS $api/api/echo.cgi \\
     -H 'Origin: https://evil.example' \\
     -H 'Access-Control-Request-Method: PUT' | grep -i -e '^HTTP' -e '^cors-debug'

# An actual request and its response headers
curl -si $api/api/items.json -H 'Origin: $page'

# A PUT to the CGI, which sends its own 'Access-Control-Allow-Origin: *':
# the policy's single value replaces it
curl -si -X PUT $api/api/echo.cgi -H 'Origin: $page' \\
     -H 'Content-Type: application/json' -H 'X-Request-ID: demo-1' \\
     --data '{"name": "demo"}'

# Why a request was denied, and the cors note of each request
tail -f $root/logs/error_log $root/logs/access_log

httpd is running in the foreground (pid $pid); Ctrl-C stops it and removes
$root.
EOF

# wait returns early when a trapped signal arrives; the trap then cleans up.
status=0
wait "$pid" || status=$?
pid=""
exit "$status"
