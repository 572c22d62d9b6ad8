#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_install.sh -- `make install` / `make uninstall` into a DESTDIR.
#
# Needs no root and changes nothing outside a temporary directory.  Checks
# that the files land where apxs says, that cors.load names the real
# LIBEXECDIR (not the DESTDIR), that cors.conf is inert, that apache2 loads
# the installed module with it (and with its examples uncommented), that a
# locally changed cors.conf is kept, and that uninstall removes exactly what
# install put there.  Run by `make test-install`; ends with "N passed, N failed".

set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
MAKE=${MAKE:-make}
APXS=${APXS:-$(command -v apxs || echo /usr/bin/apxs)}
APACHE2=/usr/sbin/apache2
MODDIR=/usr/lib/apache2/modules

pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() {   # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

TMP=$(mktemp -d /tmp/mod_cors-install-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

LIBEXECDIR=$("$APXS" -q LIBEXECDIR)
SYSCONFDIR=$("$APXS" -q SYSCONFDIR)
echo "# apxs: LIBEXECDIR=$LIBEXECDIR SYSCONFDIR=$SYSCONFDIR"

mk() {      # mk LOG ARGS... -- run make quietly, keep the output in LOG
    local log=$1; shift
    env -u MAKEFLAGS -u MAKELEVEL "$MAKE" --no-print-directory -C "$REPO" "$@" >"$log" 2>&1
}

# The files under a directory, relative, one a line (symlinks marked).
tree() {
    (cd "$1" && find . \( -type f -o -type l \) -printf '%P%y\n' | sed -e 's/f$//' -e 's/l$/ ->link/' | sort)
}

# A minimal server config that loads MODULE and includes CONF; -t only.
configtest() {      # configtest MODULE_SO CONF_FILE LOG
    local dir=$TMP/ct
    rm -rf "$dir"; mkdir -p "$dir/logs"
    cat >"$dir/httpd.conf" <<EOF
ServerRoot "$dir"
ServerName localhost
# -t only: never binds
Listen 127.0.0.1:65000
PidFile "$dir/httpd.pid"
ErrorLog "$dir/logs/error_log"
LoadModule mpm_event_module $MODDIR/mod_mpm_event.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
LoadModule cors_module $1
Include "$2"
EOF
    "$APACHE2" -d "$dir" -f "$dir/httpd.conf" -t >"$3" 2>&1
}

# cors.conf with its examples switched on: example lines are "#<...>",
# "#Directive ..." and "#    indented ..."; prose lines are "# text".
uncomment_examples() {
    sed -E 's/^#(<|[A-Za-z]|[[:space:]]{2,})/\1/' "$1"
}

# ---------------------------------------------------------------------------
echo "# the shipped cors.conf"
CONF_SRC=debian/cors.conf
active=$(grep -v -E '^[[:space:]]*(#|$)' "$CONF_SRC")
check "cors.conf: every line but <IfModule mod_cors.c>/</IfModule> is a comment" \
    test "$active" = "$(printf '<IfModule mod_cors.c>\n</IfModule>')"
n_examples=$(uncomment_examples "$CONF_SRC" | grep -c -E '^[[:space:]]*CORS')
check "cors.conf: has commented CORS examples ($n_examples directives)" test "$n_examples" -ge 8

# ---------------------------------------------------------------------------
echo "# make install DESTDIR=..."
D=$TMP/dest
if mk "$TMP/install.log" install DESTDIR="$D"; then ok "make install DESTDIR exits 0"; else
    bad "make install DESTDIR exits 0"; cat "$TMP/install.log"; fi
SO=$D$LIBEXECDIR/mod_cors.so
LOAD=$D$SYSCONFDIR/mods-available/cors.load
CONF=$D$SYSCONFDIR/mods-available/cors.conf
check "mod_cors.so installed in DESTDIR\$(apxs -q LIBEXECDIR)" test -f "$SO"
check "installed mod_cors.so is .libs/mod_cors.so" cmp -s "$SO" .libs/mod_cors.so
check "mod_cors.so mode 644" test "$(stat -c %a "$SO" 2>/dev/null)" = 644
if [ -d "$SYSCONFDIR/mods-available" ]; then
    check "cors.load installed in mods-available" test -f "$LOAD"
    check "cors.load names the real LIBEXECDIR, not DESTDIR" \
        grep -qx "LoadModule cors_module $LIBEXECDIR/mod_cors.so" "$LOAD"
    check "cors.load has one LoadModule line" test "$(grep -c LoadModule "$LOAD" 2>/dev/null)" = 1
    check "cors.conf installed, identical to $CONF_SRC" cmp -s "$CONF_SRC" "$CONF"
    expected="${LIBEXECDIR#/}/mod_cors.so
${SYSCONFDIR#/}/mods-available/cors.conf
${SYSCONFDIR#/}/mods-available/cors.load
usr/local/bin/cors-check
usr/local/share/man/man1/cors-check.1"
    got=$(tree "$D")
    check "exactly these 5 files installed (no .la, nothing enabled; cors-check and its man page)" \
        test "$got" = "$(printf '%s\n' "$expected" | sort)"
    [ "$got" = "$(printf '%s\n' "$expected" | sort)" ] || printf '  got:\n%s\n' "$got"
else
    echo "# $SYSCONFDIR has no mods-available/: not a Debian layout, no cors.load/cors.conf"
fi

# ---------------------------------------------------------------------------
echo "# apache2 loads the installed module with cors.conf"
if [ -x "$APACHE2" ] && [ -f "$CONF" ]; then
    if configtest "$SO" "$CONF" "$TMP/ct1.log" && grep -q 'Syntax OK' "$TMP/ct1.log"; then
        ok "apache2 -t: installed mod_cors.so + cors.conf: Syntax OK"
    else bad "apache2 -t: installed mod_cors.so + cors.conf: Syntax OK"; cat "$TMP/ct1.log"; fi
    uncomment_examples "$CONF" >"$TMP/examples.conf"
    if configtest "$SO" "$TMP/examples.conf" "$TMP/ct2.log" && grep -q 'Syntax OK' "$TMP/ct2.log"; then
        ok "apache2 -t: cors.conf with every example uncommented: Syntax OK"
    else bad "apache2 -t: cors.conf with every example uncommented: Syntax OK"; cat "$TMP/ct2.log"; fi
    # and the module really parses its directives there: a bad value fails
    sed 's|CORSAllowOrigin \*$|CORSAllowOrigin https://*.com|' "$TMP/examples.conf" >"$TMP/bad.conf"
    if ! configtest "$SO" "$TMP/bad.conf" "$TMP/ct3.log" && grep -q 'CORSAllowOrigin' "$TMP/ct3.log"; then
        ok "apache2 -t: an example changed to 'https://*.com' fails, naming CORSAllowOrigin"
    else bad "apache2 -t: an example changed to 'https://*.com' fails, naming CORSAllowOrigin"; cat "$TMP/ct3.log"; fi
else
    echo "# no $APACHE2 or no cors.conf: load test skipped"
fi

# ---------------------------------------------------------------------------
echo "# reinstall over a locally changed cors.conf"
if [ -f "$CONF" ]; then
    echo "# local change" >>"$CONF"
    cp "$CONF" "$TMP/changed.conf"
    if mk "$TMP/install2.log" install DESTDIR="$D"; then ok "second make install exits 0"; else
        bad "second make install exits 0"; cat "$TMP/install2.log"; fi
    check "a changed cors.conf is kept by install" cmp -s "$CONF" "$TMP/changed.conf"
    check "install says it kept cors.conf" grep -q 'KEEP .*cors.conf' "$TMP/install2.log"
fi

# ---------------------------------------------------------------------------
echo "# make uninstall DESTDIR=... leaves other modules alone"
mkdir -p "$D$SYSCONFDIR/mods-available" "$D$SYSCONFDIR/mods-enabled"
echo "LoadModule other_module $LIBEXECDIR/mod_other.so" >"$D$SYSCONFDIR/mods-available/other.load"
echo "# other" >"$D$LIBEXECDIR/mod_other.so"
ln -s ../mods-available/other.load "$D$SYSCONFDIR/mods-enabled/other.load"
ln -s ../mods-available/cors.load "$D$SYSCONFDIR/mods-enabled/cors.load"
ln -s ../mods-available/cors.conf "$D$SYSCONFDIR/mods-enabled/cors.conf"
if mk "$TMP/uninstall.log" uninstall DESTDIR="$D"; then ok "make uninstall DESTDIR exits 0"; else
    bad "make uninstall DESTDIR exits 0"; cat "$TMP/uninstall.log"; fi
check "mod_cors.so removed" test ! -e "$SO"
check "cors.load removed" test ! -e "$LOAD"
check "mods-enabled/cors.* links removed" \
    test ! -L "$D$SYSCONFDIR/mods-enabled/cors.load" -a ! -L "$D$SYSCONFDIR/mods-enabled/cors.conf"
if [ -f "$TMP/changed.conf" ]; then
    check "a changed cors.conf is kept by uninstall" cmp -s "$CONF" "$TMP/changed.conf"
    rm -f "$CONF"
fi
expected="${LIBEXECDIR#/}/mod_other.so
${SYSCONFDIR#/}/mods-available/other.load
${SYSCONFDIR#/}/mods-enabled/other.load ->link"
got=$(tree "$D")
check "other modules' files untouched, nothing of mod_cors left" \
    test "$got" = "$(printf '%s\n' "$expected" | sort)"
[ "$got" = "$(printf '%s\n' "$expected" | sort)" ] || printf '  got:\n%s\n' "$got"
if mk "$TMP/uninstall2.log" uninstall DESTDIR="$D"; then ok "make uninstall again is a no-op (exit 0)"; else
    bad "make uninstall again is a no-op (exit 0)"; cat "$TMP/uninstall2.log"; fi

# ---------------------------------------------------------------------------
echo "# install + uninstall of an unchanged tree leaves an empty DESTDIR"
D2=$TMP/dest2
mk "$TMP/i3.log" install DESTDIR="$D2" && mk "$TMP/u3.log" uninstall DESTDIR="$D2"
check "install then uninstall: no file left" test -z "$(tree "$D2")"

# ---------------------------------------------------------------------------
echo "# overrides: LIBEXECDIR=... and a layout without mods-available/"
D3=$TMP/dest3
mk "$TMP/i4.log" install DESTDIR="$D3" LIBEXECDIR=/opt/httpd/modules
check "LIBEXECDIR override: module in DESTDIR/opt/httpd/modules" test -f "$D3/opt/httpd/modules/mod_cors.so"
if [ -d "$SYSCONFDIR/mods-available" ]; then
    check "LIBEXECDIR override: cors.load names /opt/httpd/modules/mod_cors.so" \
        grep -qx 'LoadModule cors_module /opt/httpd/modules/mod_cors.so' "$D3$SYSCONFDIR/mods-available/cors.load"
fi
D4=$TMP/dest4
mk "$TMP/i5.log" install DESTDIR="$D4" SYSCONFDIR=/opt/httpd/conf
check "no mods-available/: only mod_cors.so (and cors-check) installed" \
    test "$(tree "$D4")" = "$(printf '%s\n' "${LIBEXECDIR#/}/mod_cors.so" \
        usr/local/bin/cors-check usr/local/share/man/man1/cors-check.1 | sort)"
check "no mods-available/: prints the LoadModule line to add" \
    grep -q "LoadModule cors_module $LIBEXECDIR/mod_cors.so" "$TMP/i5.log"

echo
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
