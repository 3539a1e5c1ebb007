/// How the p-value of a two-sample KS test was computed.
public enum KSMethod: String, Codable, Sendable {
    /// Exact null distribution of D (lattice-path counting), used when max(n1, n2) <= 10000.
    case exact
    /// Kolmogorov distribution of D_n with n = round(n1·n2 / (n1 + n2)) (scipy's `kstwo`).
    case asymptotic
}

/// Result of a two-sided two-sample Kolmogorov–Smirnov test.
public struct KSTestResult: Equatable, Sendable {
    public let statistic: Double
    public let pValue: Double
    public let method: KSMethod

    public init(statistic: Double, pValue: Double, method: KSMethod) {
        self.statistic = statistic
        self.pValue = pValue
        self.method = method
    }
}

/// Two-sample Kolmogorov–Smirnov statistic D = sup |F1 − F2| and its two-sided p-value,
/// reproducing `scipy.stats.ks_2samp(a, b, alternative='two-sided', method='auto')` (scipy 1.17).
public enum KolmogorovSmirnov {
    /// scipy's `MAX_AUTO_N`: the exact p-value is attempted when max(n1, n2) <= this.
    public static let maxExactSampleSize = 10_000

    /// D for unsorted samples (sorts copies, O(n log n)). NaN if either sample holds a NaN
    /// (scipy's default `nan_policy='propagate'`). Both samples must be non-empty.
    public static func statistic(_ a: [Double], _ b: [Double]) -> Double {
        precondition(!a.isEmpty && !b.isEmpty, "KS statistic needs two non-empty samples")
        if a.contains(where: \.isNaN) || b.contains(where: \.isNaN) { return .nan }
        return statistic(sortedA: a.sorted(), sortedB: b.sorted())
    }

    /// D for samples already sorted ascending and free of NaN: one O(n1 + n2) merge, no
    /// allocation. Ties are handled like scipy (both ECDFs are evaluated right-continuously at
    /// every distinct pooled value), and each ECDF difference is computed as i/n1 − j/n2 in the
    /// same floating-point operations scipy uses.
    public static func statistic(sortedA a: [Double], sortedB b: [Double]) -> Double {
        precondition(!a.isEmpty && !b.isEmpty, "KS statistic needs two non-empty samples")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let n1 = pa.count, n2 = pb.count
                let d1 = Double(n1), d2 = Double(n2)
                var i = 0, j = 0
                var d = 0.0
                while i < n1 && j < n2 {
                    let v = Swift.min(pa[i], pb[j])
                    while i < n1 && pa[i] <= v { i += 1 }
                    while j < n2 && pb[j] <= v { j += 1 }
                    let diff = Double(i) / d1 - Double(j) / d2
                    d = Swift.max(d, Swift.abs(diff))
                }
                // Once one sample is exhausted the difference only shrinks towards 0.
                return d
            }
        }
    }

    /// Statistic and two-sided p-value for unsorted samples. Throws `MetricsError.emptySample`
    /// for an empty sample; a NaN anywhere gives NaN statistic and p-value.
    public static func test(_ a: [Double], _ b: [Double]) throws -> KSTestResult {
        try checkNonEmpty(a, b)
        if a.contains(where: \.isNaN) || b.contains(where: \.isNaN) {
            let method: KSMethod = Swift.max(a.count, b.count) <= maxExactSampleSize ? .exact : .asymptotic
            return KSTestResult(statistic: .nan, pValue: .nan, method: method)
        }
        return try test(sortedA: a.sorted(), sortedB: b.sorted())
    }

    /// Statistic and two-sided p-value for samples already sorted ascending and free of NaN.
    public static func test(sortedA a: [Double], sortedB b: [Double]) throws -> KSTestResult {
        try checkNonEmpty(a, b)
        return test(statistic: statistic(sortedA: a, sortedB: b), n1: a.count, n2: b.count)
    }

    /// The p-value stage of `ks_2samp` for an observed D between samples of sizes n1 and n2.
    /// As in scipy, the exact branch reports D rounded to the lattice, h / lcm(n1, n2).
    public static func test(statistic d: Double, n1: Int, n2: Int) -> KSTestResult {
        precondition(n1 > 0 && n2 > 0, "sample sizes must be positive")
        guard !d.isNaN else {
            let method: KSMethod = Swift.max(n1, n2) <= maxExactSampleSize ? .exact : .asymptotic
            return KSTestResult(statistic: .nan, pValue: .nan, method: method)
        }
        var statistic = d
        if Swift.max(n1, n2) <= maxExactSampleSize {
            let exact = KSExactDistribution.attempt(n1: n1, n2: n2, statistic: d)
            statistic = exact.statistic
            if let p = exact.pValue {
                return KSTestResult(statistic: statistic, pValue: clamp01(p), method: .exact)
            }
        }
        let m = Double(Swift.max(n1, n2)), n = Double(Swift.min(n1, n2))
        let en = (m * n / (m + n)).rounded(.toNearestOrEven)
        let p = KolmogorovDistribution.sf(statistic, n: Int(en))
        return KSTestResult(statistic: statistic, pValue: clamp01(p), method: .asymptotic)
    }

    /// Plain reference twin of `statistic`: evaluates both ECDFs at every pooled point by
    /// counting, O((n1 + n2)²). Works on unsorted input. Used by tests.
    public static func referenceStatistic(_ a: [Double], _ b: [Double]) -> Double {
        precondition(!a.isEmpty && !b.isEmpty, "KS statistic needs two non-empty samples")
        var d = 0.0
        for v in a + b {
            let f1 = Double(a.filter { $0 <= v }.count) / Double(a.count)
            let f2 = Double(b.filter { $0 <= v }.count) / Double(b.count)
            d = Swift.max(d, Swift.abs(f1 - f2))
        }
        return d
    }

    static func checkNonEmpty(_ a: [Double], _ b: [Double]) throws {
        if a.isEmpty { throw MetricsError.emptySample("first") }
        if b.isEmpty { throw MetricsError.emptySample("second") }
    }

    static func clamp01(_ p: Double) -> Double {
        p.isNaN ? p : Swift.min(Swift.max(p, 0), 1)
    }
}
