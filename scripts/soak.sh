#!/usr/bin/env bash
# Soak: train for many epochs on a small data set and check that resident memory stays flat.
#
#   scripts/soak.sh [EPOCHS] [extra mlp train flags...]      (default 200 epochs)
#
# Builds the release `mlp`, trains on the built-in two-spirals set (1000 points, 2-64-64-2,
# Adam, batch 32) with a checkpoint written after every epoch, and reads the process's
# resident set after each epoch through the tool's SWIFTMLP_RSS_LOG=1 probe (VmRSS from
# /proc/self/status). It prints the RSS after the first and the last epoch and the largest,
# and fails when the last exceeds the first by more than SOAK_TOLERANCE_KB (default 2048).
#
# Some growth is by design: the run keeps one report per epoch (the learning curves for
# --plot and the history), a few hundred bytes each, so 200 epochs add some 100 kB; the
# training steps themselves allocate nothing after the first (see Trainer).
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=${1:-200}
shift || true
tolerance=${SOAK_TOLERANCE_KB:-2048}
scratch=${SOAK_SCRATCH_PATH:-.build}

swift build -c release --product mlp --scratch-path "$scratch" >&2
mlp="$scratch/release/mlp"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "soak: mlp train --epochs $epochs on the two spirals, checkpointing every epoch $*" >&2
start=$(date +%s)
SWIFTMLP_RSS_LOG=1 "$mlp" train --epochs "$epochs" --checkpoint "$work/checkpoints" --json "$@" \
    >"$work/epochs.json" 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
seconds=$(( $(date +%s) - start ))

grep '^rss epoch ' "$work/stderr" | awk -v tolerance="$tolerance" -v seconds="$seconds" '
    { kb = $4 + 0; n += 1; if (n == 1) first = kb; last = kb; if (kb > peak) peak = kb; epoch = $3 }
    END {
        if (n == 0) { print "soak: no RSS samples (is /proc mounted?)"; exit 1 }
        sub(":", "", epoch)
        printf "soak: %d epochs in %d s; resident memory after epoch 1: %d kB, after epoch %s: %d kB (peak %d kB, growth %+d kB)\n",
               n, seconds, first, epoch, last, peak, last - first
        if (last - first > tolerance) { printf "soak: FAILED: grew by more than %d kB\n", tolerance; exit 1 }
    }'
tail -n 1 "$work/epochs.json" >&2
