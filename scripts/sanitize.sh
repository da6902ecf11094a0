#!/usr/bin/env bash
# The test suite under AddressSanitizer and ThreadSanitizer (`make sanitize`).
#
#   scripts/sanitize.sh [address|thread|all] [extra swift test arguments...]
#
# Each sanitizer has its own scratch folder (.build-asan, .build-tsan), so the normal
# .build is left alone. The tool tests run the `mlp` binary built in the same folder, so it
# is sanitized too, and inherits the options below through the environment; a finding in it
# fails the test that ran it (non-zero status, unexpected standard error).
#
# ASan: leaks are checked at exit (LeakSanitizer), with scripts/lsan-suppressions.txt; TSan
# reads scripts/tsan-suppressions.txt. Both files document each entry, and neither names
# project code.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-all}
shift || true

run_address() {
    echo "== AddressSanitizer (swift test --sanitize=address --scratch-path .build-asan)" >&2
    ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
        swift test --sanitize=address --scratch-path .build-asan "$@"
}

run_thread() {
    echo "== ThreadSanitizer (swift test --sanitize=thread --scratch-path .build-tsan)" >&2
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan-suppressions.txt${TSAN_OPTIONS:+:$TSAN_OPTIONS}" \
        swift test --sanitize=thread --scratch-path .build-tsan "$@"
}

case "$which" in
    address) run_address "$@" ;;
    thread) run_thread "$@" ;;
    all) run_address "$@"; run_thread "$@" ;;
    *) echo "usage: $0 [address|thread|all] [swift test arguments...]" >&2; exit 64 ;;
esac
echo "sanitizers clean: $which" >&2
