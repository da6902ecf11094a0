extension CrossoverTable {
    /// The table measured on the project's machines (see ``source``); regenerate this file with
    /// `mlp-bench calibrate --swift-source Sources/LinearAlgebra/CrossoverTable+BuiltIn.swift`.
    public static let builtIn = CrossoverTable(source: "placeholder: not yet calibrated", entries: [])
}
