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
            let (rows, rowsOverflow) = layer.outputSize.multipliedReportingOverflow(by: layer.pieces)
            // Dense and Maxout: rows x (inputs + 1); BatchNorm: 4 per feature plus a count; LayerNorm: 2 per feature.
            let (perRow, columnsOverflow): (Int, Bool) = switch layer.kind {
            case .dense, .maxout: layer.inputSize.addingReportingOverflow(1)
            case .batchNorm: (4, false)
            case .layerNorm: (2, false)
            case .dropout, .activation: (0, false)
            }
            let (count, countOverflow) = rows.multipliedReportingOverflow(by: perRow)
            let (sum, sumOverflow) = total.addingReportingOverflow(count)
            guard !(rowsOverflow || columnsOverflow || countOverflow || sumOverflow) else { return nil }
            total = sum
        }
        return total
    }

    /// Bytes of `Float` storage for the parameters (4 per parameter), or nil on overflow.
    public var parameterByteCount: Int? {
        guard let count = parameterCount else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        return overflow ? nil : bytes
    }
}

extension Architecture.LayerSpec {
    /// Maxout's pieces; 1 for a Dense layer.
    var pieces: Int {
        if case .maxout(let pieces) = kind { return pieces }
        return 1
    }
}
