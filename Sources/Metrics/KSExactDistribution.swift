import Foundation

/// Exact null distribution of the two-sided two-sample KS statistic, ported from scipy 1.17
/// (`_attempt_exact_2kssamp`, `_compute_prob_outside_square` in `scipy/stats/_stats_py.py` and
/// `_compute_outer_prob_inside_method` in `scipy/stats/_stats_pythran.py`), following
/// Hodges (1958) and Viehmann (arXiv:2102.08037) for the 1 − p recursion.
enum KSExactDistribution {
    /// D rounded to the lattice (h / lcm) and P(D >= that), or nil where scipy's exact attempt
    /// fails (it then falls back to the asymptotic distribution).
    static func attempt(n1: Int, n2: Int, statistic d: Double) -> (statistic: Double, pValue: Double?) {
        let g = gcd(n1, n2)
        let lcm = (n1 / g) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let rounded = Double(h) * 1.0 / Double(lcm)
        if h == 0 { return (rounded, 1.0) }
        let prob = n1 == n2
            ? probOutsideSquare(n: n1, h: h)
            : outerProbInsideMethod(m: n1, n: n2, g: g, h: h)
        guard prob.isFinite, prob >= 0, prob <= 1 else { return (rounded, nil) }
        return (rounded, prob)
    }

    /// P(D_{n,n} >= h/n) = 2·(A0 − A0·A1 + …) in scipy's Horner form, avoiding cancellation.
    static func probOutsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = Int((Double(n) / Double(h)).rounded(.down))
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            p = p1 * (1.0 - p)
            k -= 1
        }
        return 2 * p
    }

    /// Proportion of lattice paths (0,0)→(m,n) that leave the band |x·n/g − y·m/g| < h,
    /// computed directly as 1 − p with a sliding window over one column.
    static func outerProbInsideMethod(m m0: Int, n n0: Int, g: Int, h: Int) -> Double {
        let m = Swift.max(m0, n0), n = Swift.min(m0, n0)
        let mg = m / g, ng = n / g
        let hd = Double(h), mgd = Double(mg), ngd = Double(ng)
        var minj = 0
        var maxj = Swift.min(Int((hd / mgd).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = Swift.min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1.0, count: lenA)
        for idx in minj..<maxj { a[idx] = 0.0 }
        return a.withUnsafeMutableBufferPointer { buf -> Double in
            for i in 1...m {
                let lastminj = minj, lastlen = curlen
                minj = Swift.max(Int(((ngd * Double(i) - hd) / mgd).rounded(.down)) + 1, 0)
                minj = Swift.min(minj, n)
                maxj = Swift.min(Int(((ngd * Double(i) + hd) / mgd).rounded(.up)), n + 1)
                if maxj <= minj { return 1.0 }
                let di = Double(i)
                var val = minj == 0 ? 0.0 : 1.0
                for jj in 0..<(maxj - minj) {
                    let j = Double(jj + minj)
                    val = (buf[jj + minj - lastminj] * di + val * j) / (di + j)
                    buf[jj] = val
                }
                curlen = maxj - minj
                if lastlen > curlen {
                    let start = maxj - minj
                    let end = Swift.min(start + (lastlen - curlen), lenA)
                    if start < end { for idx in start..<end { buf[idx] = 1.0 } }
                }
            }
            return buf[maxj - minj - 1]
        }
    }

    /// Plain reference twin: count the paths (0,0)→(n1,n2) that stay strictly inside
    /// |x·n2 − y·n1| < h·g over the full grid and return 1 − inside / C(n1+n2, n1).
    /// Exact in Double while C(n1+n2, n1) < 2^53 (about n1 + n2 <= 56); fine to ~1e-13 beyond.
    static func referenceProbOutside(n1: Int, n2: Int, h: Int) -> Double {
        let g = gcd(n1, n2)
        let bound = h * g
        var row = [Double](repeating: 0, count: n2 + 1)
        var total = [Double](repeating: 1, count: n2 + 1) // C(x+y, y) row by row
        for x in 0...n1 {
            for y in 0...n2 {
                if x > 0 && y > 0 { total[y] += total[y - 1] }
                let inside = Swift.abs(x * n2 - y * n1) < bound
                if x == 0 && y == 0 {
                    row[y] = inside ? 1 : 0
                } else {
                    let left = x > 0 ? row[y] : 0
                    let below = y > 0 ? row[y - 1] : 0
                    row[y] = inside ? left + below : 0
                }
            }
        }
        return 1 - row[n2] / total[n2]
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
