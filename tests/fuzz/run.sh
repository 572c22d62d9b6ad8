#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run.sh SECONDS TARGET... -- runs each built libFuzzer target (tests/fuzz/bin/<t>)
# for SECONDS on its seed corpus (tests/fuzz/corpus/<t>, read only) plus a
# scratch corpus (tests/fuzz/bin/corpus/<t>, where new finds go), then prints
# executions and execs/s per target from libFuzzer's final stats.
# Exits 1 if any target crashed or broke an invariant (artifact and log path
# are printed).  Called by 'make fuzz' (mk/fuzz.mk).
set -u
secs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/bin
failed=""
summary=""

max_len() {
    case $1 in
        fuzz_acrh) echo 4400 ;;         # past CORS_ACRH_MAX_BYTES (4096)
        fuzz_directives) echo 2048 ;;
        fuzz_origin_config) echo 1024 ;;
        *) echo 512 ;;                  # past CORS_ORIGIN_MAX (326)
    esac
}

dict() {
    case $1 in
        fuzz_acrh|fuzz_directives) echo "$here/headers.dict" ;;
        *) echo "$here/origin.dict" ;;
    esac
}

for t in "$@"; do
    mkdir -p "$bin/corpus/$t" "$bin/artifacts"
    log=$bin/$t.log
    echo "fuzz: $t for ${secs}s (log $log)"
    # -timeout: one input may take at most 10 s; -rss_limit_mb: 2 GB.
    "$bin/$t" -max_total_time="$secs" -print_final_stats=1 \
        -max_len="$(max_len "$t")" -dict="$(dict "$t")" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$bin/artifacts/$t-" \
        "$bin/corpus/$t" "$here/corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    if [ $rc -eq 0 ] && [ -z "$execs" ]; then
        rc=99       # no final stats: the run did not complete
    fi
    if [ $rc -ne 0 ]; then
        failed="$failed $t"
        echo "fuzz: $t FAILED (exit $rc); last lines of $log:"
        tail -n 40 "$log" | sed 's/^/    /'
        ls "$bin/artifacts/$t-"* 2>/dev/null | sed 's/^/    artifact: /'
    fi
    summary="$summary$(printf '%-20s %12s %10s %6s  %s' "$t" "${execs:-?}" \
        "${rate:-?}" "${cov:-?}" "$([ $rc -eq 0 ] && echo ok || echo FAILED)")
"
done

echo
echo "fuzz summary (${secs}s per target):"
printf '%-20s %12s %10s %6s  %s\n' target executions execs/s cov result
printf '%s' "$summary"
if [ -n "$failed" ]; then
    echo "fuzz: FAILED:$failed"
    exit 1
fi
