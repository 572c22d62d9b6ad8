#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_deb.sh -- build libapache2-mod-cors, install it on this machine, run it
# with the system's apache2 configuration, and take it away again.
#
# Needs root (dpkg -i) and Debian's apache2; installs missing Debian packages
# through tools/ensure-pkgs.sh.  Steps:
#
#  1. `make deb` builds build/deb/libapache2-mod-cors_*.deb (in a copy of the
#     tree, see mk/deb.mk); its contents, conffiles and Depends are checked.
#  2. `dpkg -i` installs it; dh_apache2's postinst enables the module
#     (with a policy-rc.d denying service actions while dpkg runs, so the
#     system's apache2 is never started or restarted);
#     `a2enmod cors` (what an admin types) succeeds; `apache2ctl configtest`
#     and `apache2ctl -M` on the real /etc/apache2 say Syntax OK and list
#     cors_module.  (They run with an APACHE_ENVVARS file that sources the
#     system envvars and then points the run/lock/log directories into a
#     temporary directory, so nothing is created under /run or /var.)
#  3. The server itself runs from a COPY of /etc/apache2 in a temporary
#     directory, never from /etc/apache2: its ports.conf is replaced by
#     "Listen 127.0.0.1:<free port>" (so nothing binds 0.0.0.0:80), the
#     default site is disabled, a test site and a policy
#     (conf-available/cors-test.conf) are enabled with a2ensite/a2enconf
#     under APACHE_CONFDIR=<copy> (state files in the temporary directory
#     too), and the copy's envvars gets run/lock/log/pid paths in the
#     temporary directory.  `APACHE_CONFDIR=<copy> apache2ctl configtest`
#     must say Syntax OK; then `apache2 -d <copy> -k start`, curl checks a
#     preflight (204 + Access-Control-Allow-Origin), a denied one, an actual
#     request, the %{cors}n note, and that a URL outside the policy gets
#     nothing (the shipped cors.conf is inert); `apache2 -k stop`.
#  4. `dpkg -P libapache2-mod-cors` purges it; the module, cors.load,
#     cors.conf and the mods-enabled links are gone, and /etc/apache2,
#     /var/lib/apache2 and the module directory are exactly as before
#     (/run/apache2 and /var/lock/apache2, which the maintainer scripts'
#     configtest creates, and the empty state directories a2enmod/a2dismod
#     leave in /var/lib/apache2, are removed again when they were not there).
#  5. `make install` (no DESTDIR) puts the module, cors.load and cors.conf
#     in place without enabling it; `a2enmod cors` and `apache2ctl
#     configtest` work; `make uninstall` disables it (a2dismod -p) and
#     removes the files, and the machine is again as before.  (While the
#     package is installed, `make install` must refuse to overwrite it.)
#
# Ends with "N passed, N failed".  Run by `make test-deb` (CI: make ci-extra).

set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
MAKE=${MAKE:-make}
PKG=libapache2-mod-cors
APACHE2=/usr/sbin/apache2
CONFDIR=/etc/apache2
MODSO=/usr/lib/apache2/modules/mod_cors.so

pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() {   # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
    echo
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
    exit
}
show() {    # show FILE -- indented, for a failure's context
    sed 's/^/    | /' "$1" 2>/dev/null | tail -n 40
}

mk() {      # mk LOG MAKE-ARGS... -- run make in the repo, output in LOG
    local log=$1; shift
    env -u MAKEFLAGS -u MAKELEVEL "$MAKE" --no-print-directory -C "$REPO" "$@" >"$log" 2>&1
}

if [ "$(id -u)" != 0 ]; then
    echo "test_deb.sh installs a package (dpkg -i): run it as root (CI does)." >&2
    bad "running as root"
    finish
fi

installed() {
    dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed'
}
if installed || [ -e "$CONFDIR/mods-available/cors.load" ] || [ -e "$MODSO" ]; then
    echo "mod_cors is already installed on this machine ($PKG, or 'make install'):" >&2
    echo "this test would replace and then remove it; remove it first." >&2
    bad "mod_cors not installed before the test"
    finish
fi

sh tools/ensure-pkgs.sh apache2 curl || { bad "apache2 and curl installed"; finish; }

# dh_apache2's maintainer scripts run `apache2ctl configtest` (which creates
# /run/apache2 and /var/lock/apache2) and `invoke-rc.d apache2 restart`.
# The test must not start or restart the system's apache2 (it would bind
# port 80): while dpkg runs, a policy-rc.d that denies every service action
# is put in place unless the machine already has one (containers usually do),
# and the two run directories are removed again if they were not there.
POLICY_RC=/usr/sbin/policy-rc.d
run_dirs_before=""
for d in /run/apache2 /var/lock/apache2; do
    [ -e "$d" ] && run_dirs_before="$run_dirs_before $d"
done
# a2enmod/a2dismod keep their state in /var/lib/apache2/module/<state>_by_<who>/
# and leave such directories behind, empty, when they remove the last marker.
state_dirs_before=$(find /var/lib/apache2 -mindepth 2 -maxdepth 2 -type d 2>/dev/null)
policy_ours=0
dpkg_no_services() {    # dpkg_no_services DPKG-ARGS...
    local rc
    if [ ! -e "$POLICY_RC" ]; then
        printf '#!/bin/sh\n# mod_cors tests/packaging/test_deb.sh: no service actions while it runs dpkg\nexit 101\n' \
            >"$POLICY_RC" && chmod 755 "$POLICY_RC" && policy_ours=1
    fi
    dpkg "$@"; rc=$?
    drop_policy
    return $rc
}
drop_policy() {
    if [ "$policy_ours" = 1 ]; then rm -f "$POLICY_RC"; policy_ours=0; fi
}
restore_run_dirs() {
    local d
    while IFS= read -r d; do
        grep -qxF -- "$d" <<<"$state_dirs_before" || rmdir "$d"
    done < <(find /var/lib/apache2 -mindepth 2 -maxdepth 2 -type d -empty 2>/dev/null)
    case " $run_dirs_before " in *" /run/apache2 "*) ;; *)
        rmdir /run/apache2/socks /run/apache2 2>/dev/null ;; esac
    case " $run_dirs_before " in *" /var/lock/apache2 "*) ;; *)
        rmdir /var/lock/apache2 2>/dev/null ;; esac
    return 0
}

T=$(mktemp -d /tmp/mod_cors-deb-test.XXXXXX)
chmod 755 "$T"      # the server's children (www-data) read the docroot below
C=$T/apache2        # the copy of /etc/apache2 the test server runs from
PID_FILE=$T/run/apache2.pid
we_installed=0
we_make_installed=0
server_started=0

stop_server() {
    [ "$server_started" = 1 ] || return 0
    server_started=0
    local pid
    pid=$(cat "$PID_FILE" 2>/dev/null)
    (set +u -a; APACHE_CONFDIR=$C; . "$C/envvars"; "$APACHE2" -d "$C" -f "$C/apache2.conf" -k stop) >>"$T/server.log" 2>&1
    for _ in $(seq 50); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    return 1
}
cleanup() {
    stop_server
    if [ "$we_installed" = 1 ] && installed; then
        dpkg_no_services -P "$PKG" >/dev/null 2>&1
    fi
    if [ "$we_make_installed" = 1 ] && [ -e "$CONFDIR/mods-available/cors.load" ]; then
        mk /dev/null uninstall
    fi
    drop_policy
    restore_run_dirs
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What the test must leave as it found it.
snapshot() {
    {
        find "$CONFDIR" /var/lib/apache2 /usr/lib/apache2/modules /run/apache2 /var/lock/apache2 \
            -printf '%p %y %m %u:%g -> %l\n' 2>/dev/null
        find "$CONFDIR" -type f -exec md5sum {} + 2>/dev/null
    } | sort
}
snapshot >"$T/before.txt"
check "state snapshot of /etc/apache2 taken ($(wc -l <"$T/before.txt") entries)" \
    test "$(wc -l <"$T/before.txt")" -gt 50

# ---------------------------------------------------------------------------
echo "# 1. build the package"
if mk "$T/make-deb.log" deb; then
    ok "make deb"
else
    bad "make deb"; show "$T/make-deb.log"; finish
fi
DEB=""
for f in build/deb/"${PKG}"_*.deb; do [ -f "$f" ] && DEB=$f && break; done
check "build/deb/${PKG}_<version>_<arch>.deb exists" test -n "$DEB" -a -f "$DEB"
[ -n "$DEB" ] || finish
stray=$(find .. -maxdepth 1 -name "${PKG}_*" \( -name '*.deb' -o -name '*.changes' -o -name '*.buildinfo' \))
check "no stray build artifacts outside build/ (dpkg-buildpackage wrote to build/deb/)" test -z "$stray"
contents=$(dpkg-deb -c "$DEB" | awk '{print $NF}')
for f in ./usr/lib/apache2/modules/mod_cors.so ./etc/apache2/mods-available/cors.load \
         ./etc/apache2/mods-available/cors.conf; do
    check "package has $f" grep -qx -- "$f" <<<"$contents"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles 2>/dev/null)
check "cors.load and cors.conf are conffiles" \
    test "$conffiles" = "$(printf '/etc/apache2/mods-available/cors.conf\n/etc/apache2/mods-available/cors.load')"
depends=$(dpkg-deb -f "$DEB" Depends)
echo "# Depends: $depends"
check "Depends names the Apache module API (dh_apache2)" grep -q 'apache2-api-20120211' <<<"$depends"
check "Depends names libpsl5 (dh_shlibdeps)" grep -q 'libpsl5' <<<"$depends"
dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./etc/apache2/mods-available/cors.load >"$T/pkg-cors.load"
check "packaged cors.load: LoadModule cors_module /usr/lib/apache2/modules/mod_cors.so" \
    grep -qx 'LoadModule cors_module /usr/lib/apache2/modules/mod_cors.so' "$T/pkg-cors.load"

# the cors-check binary package, built beside it
CDEB=""
for f in build/deb/cors-check_*.deb; do [ -f "$f" ] && CDEB=$f && break; done
check "build/deb/cors-check_<version>_<arch>.deb exists" test -n "$CDEB" -a -f "$CDEB"
if [ -n "$CDEB" ]; then
    ccontents=$(dpkg-deb -c "$CDEB" | awk '{print $NF}')
    check "cors-check package has ./usr/bin/cors-check" grep -qx -- ./usr/bin/cors-check <<<"$ccontents"
    check "cors-check package has its man page" \
        grep -qx -- ./usr/share/man/man1/cors-check.1.gz <<<"$ccontents"
    check "cors-check Depends names libcurl (dh_shlibdeps)" \
        grep -q 'libcurl4' <<<"$(dpkg-deb -f "$CDEB" Depends)"
    check "cors-check Depends names libpcre2 (dh_shlibdeps: cors-check audit)" \
        grep -q 'libpcre2-8' <<<"$(dpkg-deb -f "$CDEB" Depends)"
    dpkg-deb --fsys-tarfile "$CDEB" | tar -xOf - ./usr/share/man/man1/cors-check.1.gz \
        | gzip -dc >"$T/cors-check.1"
    check "cors-check's man page has the AUDIT section" grep -qx '.SH AUDIT' "$T/cors-check.1"
    check "the mod_cors package does not ship cors-check" \
        test -z "$(grep -- cors-check <<<"$contents")"
    # its subcommands are in the packaged binary: propose reads a cors_observe line
    dpkg-deb --fsys-tarfile "$CDEB" | tar -xOf - ./usr/bin/cors-check >"$T/cors-check"
    chmod 755 "$T/cors-check"
    echo 'api.example.com "GET /api/ HTTP/1.1" 200 "https://app.example.com" "-" "-" -' \
        >"$T/observe.log"
    check "the packaged cors-check proposes from a cors_observe log" \
        grep -qx 'CORSAllowOrigin https://app.example.com' \
        <<<"$("$T/cors-check" propose --min-requests 1 "$T/observe.log")"
fi

# ---------------------------------------------------------------------------
echo "# 2. install and enable it"
if dpkg_no_services -i "$DEB" >"$T/dpkg-i.log" 2>&1; then
    we_installed=1; ok "dpkg -i $(basename "$DEB")"
else
    we_installed=1; bad "dpkg -i $(basename "$DEB")"; show "$T/dpkg-i.log"; finish
fi
check "$MODSO installed" test -f "$MODSO"
check "postinst enabled the module (mods-enabled/cors.load, cors.conf)" \
    test -L "$CONFDIR/mods-enabled/cors.load" -a -L "$CONFDIR/mods-enabled/cors.conf"
if a2enmod cors >"$T/a2enmod.log" 2>&1; then ok "a2enmod cors"; else bad "a2enmod cors"; show "$T/a2enmod.log"; fi

# The real /etc/apache2, with private run/lock/log directories.
mkdir -p "$T/real/run" "$T/real/lock" "$T/real/log"
cat >"$T/real/envvars" <<EOF
. $CONFDIR/envvars
export APACHE_RUN_DIR=$T/real/run
export APACHE_PID_FILE=$T/real/run/apache2.pid
export APACHE_LOCK_DIR=$T/real/lock
export APACHE_LOG_DIR=$T/real/log
EOF
if APACHE_ENVVARS=$T/real/envvars apache2ctl configtest >"$T/ct-real.log" 2>&1 &&
        grep -q 'Syntax OK' "$T/ct-real.log"; then
    ok "apache2ctl configtest ($CONFDIR, cors enabled): Syntax OK"
else
    bad "apache2ctl configtest ($CONFDIR, cors enabled): Syntax OK"; show "$T/ct-real.log"
fi
APACHE_ENVVARS=$T/real/envvars apache2ctl -M >"$T/modules.log" 2>&1
check "apache2ctl -M lists cors_module (shared)" grep -q 'cors_module (shared)' "$T/modules.log"
if mk "$T/install-over-pkg.log" install; then
    bad "make install refuses to overwrite the package's mod_cors.so"
else
    check "make install refuses to overwrite the package's mod_cors.so" \
        grep -q "belongs to the Debian package $PKG" "$T/install-over-pkg.log"
fi

# ---------------------------------------------------------------------------
echo "# 3. run a copy of the system configuration on 127.0.0.1"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp -a "$CONFDIR" "$C"
mkdir -p "$T/run" "$T/lock" "$T/log" "$T/state" "$T/htdocs/api"
chown www-data: "$T/lock" 2>/dev/null
printf 'Listen 127.0.0.1:%s\n' "$PORT" >"$C/ports.conf"
cat >>"$C/envvars" <<EOF

# mod_cors test_deb.sh: keep this copy's run/lock/log files in $T
export APACHE_RUN_DIR=$T/run
export APACHE_PID_FILE=$PID_FILE
export APACHE_LOCK_DIR=$T/lock
export APACHE_LOG_DIR=$T/log
EOF
cat >"$C/sites-available/cors-test.conf" <<EOF
<VirtualHost 127.0.0.1:$PORT>
    ServerName cors-test.localhost
    DocumentRoot $T/htdocs
    <Directory $T/htdocs>
        Require all granted
    </Directory>
    LogFormat "%m %U %>s cors=%{cors}n" corstest
    CustomLog \${APACHE_LOG_DIR}/cors-test-access.log corstest
</VirtualHost>
EOF
cat >"$C/conf-available/cors-test.conf" <<'EOF'
ServerName localhost
<Location "/api/">
    CORSAllowOrigin https://app.example.com
    CORSAllowMethods GET POST PUT
    CORSAllowHeaders Content-Type X-Request-ID
    CORSMaxAge 600
</Location>
EOF
echo hello >"$T/htdocs/index.html"
echo '{"ok": true}' >"$T/htdocs/api/data.json"
(
    export APACHE_CONFDIR=$C APACHE_STATE_DIRECTORY=$T/state
    a2dissite -q 000-default && a2ensite -q cors-test && a2enconf -q cors-test
) >"$T/a2en-copy.log" 2>&1
check "a2ensite/a2enconf in the copy (APACHE_CONFDIR=copy)" \
    test -L "$C/sites-enabled/cors-test.conf" -a -L "$C/conf-enabled/cors-test.conf" -a ! -e "$C/sites-enabled/000-default.conf"
check "the copy has cors enabled" test -e "$C/mods-enabled/cors.load" -a -e "$C/mods-enabled/cors.conf"

if APACHE_CONFDIR=$C apache2ctl configtest >"$T/ct-copy.log" 2>&1 && grep -q 'Syntax OK' "$T/ct-copy.log"; then
    ok "APACHE_CONFDIR=copy apache2ctl configtest: Syntax OK"
else
    bad "APACHE_CONFDIR=copy apache2ctl configtest: Syntax OK"; show "$T/ct-copy.log"; finish
fi

if (set +u -a; APACHE_CONFDIR=$C; . "$C/envvars"; "$APACHE2" -d "$C" -f "$C/apache2.conf" -k start) >"$T/server.log" 2>&1; then
    server_started=1
fi
up=0
for _ in $(seq 50); do
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then up=1; break; fi
    sleep 0.2
done
if [ "$up" = 1 ]; then ok "apache2 -d copy -k start: answers on 127.0.0.1:$PORT"; else
    bad "apache2 -d copy -k start: answers on 127.0.0.1:$PORT"; show "$T/server.log"; show "$T/log/error.log"; finish
fi

# request NAME CURL-ARGS... -> $T/NAME.hdr (headers, CR stripped), prints the status
request() {
    local name=$1; shift
    curl -s -o "$T/$name.body" -D - -w '%{http_code}' "$@" >"$T/$name.raw" 2>/dev/null
    tr -d '\r' <"$T/$name.raw" | sed '$d' >"$T/$name.hdr"
    tail -c 3 "$T/$name.raw"
}
header() {  # header NAME FIELD -> value(s)
    grep -i "^$2:" "$T/$1.hdr" | sed 's/^[^:]*: *//'
}
URL=http://127.0.0.1:$PORT

status=$(request pf -X OPTIONS -H 'Origin: https://app.example.com' \
    -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: content-type,x-request-id' \
    "$URL/api/data.json")
check "preflight from the allowed origin: 204 (got $status)" test "$status" = 204
check "preflight: Access-Control-Allow-Origin: https://app.example.com" \
    test "$(header pf Access-Control-Allow-Origin)" = https://app.example.com
check "preflight: Access-Control-Allow-Methods: GET, POST, PUT" \
    test "$(header pf Access-Control-Allow-Methods)" = 'GET, POST, PUT'
check "preflight: Access-Control-Max-Age: 600" test "$(header pf Access-Control-Max-Age)" = 600
check "preflight: Vary names Origin" grep -qi '^Vary:.*Origin' "$T/pf.hdr"
check "preflight: no body" test ! -s "$T/pf.body"
[ "$status" = 204 ] || show "$T/pf.hdr"

status=$(request pfbad -X OPTIONS -H 'Origin: https://evil.example' \
    -H 'Access-Control-Request-Method: PUT' "$URL/api/data.json")
check "preflight from another origin: 403 (got $status)" test "$status" = 403
check "denied preflight: no Access-Control-* headers" test -z "$(grep -i '^Access-Control-' "$T/pfbad.hdr")"

status=$(request get -H 'Origin: https://app.example.com' "$URL/api/data.json")
check "GET from the allowed origin: 200 (got $status)" test "$status" = 200
check "GET: Access-Control-Allow-Origin: https://app.example.com" \
    test "$(header get Access-Control-Allow-Origin)" = https://app.example.com
check "GET: body served" grep -q '"ok"' "$T/get.body"

status=$(request outside -H 'Origin: https://app.example.com' "$URL/index.html")
check "outside the policy: 200, no Access-Control-* headers, no Vary: Origin (cors.conf is inert)" \
    test "$status" = 200 -a -z "$(grep -i -e '^Access-Control-' -e '^Vary:.*Origin' "$T/outside.hdr")"

stop_server
check "apache2 -k stop: the test server is gone" test ! -e "$PID_FILE"
check "access log has the cors notes (preflight-ok, preflight-denied-origin, allowed)" \
    bash -c "grep -q 'OPTIONS /api/data.json 204 cors=preflight-ok' '$T/log/cors-test-access.log' &&
             grep -q 'OPTIONS /api/data.json 403 cors=preflight-denied-origin' '$T/log/cors-test-access.log' &&
             grep -q 'GET /api/data.json 200 cors=allowed' '$T/log/cors-test-access.log'"
if grep -E '\[(emerg|alert|crit|error)\]|Segmentation|exit signal' "$T/log/error.log" >"$T/errors.txt" 2>/dev/null; then
    bad "no errors or crashes in the test server's error log"; show "$T/errors.txt"
else
    ok "no errors or crashes in the test server's error log"
fi

# ---------------------------------------------------------------------------
echo "# 4. purge it"
if dpkg_no_services -P "$PKG" >"$T/dpkg-P.log" 2>&1; then ok "dpkg -P $PKG"; else bad "dpkg -P $PKG"; show "$T/dpkg-P.log"; fi
we_installed=0
check "package no longer installed" bash -c "! dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -q installed"
check "mod_cors.so, cors.load, cors.conf removed" \
    test ! -e "$MODSO" -a ! -e "$CONFDIR/mods-available/cors.load" -a ! -e "$CONFDIR/mods-available/cors.conf"
check "mods-enabled/cors.* links removed" \
    test ! -L "$CONFDIR/mods-enabled/cors.load" -a ! -L "$CONFDIR/mods-enabled/cors.conf"
restore_run_dirs
snapshot >"$T/after.txt"
if diff -u "$T/before.txt" "$T/after.txt" >"$T/state.diff"; then
    ok "/etc/apache2, /var/lib/apache2 and the module directory are as before"
else
    bad "/etc/apache2, /var/lib/apache2 and the module directory are as before"; show "$T/state.diff"
fi
if APACHE_ENVVARS=$T/real/envvars apache2ctl configtest >"$T/ct-after.log" 2>&1 &&
        grep -q 'Syntax OK' "$T/ct-after.log"; then
    ok "apache2ctl configtest ($CONFDIR) after the purge: Syntax OK"
else
    bad "apache2ctl configtest ($CONFDIR) after the purge: Syntax OK"; show "$T/ct-after.log"
fi

# ---------------------------------------------------------------------------
echo "# 5. make install / make uninstall on this machine (no DESTDIR)"
we_make_installed=1
if mk "$T/install.log" install; then ok "make install"; else bad "make install"; show "$T/install.log"; fi
check "make install: $MODSO" cmp -s "$MODSO" .libs/mod_cors.so
check "make install: mods-available/cors.load names $MODSO" \
    grep -qx "LoadModule cors_module $MODSO" "$CONFDIR/mods-available/cors.load"
check "make install: mods-available/cors.conf" cmp -s debian/cors.conf "$CONFDIR/mods-available/cors.conf"
check "make install does not enable the module" test ! -e "$CONFDIR/mods-enabled/cors.load"
if a2enmod cors >"$T/a2enmod2.log" 2>&1; then ok "a2enmod cors (after make install)"; else
    bad "a2enmod cors (after make install)"; show "$T/a2enmod2.log"; fi
if APACHE_ENVVARS=$T/real/envvars apache2ctl configtest >"$T/ct-inst.log" 2>&1 &&
        grep -q 'Syntax OK' "$T/ct-inst.log"; then
    ok "apache2ctl configtest after make install + a2enmod cors: Syntax OK"
else
    bad "apache2ctl configtest after make install + a2enmod cors: Syntax OK"; show "$T/ct-inst.log"
fi
APACHE_ENVVARS=$T/real/envvars apache2ctl -M >"$T/modules2.log" 2>&1
check "apache2ctl -M lists cors_module (shared)" grep -q 'cors_module (shared)' "$T/modules2.log"
if mk "$T/uninstall.log" uninstall; then ok "make uninstall"; else bad "make uninstall"; show "$T/uninstall.log"; fi
check "make uninstall disabled the module first (a2dismod)" grep -q A2DISMOD "$T/uninstall.log"
check "make uninstall: module, cors.load, cors.conf, mods-enabled links gone" \
    test ! -e "$MODSO" -a ! -e "$CONFDIR/mods-available/cors.load" -a ! -e "$CONFDIR/mods-available/cors.conf" \
         -a ! -L "$CONFDIR/mods-enabled/cors.load" -a ! -L "$CONFDIR/mods-enabled/cors.conf"
restore_run_dirs
snapshot >"$T/after2.txt"
if diff -u "$T/before.txt" "$T/after2.txt" >"$T/state2.diff"; then
    ok "after make uninstall: /etc/apache2, /var/lib/apache2 and the module directory are as before"
else
    bad "after make uninstall: /etc/apache2, /var/lib/apache2 and the module directory are as before"
    show "$T/state2.diff"
fi

finish
