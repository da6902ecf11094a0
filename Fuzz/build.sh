#!/usr/bin/env bash
# Builds the libFuzzer harnesses with swiftc directly, leaving Package.swift and `swift build`
# alone: the format readers (Sources/NeuralNetwork/Formats + Dataset.swift, their only other
# source) become one static NeuralNetwork module instrumented for libFuzzer and AddressSanitizer,
# and each harness in Fuzz/Harnesses links against it through the readers' public API.
#
# Usage: Fuzz/build.sh [harness ...]    (default: all of safetensors idx csv)
# Output: $FUZZ_WORK/bin/fuzz-<harness>  (FUZZ_WORK defaults to .build-fuzz, git-ignored)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-$root/.build-fuzz}
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(safetensors idx csv)

# -O to fuzz what users run; -g for readable stack traces in crash reports.
flags=(-O -g -swift-version 6 -sanitize=fuzzer,address -parse-as-library -I "$root/Sources/CZlib")

sources=("$root"/Sources/NeuralNetwork/Formats/*.swift "$root/Sources/NeuralNetwork/Data/Dataset.swift")
module="$work/module"
mkdir -p "$module" "$work/bin"

# The library is rebuilt only when a reader's source is newer than it.
library="$module/libNeuralNetwork.a"
stale=0
[ -f "$library" ] || stale=1
for source in "${sources[@]}"; do [ "$source" -nt "$library" ] && stale=1; done
if [ $stale = 1 ]; then
    echo "fuzz: building the NeuralNetwork readers (${#sources[@]} files)"
    swiftc "${flags[@]}" -module-name NeuralNetwork -emit-module -emit-module-path "$module/NeuralNetwork.swiftmodule" \
        -emit-library -static -o "$library" "${sources[@]}"
fi

for harness in "${harnesses[@]}"; do
    case $harness in
        safetensors) file=SafeTensorsHarness.swift ;;
        idx) file=IDXHarness.swift ;;
        csv) file=CSVHarness.swift ;;
        *) echo "fuzz: unknown harness '$harness' (safetensors, idx, csv)" >&2; exit 2 ;;
    esac
    binary="$work/bin/fuzz-$harness"
    if [ ! -x "$binary" ] || [ "$library" -nt "$binary" ] || [ "$root/Fuzz/Harnesses/$file" -nt "$binary" ] \
        || [ "$root/Fuzz/Harnesses/HarnessSupport.swift" -nt "$binary" ]; then
        echo "fuzz: building fuzz-$harness"
        swiftc "${flags[@]}" -module-name "Fuzz_$harness" -I "$module" \
            "$root/Fuzz/Harnesses/$file" "$root/Fuzz/Harnesses/HarnessSupport.swift" \
            -L "$module" -lNeuralNetwork -lz -use-ld=lld -o "$binary"
    fi
done
