import Foundation

/// The two exact algorithms scipy's `kstwo` uses for P(D_n <= x): Durbin's matrix method in the
/// Marsaglia–Tsang–Wang form (`_kolmogn_DMTW`) and Pomeranz's recursion (`_kolmogn_Pomeranz`).
/// Both scale intermediate values by 2^±128 and track the exponent separately.
extension KolmogorovDistribution {
    /// Durbin / Marsaglia–Tsang–Wang: k-th diagonal entry of (n!/n^n)·H^n, H of order 2k − 1.
    static func durbinCDF(n: Int, d: Double) -> Double {
        if d >= 1.0 { return 1.0 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0.0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1

        var v = (1...m).map { 1.0 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var fac = 1.0
        for j in 1...m {
            w[j - 1] = fac
            fac /= Double(j)
            v[j - 1] *= fac
        }
        let tt = pow(Swift.max(2 * h - 1.0, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1.0 + tt) * fac

        var hm = SquareMatrix(order: m)
        if m > 1 {
            for i in 1..<m { for r in (i - 1)..<m { hm[r, i] = w[r - (i - 1)] } }
        }
        for r in 0..<m { hm[r, 0] = v[r] }
        for c in 0..<m { hm[m - 1, c] = v[m - 1 - c] }

        var power = SquareMatrix.identity(order: m)
        var nn = n
        var expnt = 0, hExpnt = 0
        while nn > 0 {
            if nn % 2 == 1 {
                power = power.multiplied(by: hm)
                expnt += hExpnt
            }
            hm = hm.multiplied(by: hm)
            hExpnt *= 2
            if Swift.abs(hm[k - 1, k - 1]) > twoTo128 {
                hm.scale(by: twoToMinus128)
                hExpnt += e128
            }
            nn /= 2
        }
        var p = power[k - 1, k - 1]
        let dn = Double(n)
        for i in 1...n {
            p = Double(i) * p / dn
            if Swift.abs(p) < twoToMinus128 {
                p *= twoTo128
                expnt -= e128
            }
        }
        if expnt != 0 { p = scalbn(p, expnt) }
        return KolmogorovSmirnov.clamp01(p)
    }

    /// Pomeranz (1974): rows of Poisson-weighted convolutions; n!·V[2n+1][n] is the CDF.
    static func pomeranzCDF(n: Int, x: Double) -> Double {
        let dn = Double(n)
        let t = dn * x
        let ll = Int(t.rounded(.down))
        let f = 1.0 * (t - Double(ll))
        let g = Swift.min(f, 1.0 - f)
        let ceilf = f > 0 ? 1 : 0
        let roundf = f > 0.5 ? 1 : 0
        let npwrs = 2 * (ll + 1)
        var gpower = [Double](repeating: 1, count: npwrs)
        var twoGPower = gpower, oneMinus2GPower = gpower
        let gOverN = g / dn, twoGOverN = 2 * g / dn, oneMinusTwoGOverN = (1 - 2 * g) / dn
        for m in 1..<npwrs {
            gpower[m] = gpower[m - 1] * gOverN / Double(m)
            twoGPower[m] = twoGPower[m - 1] * twoGOverN / Double(m)
            oneMinus2GPower[m] = oneMinus2GPower[m - 1] * oneMinusTwoGOverN / Double(m)
        }
        var v0 = [Double](repeating: 0, count: npwrs)
        var v1 = v0
        v1[0] = 1
        var v0s = 0, v1s = 0
        var expnt = 0
        var (j1, j2) = pomeranzRange(row: 0, n: n, ll: ll, ceilf: ceilf, roundf: roundf)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0s, &v1s)
            for idx in 0..<npwrs { v1[idx] = 0 }
            (j1, j2) = pomeranzRange(row: i, n: n, ll: ll, ceilf: ceilf, roundf: roundf)
            let pwrs = (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 == 1 ? twoGPower : oneMinus2GPower)
            let ln2 = j2 - k1 + 1
            guard ln2 > 0 else { continue }
            // np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]), slices clipped at the end.
            let aStart = k1 - v0s
            let aLen = Swift.min(ln2, npwrs - aStart)
            let bLen = Swift.min(ln2, npwrs)
            let convStart = j1 - k1, convLen = j2 - j1 + 1
            var largest = -Double.infinity
            for c in 0..<convLen {
                let idx = convStart + c
                var sum = 0.0
                let lo = Swift.max(0, idx - bLen + 1), hi = Swift.min(idx, aLen - 1)
                if lo <= hi { for p in lo...hi { sum += v0[aStart + p] * pwrs[idx - p] } }
                v1[c] = sum
            }
            for value in v1 { largest = Swift.max(largest, value) }
            if largest > 0 && largest < twoToMinus128 {
                for idx in 0..<npwrs { v1[idx] *= twoTo128 }
                expnt -= e128
            }
            v1s = v0s + j1 - k1
        }
        var ans = v1[n - v1s]
        for m in 1...n {
            if Swift.abs(ans) > twoTo128 {
                ans *= twoToMinus128
                expnt += e128
            }
            ans *= Double(m)
        }
        if expnt != 0 { ans = scalbn(ans, expnt) }
        return KolmogorovSmirnov.clamp01(ans)
    }

    /// Endpoints of the non-zero window of row `row` (scipy's `_pomeranz_compute_j1j2`).
    static func pomeranzRange(row i: Int, n: Int, ll: Int, ceilf: Int, roundf: Int) -> (Int, Int) {
        var j1: Int, j2: Int
        if i == 0 {
            j1 = -ll - ceilf - 1
            j2 = ll + ceilf - 1
        } else {
            let half = (i + 1) / 2, odd = (i + 1) % 2
            if odd == 0 {
                if half == n + 1 {
                    j1 = n - ll - ceilf - 1
                    j2 = n + ll + ceilf - 1
                } else {
                    j1 = half - 1 - ll - roundf - 1
                    j2 = half + ll - 1 + ceilf - 1
                }
            } else {
                j1 = half - 1 - ll - 1
                j2 = half + ll + roundf - 1
            }
        }
        return (Swift.max(j1 + 2, 0), Swift.min(j2, n))
    }
}

/// A dense row-major square matrix, just enough for Durbin's matrix power.
struct SquareMatrix {
    let order: Int
    var values: [Double]

    init(order: Int) {
        self.order = order
        values = [Double](repeating: 0, count: order * order)
    }

    static func identity(order: Int) -> SquareMatrix {
        var id = SquareMatrix(order: order)
        for i in 0..<order { id[i, i] = 1 }
        return id
    }

    subscript(r: Int, c: Int) -> Double {
        get { values[r * order + c] }
        set { values[r * order + c] = newValue }
    }

    mutating func scale(by s: Double) {
        for i in values.indices { values[i] *= s }
    }

    func multiplied(by other: SquareMatrix) -> SquareMatrix {
        let m = order
        var out = SquareMatrix(order: m)
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                out.values.withUnsafeMutableBufferPointer { c in
                    for i in 0..<m {
                        for k in 0..<m {
                            let aik = a[i * m + k]
                            if aik == 0 { continue }
                            for j in 0..<m { c[i * m + j] += aik * b[k * m + j] }
                        }
                    }
                }
            }
        }
        return out
    }
}
