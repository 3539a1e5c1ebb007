/// 1-D Wasserstein-1 (earth mover's) distance between two equally weighted samples,
/// equal to `scipy.stats.wasserstein_distance(u, v)`: the integral of |U(t) − V(t)| over t,
/// where U and V are the empirical CDFs.
public enum Wasserstein {
    /// Distance for unsorted samples (sorts copies). Throws `MetricsError.emptySample` for an
    /// empty sample; NaN if either sample holds a NaN.
    public static func distance(_ u: [Double], _ v: [Double]) throws -> Double {
        try KolmogorovSmirnov.checkNonEmpty(u, v)
        if u.contains(where: \.isNaN) || v.contains(where: \.isNaN) { return .nan }
        return distance(sortedU: u.sorted(), sortedV: v.sorted())
    }

    /// Distance for samples already sorted ascending, non-empty and free of NaN: one merge
    /// over the distinct pooled values, summing |U − V| times the gap to the next value.
    public static func distance(sortedU u: [Double], sortedV v: [Double]) -> Double {
        precondition(!u.isEmpty && !v.isEmpty, "Wasserstein distance needs two non-empty samples")
        return u.withUnsafeBufferPointer { pu in
            v.withUnsafeBufferPointer { pv in
                let nu = pu.count, nv = pv.count
                let du = Double(nu), dv = Double(nv)
                var i = 0, j = 0
                var total = 0.0
                var current = Swift.min(pu[0], pv[0])
                while i < nu || j < nv {
                    while i < nu && pu[i] <= current { i += 1 }
                    while j < nv && pv[j] <= current { j += 1 }
                    let next: Double
                    if i < nu && j < nv {
                        next = Swift.min(pu[i], pv[j])
                    } else if i < nu {
                        next = pu[i]
                    } else if j < nv {
                        next = pv[j]
                    } else {
                        break
                    }
                    total += Swift.abs(Double(i) / du - Double(j) / dv) * (next - current)
                    current = next
                }
                return total
            }
        }
    }

    /// Plain reference twin, scipy's formula verbatim: sort the pooled values, and for each
    /// gap count (by linear scan) how many values of each sample are <= its left end. O(N²).
    public static func referenceDistance(_ u: [Double], _ v: [Double]) -> Double {
        precondition(!u.isEmpty && !v.isEmpty, "Wasserstein distance needs two non-empty samples")
        let all = (u + v).sorted()
        var total = 0.0
        for k in 0..<(all.count - 1) {
            let fu = Double(u.filter { $0 <= all[k] }.count) / Double(u.count)
            let fv = Double(v.filter { $0 <= all[k] }.count) / Double(v.count)
            total += Swift.abs(fu - fv) * (all[k + 1] - all[k])
        }
        return total
    }
}
