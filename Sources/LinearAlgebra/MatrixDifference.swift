/// The largest relative difference between two m x n matrices, measured against the scale of
/// the second (the reference):
///
///     max_ij |X_ij - Y_ij| / max(max_ij |Y_ij|, tiny)
///
/// A normwise measure: it does not blow up where an entry happens to be near zero, and it is 0
/// exactly when the matrices are equal. NaN anywhere makes it NaN.
public func maxRelativeDifference(
    _ x: UnsafePointer<Float>, ldx: Int,
    _ y: UnsafePointer<Float>, ldy: Int,
    rows m: Int, columns n: Int
) -> Double {
    var largestDifference = 0.0
    var scale = 0.0
    for i in 0..<m {
        for j in 0..<n {
            let u = Double(x[i * ldx + j]), v = Double(y[i * ldy + j])
            if u.isNaN || v.isNaN { return .nan }
            largestDifference = max(largestDifference, abs(u - v))
            scale = max(scale, abs(v))
        }
    }
    return largestDifference / max(scale, Double(Float.leastNormalMagnitude))
}

/// ``maxRelativeDifference(_:ldx:_:ldy:rows:columns:)`` of two matrices of the same shape.
public func maxRelativeDifference(_ x: Matrix, _ y: Matrix) -> Double {
    precondition(x.rows == y.rows && x.columns == y.columns,
                 "maxRelativeDifference: shapes \(x.rows)x\(x.columns) and \(y.rows)x\(y.columns) differ")
    if x.rows == 0 || x.columns == 0 { return 0 }
    return x.withUnsafeBufferPointer { px in
        y.withUnsafeBufferPointer { py in
            maxRelativeDifference(px.baseAddress!, ldx: x.columns, py.baseAddress!, ldy: y.columns,
                                  rows: x.rows, columns: x.columns)
        }
    }
}
