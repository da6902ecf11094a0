// libFuzzer entry point for `CSVDataset.parse(_:fileName:targets:)`.
//
// Each input is parsed in both target modes, class labels and regression, with positional
// and named columns. A thrown `CSVError` is the right answer for bad input; only a crash, a
// trap, a leak, a hang or an oversized allocation is a finding. An accepted data set is
// checked against its own invariants.
import MLPData

/// The target choices every input is parsed with.
let targetModes: [CSVTargets] = [
    .classLabel(),
    .classLabel(column: "label", classCount: 10),
    .lastColumns(1),
    .columns([.name("y"), .index(0)]),
]

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    for targets in targetModes {
        var result: Result<Dataset, CSVError>!
        // Linear in the input: a Float (4 bytes) per cell of at least 2 bytes (digit and
        // separator), the first line's cell ranges (16 bytes per cell) and header names.
        AllocationBudget(perInputByte: 32, fixed: 1 << 16).measure(size: size) {
            result = Result { () throws(CSVError) in try CSVDataset.parse(input, fileName: "fuzz.csv", targets: targets) }
        }
        do {
            let set = try result.get()
            require(set.count > 0 && set.featureCount > 0, "an empty data set was accepted")
            guard case .floats(let features) = set.features else { fatalError("CSV features are floats") }
            require(features.count == set.count * set.featureCount, "feature count")
            require(features.allSatisfy(\.isFinite), "a non-finite feature")
            // Every cell took at least one byte and a separator.
            require(set.count * (set.featureCount + 1) <= size, "more cells than the file holds")
            switch set.targets {
            case .classes(let labels, let classCount):
                require(labels.count == set.count, "label count")
                require(labels.allSatisfy { $0 >= 0 && Int($0) < classCount }, "label out of range")
            case .values(let values, let width):
                require(values.count == set.count * width && values.allSatisfy(\.isFinite), "regression targets")
            }
            show("\(targets): accepted \(set.count) x \(set.featureCount), target width \(set.targetWidth)")
        } catch {
            show("\(targets): error: \(error.description)")  // the message must be producible too
        }
    }
    return 0
}
