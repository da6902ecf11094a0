#!/usr/bin/env bash
# Data-parallel scaling on this machine: trains the same network with 1, 2 and 4 MPI ranks and
# prints, per rank count, the training throughput (samples/s) and the share of training time
# the ranks spent inside MPI collectives (the per-step gradient allreduce, waiting included),
# as `mlp train --distributed` reports them on its "distributed:" line. See docs/DISTRIBUTED.md.
#
#   Benchmarks/distributed.sh [DATA] [BATCH] [EPOCHS] [RANKS...]
#
# DATA defaults to Fashion-MNIST from Debian's dataset-fashion-mnist (784-256-128-10, 235,146
# parameters); BATCH (global batch size) to 128; EPOCHS to 1; RANKS to "1 2 4". Every rank runs
# one GEMM thread (--threads 1), so N ranks use N cores; with more ranks than cores they share
# cores (--oversubscribe). Needs Open MPI (apt-get install libopenmpi-dev openmpi-bin).
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${1:-/usr/share/datasets/fashion-mnist}
BATCH=${2:-128}
EPOCHS=${3:-1}
shift $(( $# < 3 ? $# : 3 ))
RANKS=${*:-1 2 4}
LAYERS=${LAYERS:-784,256,128,10}
SCRATCH=${SCRATCH:-.build-mpi}

swift build -c release --traits OpenBLAS,MPI --scratch-path "$SCRATCH" \
  -Xswiftc -target-cpu -Xswiftc native --product mlp >&2
MLP="$SCRATCH/release/mlp"

# As root, Open MPI wants explicit consent.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "data $DATA, layers $LAYERS, global batch $BATCH, $EPOCHS epoch(s), $(nproc) cores, one GEMM thread per rank"
printf '%6s %12s %9s %15s %10s %16s\n' ranks samples/s speedup communication step-ms lone-allreduce-ms
base=""
for n in $RANKS; do
  line=$(mpirun --oversubscribe -np "$n" "$MLP" train --distributed --data "$DATA" --layers "$LAYERS" \
           --activation relu --output softmax --loss cross-entropy --optimizer sgd --learning-rate 0.05 \
           --batch-size "$BATCH" --epochs "$EPOCHS" --backend openblas --threads 1 2>&1 >/dev/null \
         | grep '^distributed:')
  field() { sed -E "s|.*$1.*|\\1|" <<<"$line"; }
  rate=$(field ' ([0-9.]+) samples/s')
  base=${base:-$rate}
  printf '%6s %12s %8sx %14s%% %10s %16s\n' "$n" "$rate" "$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
    "$(field 'communication ([0-9.]+)%')" "$(field 'step ([0-9.]+) ms')" "$(field 'lone allreduce ([0-9.]+) ms')"
done
