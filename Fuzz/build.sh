#!/usr/bin/env bash
# Builds the libFuzzer harnesses against the package's own `MLPData` target (the file formats
# and `Dataset`, the readers' whole module): SwiftPM compiles that target, and nothing else but
# its one dependency CZlib, instrumented for libFuzzer and AddressSanitizer in a scratch folder
# of its own; each harness in Fuzz/Harnesses is then compiled with swiftc and linked with
# MLPData's objects, calling the readers through their public API as users do. The harnesses
# stay out of Package.swift (libFuzzer provides their `main`), so `swift build` and `swift test`
# never see them.
#
# Usage: Fuzz/build.sh [harness ...]    (default: all of safetensors idx csv)
# Output: $FUZZ_WORK/bin/fuzz-<harness>  (FUZZ_WORK defaults to .build-fuzz, git-ignored)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-$root/.build-fuzz}
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(safetensors idx csv)

# Release (-O) to fuzz what users run; -g for readable stack traces in crash reports. SwiftPM
# rebuilds only what changed.
scratch="$work/spm"
echo "fuzz: building the MLPData target (swift build --target MLPData, -sanitize=fuzzer,address)"
swift build --package-path "$root" --scratch-path "$scratch" -c release --target MLPData \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -g
products=$(swift build --package-path "$root" --scratch-path "$scratch" -c release --show-bin-path)
objects=("$products"/MLPData.build/*.o)
[ -f "${objects[0]}" ] || { echo "fuzz: no objects in $products/MLPData.build" >&2; exit 1; }
# Where SwiftPM puts the target's .swiftmodule (Modules/ since Swift 6; the products folder before).
modules="$products/Modules"
[ -d "$modules" ] || modules="$products"

flags=(-O -g -swift-version 6 -sanitize=fuzzer,address -parse-as-library -I "$modules" -I "$root/Sources/CZlib")
mkdir -p "$work/bin"
for harness in "${harnesses[@]}"; do
    case $harness in
        safetensors) file=SafeTensorsHarness.swift ;;
        idx) file=IDXHarness.swift ;;
        csv) file=CSVHarness.swift ;;
        *) echo "fuzz: unknown harness '$harness' (safetensors, idx, csv)" >&2; exit 2 ;;
    esac
    binary="$work/bin/fuzz-$harness"
    stale=0
    [ -x "$binary" ] || stale=1
    for input in "${objects[@]}" "$root/Fuzz/Harnesses/$file" "$root/Fuzz/Harnesses/HarnessSupport.swift"; do
        [ "$input" -nt "$binary" ] && stale=1
    done
    if [ $stale = 1 ]; then
        echo "fuzz: building fuzz-$harness"
        swiftc "${flags[@]}" -module-name "Fuzz_$harness" \
            "$root/Fuzz/Harnesses/$file" "$root/Fuzz/Harnesses/HarnessSupport.swift" \
            "${objects[@]}" -lz -use-ld=lld -o "$binary"
    fi
done
