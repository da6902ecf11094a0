#!/usr/bin/env bash
# Data-parallel scaling across test hosts (scripts/test-hosts.sh): for each host count, link
# setting and global batch size, trains one epoch with one rank per host over TCP and prints
# samples/s, the share of training time inside MPI collectives, the mean step, the lone
# allreduce, and the bytes each host sent per step (its eth0's counter over the run, startup
# included, divided by the steps). With --json, it then fits the ring-allreduce model to the rows
# and extrapolates (Benchmarks/distributed-model.awk). See docs/DISTRIBUTED.md.
#
#   Benchmarks/distributed-hosts.sh [--json FILE] [DATA]
#
# HOSTS ("1 2 4"), LINKS ("1gbit:0.2ms 10gbit:0.05ms"), BATCHES ("128 1024"), EPOCHS (1) and
# LAYERS (784,256,128,10) may be set in the environment. Each rank runs one GEMM thread; with more
# hosts than cores the ranks share the cores, which the samples/s then show. Needs root,
# iproute2 and Open MPI.
set -euo pipefail
cd "$(dirname "$0")/.."

JSON=""
if [ "${1:-}" = "--json" ]; then JSON=$2; shift 2; fi
DATA=${1:-/usr/share/datasets/fashion-mnist}
HOSTS=${HOSTS:-1 2 4}
LINKS=${LINKS:-1gbit:0.2ms 10gbit:0.05ms}
BATCHES=${BATCHES:-128 1024}
EPOCHS=${EPOCHS:-1}
LAYERS=${LAYERS:-784,256,128,10}
SCRATCH=${SCRATCH:-.build-mpi}
export SWIFTMLP_HOSTS=smlpb$$

swift build -c release --traits OpenBLAS,MPI --scratch-path "$SCRATCH" \
  -Xswiftc -target-cpu -Xswiftc native --product mlp >&2
MLP="$PWD/$SCRATCH/release/mlp"
HOSTS_SCRIPT=scripts/test-hosts.sh
"$HOSTS_SCRIPT" check
trap '"$HOSTS_SCRIPT" down' EXIT INT TERM

echo "data $DATA, layers $LAYERS, $EPOCHS epoch(s), $(nproc) cores, one GEMM thread per rank, one rank per host"
printf '%5s %14s %6s %11s %8s %13s %9s %11s %14s\n' hosts link batch samples/s speedup communication step-ms allreduce-ms bytes/step/host
[ -n "$JSON" ] && : > "$JSON"

total_tx() { "$HOSTS_SCRIPT" bytes | awk '{ s += $2 } END { print s + 0 }'; }

for link in $LINKS; do
  rate=${link%%:*} delay=${link#*:}
  for batch in $BATCHES; do
    base=""
    for n in $HOSTS; do
      "$HOSTS_SCRIPT" up "$n" "$rate" "$delay" 2>/dev/null
      before=$(total_tx)
      output=$("$HOSTS_SCRIPT" mpirun "$n" "$MLP" train --distributed --data "$DATA" --layers "$LAYERS" \
                 --activation relu --output softmax --loss cross-entropy --optimizer sgd --learning-rate 0.05 \
                 --batch-size "$batch" --epochs "$EPOCHS" --backend openblas --threads 1 2>&1 >/dev/null)
      after=$(total_tx)
      "$HOSTS_SCRIPT" down
      line=$(grep '^distributed:' <<<"$output" || true)
      field() { sed -nE "s|.*$1.*|\\1|p" <<<"$line"; }
      sps=$(field ' ([0-9.]+) samples/s'); share=$(field 'communication ([0-9.]+)%')
      step=$(field 'step ([0-9.]+) ms'); lone=$(field 'lone allreduce ([0-9.]+) ms')
      parameters=$(field ' ([0-9]+) parameters')
      steps=$(field ', ([0-9]+) steps')
      [ -n "$sps" ] || { echo "no distributed: line for $n hosts ($link, batch $batch):" >&2; echo "$output" | tail -5 >&2; continue; }
      base=${base:-$sps}
      per_host=$(awk -v b="$((after - before))" -v n="$n" -v s="$steps" 'BEGIN { if (s > 0) printf "%.0f", b / n / s; else print "-" }')
      printf '%5s %14s %6s %11s %7sx %12s%% %9s %11s %14s\n' "$n" "$rate/$delay" "$batch" "$sps" \
        "$(awk -v a="$sps" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" "$share" "$step" "$lone" "$per_host"
      [ -n "$JSON" ] && printf '{"hosts":%s,"rate":"%s","delay":"%s","batch":%s,"samplesPerSecond":%s,"communicationPercent":%s,"stepMilliseconds":%s,"loneAllreduceMilliseconds":%s,"bytesPerStepPerHost":%s}\n' \
        "$n" "$rate" "$delay" "$batch" "$sps" "$share" "$step" "$lone" "$per_host" >> "$JSON"
    done
  done
done

# The ring-allreduce model fitted to these rows, and where it says scaling stops.
if [ -n "$JSON" ] && [ -n "${parameters:-}" ]; then
  echo
  awk -v parameters="$parameters" -f Benchmarks/distributed-model.awk "$JSON"
fi
