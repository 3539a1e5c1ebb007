import Foundation

/// One-sided Kolmogorov–Smirnov distribution: `scipy.special.smirnov(n, x)` = P(D_n^+ >= x).
///
/// Follows xsf's `cephes/kolmogorov.h::_smirnov` (special cases, the n > 10^6 approximation and
/// the Birnbaum–Tingey lower sum with its early exit), but evaluates each term
/// C(n,v)·(x + v/n)^(v−1)·(1 − x − v/n)^(n−v) in log space with compensated n·x instead of
/// double-double arithmetic, and sums with Neumaier compensation. Agreement with scipy is
/// about 1e-12 relative.
enum Smirnov {
    static let maxComputeN = 1_000_000
    /// cephes MINLOG = log(2^-1022).
    static let minLog = -7.08396418532264106224e2

    static func sf(n: Int, x: Double) -> Double {
        guard n > 0, x >= 0, x <= 1 else { return .nan }
        if n == 1 { return 1 - x }
        if x == 0 { return 1 }
        if x == 1 { return 0 }
        let dn = Double(n)
        let (nxHi, nxLo) = twoProduct(dn, x)
        var nxFloor = Int(nxHi.rounded(.down))
        var alpha: Double
        if nxHi == nxHi.rounded(.down) {
            alpha = nxLo
            if alpha < 0 {
                nxFloor -= 1
                alpha += 1
            }
        } else {
            alpha = (nxHi - nxHi.rounded(.down)) + nxLo
        }
        if alpha == 1 {
            nxFloor += 1
            alpha = 0
        }
        // x <= 1/n: cdf = x·(1 + x)^(n − 1).
        if nxFloor == 0 || (nxFloor == 1 && alpha == 0) {
            return KolmogorovSmirnov.clamp01(1 - x * exp(Double(n - 1) * log1p(x)))
        }
        if -2 * dn * x * x < minLog { return 0 }
        if nxFloor >= n - 1 { return pow(1 - x, dn) }
        if n > maxComputeN {
            let logp = -pow(6.0 * dn * x + 1, 2) / 18.0 / dn
            let sf = logp < -M_LN2 ? exp(logp) : 1 - (-expm1(logp))
            return KolmogorovSmirnov.clamp01(sf)
        }
        var lastV = n - nxFloor - (alpha == 0 ? 0 : 1)
        if alpha == 0 { lastV -= 1 }
        let nTerms = lastV + 1
        // v = 0 term: (1 − x)^n / x.
        var sum = exp(dn * log1p(-x)) / x
        var compensation = 0.0
        // C(n, v) = cMantissa · 2^cExponent, updated by the ratio C(n, v) / C(n, v − 1).
        var cMantissa = 1.0, cExponent = 0
        let vmid = n / 2
        var j = 1
        while j < nTerms {
            let v = j
            let ratio = Double(n - v + 1) / Double(v)
            let scaled = frexp(cMantissa * ratio)
            cMantissa = scaled.0
            cExponent += scaled.1
            let logBinomial = log(cMantissa) + Double(cExponent) * M_LN2
            let t1 = (Double(v) + nxHi + nxLo) / dn                // x + v/n
            let t2 = ((Double(n - v) - nxHi) - nxLo) / dn          // 1 − x − v/n
            let logTerm = logBinomial + Double(v - 1) * log(t1) + Double(n - v) * log(t2)
            let term = exp(logTerm)
            if term.isFinite && term != 0 {
                let s = sum + term
                compensation += Swift.abs(sum) >= Swift.abs(term) ? (sum - s) + term : (term - s) + sum
                sum = s
            }
            if term != 0 {
                if 4 * Double(nTerms - j) * term < Double.ulpOfOne * (sum + compensation) && j != nTerms - 1 {
                    break
                }
            } else if j > vmid {
                break
            }
            j += 1
        }
        return KolmogorovSmirnov.clamp01(x * (sum + compensation))
    }

    /// hi + lo == a·b exactly.
    static func twoProduct(_ a: Double, _ b: Double) -> (Double, Double) {
        let hi = a * b
        return (hi, (-hi).addingProduct(a, b))
    }

    /// Plain reference twin: the same lower sum with log C(n, v) from lgamma and no early exit.
    static func referenceSF(n: Int, x: Double) -> Double {
        let dn = Double(n)
        let last = Int((dn * (1 - x)).rounded(.down))
        var sum = 0.0
        for v in 0...Swift.max(last, 0) {
            let t1 = x + Double(v) / dn, t2 = 1 - x - Double(v) / dn
            if t2 <= 0 { continue }
            let logC = lgamma(dn + 1) - lgamma(Double(v) + 1) - lgamma(dn - Double(v) + 1)
            sum += exp(logC + Double(v - 1) * log(t1) + Double(n - v) * log(t2))
        }
        return x * sum
    }
}
