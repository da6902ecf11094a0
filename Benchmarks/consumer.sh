#!/usr/bin/env bash
# The consumer-build benchmark: Examples/ConsumerBenchmark (an app that depends on SwiftMLP by
# path) built twice, with a plain `swift build -c release` as a user's app is, and with the
# Makefile's release flags (-target-cpu native); then both run in alternation, ROUNDS times,
# and the median of each figure is printed side by side, with plain/Makefile ratios.
#
#   Benchmarks/consumer.sh [THREADS] [ROUNDS]     (defaults 2 and 3)
set -euo pipefail
cd "$(dirname "$0")/../Examples/ConsumerBenchmark"
threads=${1:-2}
rounds=${2:-3}
swift build -c release --scratch-path .build-plain >/dev/null
swift build -c release --scratch-path .build-makefile -Xswiftc -target-cpu -Xswiftc native >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "consumer build benchmark, $threads threads, $rounds rounds, $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  .build-plain/release/ConsumerBenchmark "$threads" >>"$out/plain"
  .build-makefile/release/ConsumerBenchmark "$threads" >>"$out/makefile"
done
echo "plain build:    $(grep -m1 '^kernel' "$out/plain")"
echo "Makefile build: $(grep -m1 '^kernel' "$out/makefile")"
# Median per (figure, backend) in each build, then the table.
python_free_median() {
  grep -v '^kernel' "$1" | sort -k1,1 -k2,2 -k3,3g | awk '
    { key = $1 " " $2; values[key, ++count[key]] = $3 }
    END { for (key in count) print key, values[key, int((count[key] + 1) / 2)] }' | sort
}
join -j1 <(python_free_median "$out/plain" | awk '{ print $1 "/" $2, $3 }') \
         <(python_free_median "$out/makefile" | awk '{ print $1 "/" $2, $3 }') >"$out/joined"
# Speed ratio plain / Makefile (> 1: the plain build is faster): times inverted, rates not.
awk 'BEGIN { printf "%-34s %12s %12s %14s\n", "figure/backend", "plain", "Makefile", "plain speed" }
     { r = ($1 ~ /samples/) ? $2 / $3 : $3 / $2; printf "%-34s %12s %12s %13.0f%%\n", $1, $2, $3, 100 * r }' "$out/joined"
# The default backend (auto) of the plain build against the Makefile build's best backend.
echo
awk '{ split($1, key, "/"); figure = key[1]; backend = key[2]
       better = (figure ~ /samples/) ? ($3 > best[figure]) : (best[figure] == "" || $3 < best[figure])
       if (better) { best[figure] = $3; bestName[figure] = backend }
       if (backend == "auto") plainAuto[figure] = $2 }
     END { for (f in best) {
             r = (f ~ /samples/) ? plainAuto[f] / best[f] : best[f] / plainAuto[f]
             printf "plain auto vs Makefile best (%s) on %-26s %5.0f%%\n", bestName[f], f, 100 * r } }' "$out/joined" | sort
