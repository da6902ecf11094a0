#!/usr/bin/env bash
# Data-parallel scaling across test hosts (scripts/test-hosts.sh): for each host count, link
# setting, global batch size and allreduce bucket size, trains one epoch with one rank per host
# over TCP and prints samples/s, the share of training time blocked in MPI collectives (waiting
# on communication), the mean step, the lone allreduce, a one-float allreduce (the latency), and the bytes each host sent per step
# (its eth0's counter over the run divided by the steps plus 21, for the start and the 20 lone
# allreduces that the counter also sees). With --json, it
# then fits the ring-allreduce model to the rows and extrapolates
# (Benchmarks/distributed-model.awk). See docs/DISTRIBUTED.md.
#
#   Benchmarks/distributed-hosts.sh [--json FILE] [DATA]
#
# HOSTS ("1 2 4"), LINKS ("1gbit:0.2ms 10gbit:0.05ms"), BATCHES ("128 1024"), BUCKETS ("0 1":
# --allreduce-bucket in KiB, 0 = one allreduce after the backward pass, i.e. no overlap; 1 = a
# bucket per layer, the most overlap; "default" = the tool's default), EPOCHS (1) and LAYERS
# (784,256,128,10) may be set in
# the environment. One host runs once per batch (nothing to overlap). Each rank runs one GEMM
# thread; with more hosts than cores the ranks share the cores, which the samples/s then show.
# Where the kernel has no netem, links are limited by rate only (tbf) and the delay is not added.
# Needs root, iproute2 and Open MPI.
set -euo pipefail
cd "$(dirname "$0")/.."

JSON=""
if [ "${1:-}" = "--json" ]; then JSON=$2; shift 2; fi
DATA=${1:-/usr/share/datasets/fashion-mnist}
HOSTS=${HOSTS:-1 2 4}
LINKS=${LINKS:-1gbit:0.2ms 10gbit:0.05ms}
BATCHES=${BATCHES:-128 1024}
BUCKETS=${BUCKETS:-0 1}
EPOCHS=${EPOCHS:-1}
LAYERS=${LAYERS:-784,256,128,10}
# A scratch folder of its own: the tests build .build-mpi without -target-cpu, and sharing it
# made every run of this script rebuild mlp.
SCRATCH=${SCRATCH:-.build-mpi-native}
swift build -c release --traits OpenBLAS,MPI --scratch-path "$SCRATCH" \
  -Xswiftc -target-cpu -Xswiftc native --product mlp >&2
# Only after the build: the package manager records the environment of its compiler commands,
# so a variable that differs per run (this one names the run's hosts) rebuilds everything.
export SWIFTMLP_HOSTS=smlpb$$
MLP="$PWD/$SCRATCH/release/mlp"
HOSTS_SCRIPT=scripts/test-hosts.sh
"$HOSTS_SCRIPT" check
trap '"$HOSTS_SCRIPT" down' EXIT INT TERM

echo "data $DATA, layers $LAYERS, $EPOCHS epoch(s), $(nproc) cores, one GEMM thread per rank, one rank per host"
printf '%5s %14s %6s %8s %11s %8s %13s %9s %11s %10s %14s\n' hosts link batch bucket samples/s speedup communication step-ms allreduce-ms 1-float-us bytes/step/host
[ -n "$JSON" ] && : > "$JSON"

total_tx() { "$HOSTS_SCRIPT" bytes | awk '{ s += $2 } END { printf "%.0f\n", s }'; }

for link in $LINKS; do
  rate=${link%%:*} delay=${link#*:}
  for batch in $BATCHES; do
    base=""
    for n in $HOSTS; do
     for bucket in $BUCKETS; do
      [ "$n" = 1 ] && [ "$bucket" != "${BUCKETS%% *}" ] && continue
      bucket_flag=(); [ "$bucket" = default ] || bucket_flag=(--allreduce-bucket "$bucket")
      # Without netem the script shapes the rate alone (tbf) and says so: the row is then labelled tbf, no delay.
      note=$("$HOSTS_SCRIPT" up "$n" "$rate" "$delay" 2>&1 >/dev/null)
      shown_delay=$delay; [[ "$note" == *"no netem"* ]] && shown_delay=none
      before=$(total_tx)
      output=$("$HOSTS_SCRIPT" mpirun "$n" "$MLP" train --distributed --data "$DATA" --layers "$LAYERS" \
                 --activation relu --output softmax --loss cross-entropy --optimizer sgd --learning-rate 0.05 \
                 --batch-size "$batch" --epochs "$EPOCHS" --backend openblas --threads 1 "${bucket_flag[@]}" 2>&1 >/dev/null || true)
      after=$(total_tx)
      "$HOSTS_SCRIPT" down
      line=$(grep '^distributed:' <<<"$output" || true)
      field() { sed -nE "s|.*$1.*|\\1|p" <<<"$line"; }
      sps=$(field ' ([0-9.]+) samples/s'); share=$(field 'communication ([0-9.]+)%')
      step=$(field 'step ([0-9.]+) ms'); lone=$(field 'lone allreduce ([0-9.]+) ms')
      latency=$(field 'one-float allreduce ([0-9.]+) us')
      parameters=$(field ' ([0-9]+) parameters')
      steps=$(field ', ([0-9]+) steps')
      allreduces=$(field ', ([0-9]+) allreduces? per step')
      [ -n "$sps" ] || { echo "no distributed: line for $n hosts ($link, batch $batch, bucket $bucket):" >&2; echo "$output" | tail -5 >&2; continue; }
      base=${base:-$sps}
      # The counters also see the start (rank 0's network, sent twice) and the 20 lone allreduces after
      # training: about 21 allreduces' worth more than the steps' own, so divide by steps + 21.
      per_host=$(awk -v b="$((after - before))" -v n="$n" -v s="$steps" 'BEGIN { if (s > 0) printf "%.0f", b / n / (s + 21); else print "-" }')
      [ "$n" = 1 ] && bucket_label="-" || bucket_label="$bucket/$allreduces"
      printf '%5s %14s %6s %8s %11s %7sx %12s%% %9s %11s %10s %14s\n' "$n" "$rate/${shown_delay/none/tbf}" "$batch" "$bucket_label" "$sps" \
        "$(awk -v a="$sps" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" "$share" "$step" "$lone" "$latency" "$per_host"
      [ -n "$JSON" ] && printf '{"hosts":%s,"rate":"%s","delay":"%s","batch":%s,"bucket":"%s","allreduces":%s,"samplesPerSecond":%s,"communicationPercent":%s,"stepMilliseconds":%s,"loneAllreduceMilliseconds":%s,"oneFloatAllreduceMicroseconds":%s,"bytesPerStepPerHost":%s}\n' \
        "$n" "$rate" "$shown_delay" "$batch" "$bucket" "${allreduces:-0}" "$sps" "$share" "$step" "$lone" "${latency:-0}" "$per_host" >> "$JSON"
     done
    done
  done
done

# The ring-allreduce model fitted to these rows, and where it says scaling stops.
if [ -n "$JSON" ] && [ -n "${parameters:-}" ]; then
  echo
  awk -v parameters="$parameters" -v cores="$(nproc)" -f Benchmarks/distributed-model.awk "$JSON"
fi
