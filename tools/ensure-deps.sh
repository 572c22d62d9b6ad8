#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ensure-deps.sh -- check for what building or testing mod_cors needs.
#
#   sh tools/ensure-deps.sh build   apxs, APR/APR-util headers (pkg-config),
#                                   libpsl and PCRE2 headers, a C compiler
#   sh tools/ensure-deps.sh test    the above, plus /usr/bin/python3 with pytest,
#                                   curl, htpasswd, the httpd under test
#                                   ($HTTPD, default /usr/sbin/apache2) and its
#                                   modules directory ($HTTPD_MODULES)
#
# It runs on every `make`, so when nothing is missing it prints nothing and
# exits 0.  When something is missing it maps it to a Debian package; as root
# with apt-get available it runs `apt-get update` once and installs the
# packages, otherwise it prints what to run and exits 1.
#
# Set CORS_DEPS_NO_INSTALL=1 to only report, never install (plain `make` does:
# it builds, and leaves installing to `make deps`).

set -u

mode=${1:-build}
case $mode in
    build|test) ;;
    *)
        echo "usage: sh tools/ensure-deps.sh build|test" >&2
        exit 2
        ;;
esac

missing=""      # what was not found, for the message
pkgs=""         # Debian packages that provide it, without duplicates

need() {        # need WHAT PACKAGE
    missing="${missing:+$missing }$1"
    case " $pkgs " in
        *" $2 "*) ;;
        *) pkgs="${pkgs:+$pkgs }$2" ;;
    esac
}

have() {
    command -v "$1" >/dev/null 2>&1
}

check() {
    missing=""
    pkgs=""

    # build
    have apxs || need apxs apache2-dev
    if have pkg-config; then
        pkg-config --exists apr-1 || need apr-1.pc libapr1-dev
        pkg-config --exists apr-util-1 || need apr-util-1.pc libaprutil1-dev
    else
        need pkg-config pkg-config
        [ -f /usr/include/apr-1.0/apr.h ] || need apr-1.pc libapr1-dev
        [ -f /usr/include/apr-1.0/apu.h ] || need apr-util-1.pc libaprutil1-dev
    fi
    [ -f /usr/include/libpsl.h ] || need /usr/include/libpsl.h libpsl-dev
    if have pkg-config; then
        pkg-config --exists libpcre2-8 || need libpcre2-8.pc libpcre2-dev
    else
        [ -f /usr/include/pcre2.h ] || need /usr/include/pcre2.h libpcre2-dev
    fi
    if ! have cc && ! have gcc; then
        need cc gcc
    fi

    [ "$mode" = test ] || return 0

    # test
    if [ -x /usr/bin/python3 ]; then
        /usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 ||
            need python3-pytest python3-pytest
    else
        need /usr/bin/python3 python3-pytest
    fi
    have curl || need curl curl
    have htpasswd || [ -x /usr/bin/htpasswd ] || need htpasswd apache2-utils
    # Another httpd (HTTPD=...) is the user's to provide; Debian's comes from apache2.
    httpd=${HTTPD:-/usr/sbin/apache2}
    moddir=${HTTPD_MODULES:-/usr/lib/apache2/modules}
    [ -x "$httpd" ] || need "$httpd" apache2
    [ -d "$moddir" ] || need "$moddir" apache2
    return 0
}

check
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && have apt-get && [ "${CORS_DEPS_NO_INSTALL:-0}" != 1 ]; then
    echo "ensure-deps: missing: $missing; installing: $pkgs" >&2
    apt-get update >&2 || echo "ensure-deps: apt-get update failed; trying the install anyway" >&2
    # shellcheck disable=SC2086  # $pkgs is a list of words
    DEBIAN_FRONTEND=noninteractive apt-get install -y $pkgs >&2
    check
    [ -z "$missing" ] && exit 0
fi

echo "missing: $missing" >&2
echo "run: sudo apt-get install -y $pkgs   (or, as root: make deps)" >&2
exit 1
