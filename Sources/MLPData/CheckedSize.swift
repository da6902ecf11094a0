/// Arithmetic on sizes that come from outside the program (file headers, model metadata,
/// checkpoints, command-line flags): products and sums that report overflow as nil instead of
/// trapping, so an absurd number becomes an error message naming where it came from.
///
/// Every size read from a file or a flag goes through here (or through the same
/// `...ReportingOverflow` operations) before it sizes a buffer or bounds a loop.
public enum CheckedSize {
    /// `factors[0] * factors[1] * ...`, or nil when it overflows `Int` (1 for no factors).
    public static func product(_ factors: Int...) -> Int? { product(of: factors) }

    /// The product of `factors`, or nil on overflow.
    public static func product(of factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// `terms[0] + terms[1] + ...`, or nil when it overflows `Int`.
    public static func sum(_ terms: Int...) -> Int? { sum(of: terms) }

    /// The sum of `terms`, or nil on overflow.
    public static func sum(of terms: [Int]) -> Int? {
        var result = 0
        for term in terms {
            let (next, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
