#!/usr/bin/env bash
# Builds the harnesses (Fuzz/build.sh) and fuzzes each for SECONDS (default 60) with
# libFuzzer under AddressSanitizer, one after the other.
#
# Usage: Fuzz/run.sh [SECONDS] [harness ...]     (harnesses: safetensors idx csv; default all)
#
# Before fuzzing, every committed regression input is replayed once under the same limits.
# The corpus lives in $FUZZ_WORK/corpus/<harness> (FUZZ_WORK defaults to .build-fuzz,
# git-ignored) and grows from run to run; it is seeded each time with the format fixtures,
# Fuzz/seeds/<harness> and the committed regressions. Every crash, timeout, leak or
# out-of-memory input libFuzzer saves is copied to
# Tests/MLPDataTests/Fixtures/fuzz-regressions/<harness>/, for `swift test` to replay.
# Exit status: 0 when no harness found anything.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-$root/.build-fuzz}
duration=${1:-60}
[ $# -gt 0 ] && shift
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(safetensors idx csv)

"$root/Fuzz/build.sh" "${harnesses[@]}" || exit 2

fixtures="$root/Tests/MLPDataTests/Fixtures"
# Hangs count (-timeout), so does memory beyond what any input justifies: one allocation over
# 512 MB or a process over 2 GB. The harnesses also enforce a per-input budget themselves.
limits=(-timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=512)
# Swift's own crash backtracer would fight AddressSanitizer; libFuzzer reports the crash.
export SWIFT_BACKTRACE=enable=no

summary=()
found=0
for harness in "${harnesses[@]}"; do
    binary="$work/bin/fuzz-$harness"
    corpus="$work/corpus/$harness"
    artifacts="$work/artifacts/$harness"
    regressions="$fixtures/fuzz-regressions/$harness"
    log="$work/logs/$harness-$(date -u +%Y%m%dT%H%M%SZ).log"
    mkdir -p "$corpus" "$artifacts" "$regressions" "$work/logs"

    case $harness in
        safetensors) seeds=("$fixtures"/formats/*.safetensors); max_len=8192 ;;
        idx) seeds=("$fixtures"/formats/idx-mini/* "$fixtures"/formats/idx-bad/*); max_len=8192 ;;
        csv) seeds=(); max_len=4096 ;;
    esac
    [ -d "$root/Fuzz/seeds/$harness" ] && seeds+=("$root/Fuzz/seeds/$harness"/*)
    regression_files=()
    for file in "$regressions"/*; do [ -f "$file" ] && regression_files+=("$file"); done
    # libFuzzer names corpus files by content hash; seeds keep their names, which is harmless.
    cp -n "${seeds[@]}" "${regression_files[@]}" "$corpus"/ 2>/dev/null

    if [ ${#regression_files[@]} -gt 0 ]; then
        echo "== $harness: replaying ${#regression_files[@]} committed regression inputs"
        if ! "$binary" "${limits[@]}" -runs=1 "${regression_files[@]}" >"$log.replay" 2>&1; then
            echo "   a committed regression input fails again: see $log.replay"
            found=1
        fi
    fi

    echo "== $harness: fuzzing for ${duration}s (max_len $max_len), log $log"
    nice "$binary" "${limits[@]}" -max_total_time="$duration" -max_len="$max_len" \
        -dict="$root/Fuzz/dictionaries/$harness.dict" -artifact_prefix="$artifacts/" \
        -print_final_stats=1 "$corpus" >"$log" 2>&1
    status=$?

    new=0
    for artifact in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
        [ -f "$artifact" ] || continue
        name=$(basename "$artifact")
        if [ ! -f "$regressions/$name" ]; then
            cp "$artifact" "$regressions/$name"
            echo "   new finding: $regressions/$name"
            new=$((new + 1))
        fi
    done
    [ $status -eq 0 ] || { found=1; grep -m1 -E "ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error" "$log" | sed 's/^/   /'; }

    executions=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    rate=$(grep -m1 -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    summary+=("$(printf '%-12s %12s executions %8s exec/s  exit %d  new findings %d  | %s' \
        "$harness" "${executions:-?}" "${rate:-?}" "$status" "$new" "$last")")
done

echo
echo "== executions per harness"
printf '%s\n' "${summary[@]}"
exit $found
