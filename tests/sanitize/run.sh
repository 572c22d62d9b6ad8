#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run.sh SO WORKDIR SUITE -- runs the pytest suite SUITE with httpd loading the
# sanitizer build SO under LD_PRELOAD of the ASan runtime, and fails on any
# sanitizer report.  Called by 'make test-asan' (mk/asan.mk).
#
# Reports go to WORKDIR/reports/{asan,ubsan}.<pid> (log_path); a report that
# could not be written there lands on httpd's stderr, i.e. in an error log
# under WORKDIR/pytest, which is searched too.  Every error aborts the
# process (halt_on_error, -fno-sanitize-recover), so the test that caused it
# also sees a crashed child.
#
# detect_leaks=0: httpd exits without freeing everything it allocated at
# startup; with detect_leaks=1 every server reports the same few "leaks" at
# exit (APR allocators from apr_allocator_create, PCRE2 blocks of httpd's
# own regexes), none of them the module's, which allocates only from pools.
set -u
so=$(readlink -f "$1")
work=$2
suite=$3
: "${ASAN_CC:=clang-14}"
: "${PYTHON:=/usr/bin/python3}"

harness=$(dirname "$0")/../lib/httpd_harness.py
if ! grep -q CORS_HTTPD_ENV "$harness" 2>/dev/null \
   || ! grep -q CORS_MODULE "$harness" 2>/dev/null; then
    echo "test-asan: $harness does not read CORS_MODULE and CORS_HTTPD_ENV;" >&2
    echo "test-asan: it would test the normal build, not $so" >&2
    exit 1
fi

# The ASan runtime the .so was linked with: clang's shared one, or gcc's.
runtime=""
for name in libclang_rt.asan-x86_64.so libasan.so; do
    f=$($ASAN_CC -print-file-name=$name 2>/dev/null)
    if [ -n "$f" ] && [ -f "$f" ] && ldd "$so" | grep -q "${name%.so}"; then
        runtime=$(readlink -f "$f")
        break
    fi
done
if [ -z "$runtime" ]; then
    echo "test-asan: cannot find the ASan runtime $so needs ($ASAN_CC)" >&2
    exit 1
fi

reports=$(pwd)/$work/reports
rm -rf "$reports" "$work/pytest"
mkdir -p "$reports"
chmod 1777 "$reports"       # httpd's children write as www-data

asan="detect_leaks=0:halt_on_error=1:abort_on_error=1:log_path=$reports/asan"
ubsan="print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$reports/ubsan"
export CORS_MODULE="$so"
export CORS_HTTPD_ENV="LD_PRELOAD=$runtime ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan"

echo "test-asan: module $so"
echo "test-asan: httpd environment: $CORS_HTTPD_ENV"
start=$(date +%s)
{
    timeout 900 "$PYTHON" -m pytest -q -p no:cacheprovider \
        --basetemp="$work/pytest" "$suite"
    echo $? >"$work/pytest.rc"
} 2>&1 | tee "$work/pytest.log"
rc=$(cat "$work/pytest.rc")
echo "test-asan: pytest exit status $rc after $(( $(date +%s) - start ))s"

# Make sure the servers loaded this build (the generated httpd.conf files).
if ! grep -rqs "LoadModule cors_module \"$so\"" "$work/pytest"; then
    echo "test-asan: FAILED: no server of the suite loaded $so" >&2
    rc=1
fi
if grep -rhs '^LoadModule cors_module' "$work/pytest" | grep -qv "\"$so\""; then
    echo "test-asan: FAILED: some servers loaded another mod_cors.so" >&2
    rc=1
fi

found=0
for f in "$reports"/*; do
    [ -e "$f" ] || continue
    found=1
    echo "test-asan: sanitizer report $f:"
    sed 's/^/    /' "$f"
done
hits=$(grep -rlE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
       "$work/pytest" 2>/dev/null)
if [ -n "$hits" ]; then
    found=1
    for f in $hits; do
        echo "test-asan: sanitizer output in $f:"
        grep -E -B2 -A30 'Sanitizer|runtime error:' "$f" | head -n 80 | sed 's/^/    /'
    done
fi
if [ $found -ne 0 ]; then
    echo "test-asan: FAILED: sanitizer reports (see above)" >&2
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "test-asan: FAILED: the integration suite failed under the sanitizers" >&2
    exit 1
fi
echo "test-asan: passed, no sanitizer reports"
