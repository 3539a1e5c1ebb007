/// Two-sample KS and the effective sample size for weighted events (reweighted generated samples:
/// each generated event counts with its weight, every real event with 1).
extension KolmogorovSmirnov {
    /// sup_x |F_a(x) − G_b(x)| where F_a is the ECDF of `a` (each value 1/n) and G_b the weighted
    /// ECDF of `b` (value j counts weights[j] / Σ weights). Both ECDFs are evaluated right-continuously
    /// at every distinct pooled value, as in the unweighted statistic; with unit weights it equals
    /// `statistic(_:_:)` up to rounding. O((n + m) log(n + m)). NaN if a value or weight is NaN,
    /// the weights sum to 0 or a weight is negative.
    public static func weightedStatistic(_ a: [Double], _ b: [Double], weights: [Double]) -> Double {
        precondition(!a.isEmpty && !b.isEmpty, "KS statistic needs two non-empty samples")
        precondition(weights.count == b.count, "one weight per value of the weighted sample")
        if a.contains(where: \.isNaN) || b.contains(where: \.isNaN) || weights.contains(where: { $0.isNaN || $0 < 0 }) { return .nan }
        let total = weights.reduce(0, +)
        guard total > 0 else { return .nan }
        let sortedA = a.sorted()
        let order = b.indices.sorted { b[$0] < b[$1] }
        let n = Double(sortedA.count)
        var i = 0, j = 0, cumulative = 0.0, d = 0.0
        while i < sortedA.count || j < order.count {
            let v = Swift.min(i < sortedA.count ? sortedA[i] : .infinity, j < order.count ? b[order[j]] : .infinity)
            while i < sortedA.count && sortedA[i] <= v { i += 1 }
            while j < order.count && b[order[j]] <= v { cumulative += weights[order[j]]; j += 1 }
            d = Swift.max(d, Swift.abs(Double(i) / n - cumulative / total))
        }
        return d
    }

    /// The plain reference twin of `weightedStatistic`: both ECDFs summed from scratch at every
    /// pooled value, O((n + m)²). For tests only.
    public static func weightedStatisticReference(_ a: [Double], _ b: [Double], weights: [Double]) -> Double {
        let total = weights.reduce(0, +)
        var d = 0.0
        for x in a + b {
            let f = Double(a.filter { $0 <= x }.count) / Double(a.count)
            var g = 0.0
            for (v, w) in zip(b, weights) where v <= x { g += w }
            d = Swift.max(d, Swift.abs(f - g / total))
        }
        return d
    }
}

/// Kish's effective sample size of a weighted sample.
public enum EffectiveSampleSize {
    /// (Σw)² / Σw²: the number of unweighted events carrying the same statistical power; equals the
    /// count for equal weights. NaN for an empty sample or weights summing to 0.
    public static func count(_ weights: [Double]) -> Double {
        let sum = weights.reduce(0, +), squares = weights.reduce(0) { $0 + $1 * $1 }
        guard !weights.isEmpty, squares > 0 else { return .nan }
        return sum * sum / squares
    }

    /// `count` as a fraction of the number of events (1 for equal weights).
    public static func fraction(_ weights: [Double]) -> Double { count(weights) / Double(weights.count) }
}
