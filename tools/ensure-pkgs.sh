#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ensure-pkgs.sh PKG... -- make sure these Debian packages are installed.
# Installs the missing ones when run as root (apt-get update once per run of
# this script), otherwise prints the command to run and fails.
missing=""
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
        || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing" >&2
    apt-get update -qq >&2 || exit 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2 || exit 1
    exit 0
fi
echo "missing Debian packages:$missing" >&2
echo "run: sudo apt-get install -y$missing" >&2
exit 1
