extension Architecture {
    /// Trainable parameters, `sum over layers of rows * (inputs + 1)` (rows = outputs, times the
    /// pieces for Maxout), or nil when the count overflows `Int`.
    ///
    /// Building a network multiplies these sizes without asking; a size read from a command
    /// line or a file should be checked here first, so that an absurd one becomes an error
    /// message instead of an arithmetic-overflow trap or an allocation the machine cannot make.
    public var parameterCount: Int? {
        var total = 0
        for layer in layers {
            // Dense and Maxout: rows x (inputs + 1); BatchNorm: 4 per feature plus a count; LayerNorm: 2 per feature.
            let perRow: Int? = switch layer.kind {
            case .dense, .maxout: CheckedSize.sum(layer.inputSize, 1)
            case .batchNorm: 4
            case .layerNorm: 2
            case .dropout, .activation: 0
            }
            guard let perRow,
                  let count = CheckedSize.product(layer.outputSize, layer.pieces, perRow),
                  let sum = CheckedSize.sum(total, count) else { return nil }
            total = sum
        }
        return total
    }

    /// Bytes of `Float` storage for the parameters (4 per parameter), or nil on overflow.
    public var parameterByteCount: Int? {
        parameterCount.flatMap { CheckedSize.product($0, MemoryLayout<Float>.size) }
    }
}

extension Architecture.LayerSpec {
    /// Maxout's pieces; 1 for a Dense layer.
    var pieces: Int {
        if case .maxout(let pieces) = kind { return pieces }
        return 1
    }
}
