#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# install-module.sh install|uninstall -- `make install` / `make uninstall` (mk/install.mk).
#
# Environment (set by mk/install.mk): APXS, LIBEXECDIR, SYSCONFDIR, DESTDIR, V,
# CORS_LA (the libtool archive to install), CORS_LOAD_SRC (debian/cors.load), CORS_CONF_SRC (debian/cors.conf).
# See mk/install.mk for what each does.
set -u
: "${APXS:=apxs}" "${DESTDIR:=}" "${V:=}"
: "${CORS_LA:=mod_cors.la}" "${CORS_LOAD_SRC:=debian/cors.load}" "${CORS_CONF_SRC:=debian/cors.conf}"
: "${LIBEXECDIR:=$("$APXS" -q LIBEXECDIR 2>/dev/null)}"
: "${SYSCONFDIR:=$("$APXS" -q SYSCONFDIR 2>/dev/null)}"

# Sets libexec, sysconf and dest for ACTION (install or uninstall), or
# stops: without apxs's answer, or where the Debian package owns the module
# (make install must not overwrite, nor uninstall remove, a package's file).
where_to() {
    libexec="$LIBEXECDIR"; sysconf="$SYSCONFDIR"; dest="$DESTDIR"
    if [ -z "$libexec" ]; then
        echo "$1: '$APXS -q LIBEXECDIR' gave nothing; is apxs (apache2-dev) installed?" >&2
        exit 1
    fi
    if [ -z "$dest" ] && command -v dpkg-query >/dev/null 2>&1 && \
       owner=$(dpkg-query -S "$libexec/mod_cors.so" 2>/dev/null); then
        echo "$1: $libexec/mod_cors.so belongs to the Debian package ${owner%%:*};" >&2
        echo "$1: remove that package first (dpkg -r ${owner%%:*})" >&2
        exit 1
    fi
}

do_install() {
    where_to install
    mkdir -p "$dest$libexec"
    echo "  INSTALL $dest$libexec/mod_cors.so"
    if [ "$V" = 1 ]; then
        "$APXS" -i -S LIBEXECDIR="$dest$libexec" -n cors "$CORS_LA"
    elif ! out=$("$APXS" -i -S LIBEXECDIR="$dest$libexec" -n cors "$CORS_LA" 2>&1); then
        printf '%s\n' "$out" >&2; exit 1
    fi
    mods="$sysconf/mods-available"
    if [ -n "$sysconf" ] && { [ -d "$mods" ] || [ -d "$dest$mods" ]; }; then
        mkdir -p "$dest$mods"
        echo "  INSTALL $dest$mods/cors.load"
        sed -e "s|^LoadModule cors_module .*|LoadModule cors_module $libexec/mod_cors.so|" \
            "$CORS_LOAD_SRC" > "$dest$mods/cors.load.tmp"
        chmod 644 "$dest$mods/cors.load.tmp"
        mv -f "$dest$mods/cors.load.tmp" "$dest$mods/cors.load"
        if [ -e "$dest$mods/cors.conf" ] && ! cmp -s "$CORS_CONF_SRC" "$dest$mods/cors.conf"; then
            echo "  KEEP    $dest$mods/cors.conf (changed locally; the new one is "$CORS_CONF_SRC")"
        else
            echo "  INSTALL $dest$mods/cors.conf"
            install -m 644 "$CORS_CONF_SRC" "$dest$mods/cors.conf"
        fi
        [ -n "$dest" ] || echo "Enable it with: a2enmod cors && apache2ctl configtest"
    else
        echo "Add this line to the httpd configuration to load the module:"
        echo "    LoadModule cors_module $libexec/mod_cors.so"
    fi
}

do_uninstall() {
    where_to uninstall
    mods="$sysconf/mods-available"
    enabled="$dest$sysconf/mods-enabled"
    if [ -n "$sysconf" ] && { [ -L "$enabled/cors.load" ] || [ -L "$enabled/cors.conf" ]; }; then
        if [ -z "$dest" ] && command -v a2dismod >/dev/null 2>&1; then
            echo "  A2DISMOD cors (and purge its state in /var/lib/apache2)"
            a2dismod -q -p cors
        else
            echo "  RM      $enabled/cors.load $enabled/cors.conf"
            for f in "$enabled/cors.load" "$enabled/cors.conf"; do \
                if [ -L "$f" ]; then rm -f "$f"; fi
            done
        fi
    fi
    if [ -n "$sysconf" ]; then
        if [ -e "$dest$mods/cors.load" ]; then
            echo "  RM      $dest$mods/cors.load"
            rm -f "$dest$mods/cors.load"
        fi
        if [ -e "$dest$mods/cors.conf" ]; then
            if cmp -s "$CORS_CONF_SRC" "$dest$mods/cors.conf"; then
                echo "  RM      $dest$mods/cors.conf"
                rm -f "$dest$mods/cors.conf"
            else
                echo "  KEEP    $dest$mods/cors.conf (changed locally; remove it yourself)"
            fi
        fi
    fi
    if [ -e "$dest$libexec/mod_cors.so" ]; then
        echo "  RM      $dest$libexec/mod_cors.so"
        rm -f "$dest$libexec/mod_cors.so"
    fi
}

case ${1:-} in
    install) set -e; do_install ;;
    uninstall) set -e; do_uninstall ;;
    *) echo "usage: sh tools/install-module.sh install|uninstall" >&2; exit 2 ;;
esac
