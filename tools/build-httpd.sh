#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# build-httpd.sh TARBALL CACHE_DIR -- build Apache httpd from a source tarball, once.
#
# Unpacks TARBALL (httpd-<version>.tar.gz, configured release-like: no autoconf
# needed), configures it with every module and every MPM shared, HTTP/2 on,
# against the system's APR, and installs it into CACHE_DIR/<version>/prefix.
# The sha256 of the tarball is kept in CACHE_DIR/<version>/tarball.sha256: while
# it is unchanged, a later run reuses the installed tree and builds nothing.
# Prints the prefix on stdout (the last line); the build's output goes to
# CACHE_DIR/<version>/build.log.
#
# Needs: libapr1-dev libaprutil1-dev libpcre3-dev libexpat1-dev libnghttp2-dev
# libssl-dev zlib1g-dev and a C compiler (tools/ensure-pkgs.sh installs them).
set -eu

tarball=${1:?usage: build-httpd.sh TARBALL CACHE_DIR}
cache=${2:?usage: build-httpd.sh TARBALL CACHE_DIR}

name=$(basename "$tarball" .tar.gz)         # httpd-2.4.58, httpd-trunk
version=${name#httpd-}
mkdir -p "$cache/$version"
dir=$(cd "$cache/$version" && pwd)
prefix=$dir/prefix
stamp=$dir/tarball.sha256
log=$dir/build.log

sum=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ -x "$prefix/bin/httpd" ] && [ -x "$prefix/bin/apxs" ] && [ -f "$stamp" ] &&
   [ "$(cat "$stamp")" = "$sum" ]; then
    echo "  HTTPD   $version: cached in $prefix" >&2
    echo "$prefix"
    exit 0
fi

echo "  HTTPD   $version: building into $prefix (log: $log)" >&2
rm -rf "$dir/src" "$prefix" "$stamp"
mkdir -p "$dir/src"
tar xzf "$tarball" -C "$dir/src"
src=$dir/src/$name
# The tarballs leave docs/manual out; httpd's install-man copies it with rsync
# where rsync is installed (mariadb-server brings it), and fails on a missing one.
mkdir -p "$src/docs/manual"
jobs=$(nproc 2>/dev/null || echo 2)
if ! (
    cd "$src" &&
    ./configure --prefix="$prefix" --with-apr=/usr/bin/apr-1-config \
        --with-apr-util=/usr/bin/apu-1-config --enable-mods-shared=reallyall \
        --enable-mpms-shared=all --enable-http2 &&
    make -j"$jobs" &&
    make install
) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "build-httpd: building $version failed; see $log" >&2
    exit 1
fi
rm -rf "$dir/src"           # the installed tree is what the tests use
echo "$sum" >"$stamp"
echo "$prefix"
