extension Dataset {
    /// A seeded shuffled split into training and validation samples, as scikit-learn's
    /// `train_test_split(shuffle=True)`; with `stratified`, as its `stratify=y`.
    ///
    /// The samples are put in an order drawn from `seed` (``SeededGenerator/shuffle(_:)``);
    /// the validation set takes v = `validationCount(fraction:)` = round(`fraction` * count) of
    /// them, the training set the rest, each in that drawn order. Without stratification they are
    /// the first v of the order. Stratified, class c (n_c samples) gives its first v_c samples in
    /// the order, where v_c is n_c v / count rounded by largest remainders (the v_c sum to v; each
    /// is within 1 of n_c v / count; ties go to the lower class), so both sets keep the classes'
    /// proportions. The same data and seed give the same split on every machine; scikit-learn
    /// draws other rows.
    ///
    /// - Throws: `DatasetError/invalidFraction(_:)` for a fraction outside [0, 1),
    ///   `DatasetError/stratifyNeedsLabels` for a stratified split of real-valued targets.
    public func shuffledSplit(validationFraction fraction: Double, seed: UInt64,
                              stratified: Bool = false) throws(DatasetError) -> (training: Dataset, validation: Dataset) {
        guard fraction >= 0 && fraction < 1 else { throw .invalidFraction(fraction) }
        var order = Array(0..<count)
        var generator = SeededGenerator(seed: seed)
        generator.shuffle(&order)
        let held = validationCount(fraction: fraction)
        guard stratified else { return (subset(order[held...]), subset(order[..<held])) }
        guard case .classes(let labels, let classCount) = targets else { throw .stratifyNeedsLabels }

        var sizes = [Int](repeating: 0, count: classCount)
        for label in labels { sizes[Int(label)] += 1 }
        let quotas = Self.largestRemainderQuotas(sizes: sizes, total: count, held: held)
        var taken = [Int](repeating: 0, count: classCount)
        var isHeld = [Bool](repeating: false, count: count)
        for sample in order {
            let c = Int(labels[sample])
            if taken[c] < quotas[c] {
                taken[c] += 1
                isHeld[sample] = true
            }
        }
        return (subset(order.filter { !isHeld[$0] }), subset(order.filter { isHeld[$0] }))
    }

    /// `held` shared among classes of `sizes` (summing to `total`) in proportion: each class
    /// gets floor(size * held / total), and the units left go one each to the largest
    /// remainders (the lower class first among equals).
    static func largestRemainderQuotas(sizes: [Int], total: Int, held: Int) -> [Int] {
        guard total > 0 else { return sizes.map { _ in 0 } }
        var quotas = sizes.map { $0 * held / total }
        let remainders = sizes.map { $0 * held % total }
        let left = held - quotas.reduce(0, +)
        let ranked = sizes.indices.sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
        for c in ranked.prefix(left) { quotas[c] += 1 }
        return quotas
    }
}
