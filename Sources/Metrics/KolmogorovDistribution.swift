import Foundation

/// Distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n: scipy's
/// `scipy.stats.kstwo` (`scipy/stats/_ksstats.py::_kolmogn`, scipy 1.17), which picks between
/// exact and approximate methods following Simard & L'Ecuyer (2011):
/// Ruben–Gambino closed forms at the ends, Durbin's matrix (Marsaglia–Tsang–Wang),
/// Pomeranz's recursion, 2·Smirnov for the upper tail and the Pelz–Good expansion.
enum KolmogorovDistribution {
    /// Which algorithm evaluates P(D_n ≤ x) or P(D_n ≥ x); exposed for tests.
    enum Branch: Equatable {
        case belowSupport, aboveSupport, rubenGambinoLow, rubenGambinoHigh
        case smirnov, durbin, pomeranz, pelzGood, zeroTail, oneCDF
    }

    static let e128 = 128
    static let twoTo128 = Double(sign: .plus, exponent: 128, significand: 1)
    static let twoToMinus128 = Double(sign: .plus, exponent: -128, significand: 1)

    /// P(D_n >= x), scipy's `kstwo.sf(x, n)`.
    static func sf(_ x: Double, n: Int) -> Double { kolmogn(n: n, x: x, cdf: false) }

    /// P(D_n <= x), scipy's `kstwo.cdf(x, n)`.
    static func cdf(_ x: Double, n: Int) -> Double { kolmogn(n: n, x: x, cdf: true) }

    static func kolmogn(n: Int, x: Double, cdf: Bool) -> Double {
        precondition(n > 0, "kstwo needs n >= 1")
        if x.isNaN { return .nan }
        let nd = Double(n)
        func pick(_ c: Double, _ s: Double) -> Double { KolmogorovSmirnov.clamp01(cdf ? c : s) }
        switch branch(n: n, x: x, cdf: cdf) {
        case .aboveSupport:
            return pick(1, 0)
        case .belowSupport:
            return pick(0, 1)
        case .rubenGambinoLow:
            let t = nd * x
            var prob: Double
            if n <= 140 {
                prob = 1.0
                for i in 1...n { prob *= Double(i) * (1.0 / nd) * (2 * t - 1) }
            } else {
                prob = exp(logFactorialOverPower(n) + nd * log(2 * t - 1))
            }
            return pick(prob, 1 - prob)
        case .rubenGambinoHigh:
            let prob = 2 * pow(1.0 - x, nd)
            return pick(1 - prob, prob)
        case .smirnov:
            let prob = 2 * Smirnov.sf(n: n, x: x)
            return pick(1 - prob, prob)
        case .zeroTail:
            return 0.0
        case .oneCDF:
            return pick(1, 0)
        case .durbin:
            let p = durbinCDF(n: n, d: x)
            return pick(p, 1 - p)
        case .pomeranz:
            let p = pomeranzCDF(n: n, x: x)
            return pick(p, 1 - p)
        case .pelzGood:
            let p = pelzGoodCDF(n: n, x: x)
            return pick(p, 1 - p)
        }
    }

    /// scipy's decision tree in `_kolmogn`, in the same order.
    static func branch(n: Int, x: Double, cdf: Bool) -> Branch {
        if x >= 1.0 { return .aboveSupport }
        if x <= 0.0 { return .belowSupport }
        let nd = Double(n)
        let t = nd * x
        if t <= 1.0 {
            return t <= 0.5 ? .belowSupport : .rubenGambinoLow
        }
        if t >= nd - 1 { return .rubenGambinoHigh }
        if x >= 0.5 { return .smirnov }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return .durbin }
            if nxSquared <= 4 { return .pomeranz }
            return .smirnov
        }
        if !cdf {
            if nxSquared >= 370.0 { return .zeroTail }
            if nxSquared >= 2.2 { return .smirnov }
        }
        if nxSquared >= 18.0 { return .oneCDF }
        if n <= 100_000 && nd * pow(x, 1.5) <= 1.4 { return .durbin }
        return .pelzGood
    }

    /// log(n! / n^n) by Stirling's series with n·log(n) removed up front.
    static func logFactorialOverPower(_ n: Int) -> Double {
        let coeffs: [Double] = [-2.955065359477124183e-2, 6.4102564102564102564e-3,
                                -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                                -5.952380952380952381e-4, 7.9365079365079365079e-4,
                                -2.7777777777777777778e-3, 8.3333333333333333333e-2]
        let nd = Double(n)
        let rn = 1.0 / nd
        let y = rn / nd
        var poly = 0.0
        for c in coeffs { poly = poly * y + c }
        return log(nd) / 2 - nd + log(2 * Double.pi) / 2 + rn * poly
    }

    /// Pelz–Good approximation of P(D_n <= x), 0 < x < 1.
    static func pelzGoodCDF(n: Int, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let nd = Double(n)
        let piSq = pow(Double.pi, 2), piFour = pow(Double.pi, 4), piSix = pow(Double.pi, 6)
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = nd.squareRoot() * x
        let z2 = pow(z, 2), z3 = pow(z, 3), z4 = pow(z, 4), z6 = pow(z, 6)
        let qlog = -piSq / 8 / z2
        if qlog < -708 { return 0 }
        var q = exp(qlog)
        let k1a = -z2, k1b = piSq / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * piSq / 4
        let k2c = piFour * (1 - 2 * z2) / 16
        let k3d = piSix * (5 - 30 * z2) / 64
        let k3c = piFour * (-60 * z2 + 212 * z4) / 16
        let k3b = piSq * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)
        var kk = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let m = Double(2 * k - 1)
                let m2 = pow(m, 2), m4 = pow(m, 4), m6 = pow(m, 6)
                let qpower = pow(q, Double(8 * k))
                let coeffs = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                              k3a + k3b * m2 + k3c * m4 + k3d * m6]
                for i in 0..<4 { kk[i] = kk[i] * qpower + coeffs[i] }
            }
        }
        let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for i in 0..<4 { kk[i] = kk[i] * q * sqrt2pi / divisors[i] }
        q = exp(-piSq / 2 / z2)
        let sqrt3z = 3.0.squareRoot() * z
        var k2extra = 0.0, k3extra = 0.0
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let ks = Double(k * k)
                let kspi = Double.pi * Double(k)
                let qp = pow(q, ks)
                k2extra += ks * qp
                k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks * qp
            }
        }
        kk[2] += k2extra * (piSq * sqrt2pi / (-36 * z3))
        kk[3] += k3extra * (piSq * sqrt2pi / (216 * z6))
        for i in 0..<4 { kk[i] /= pow(nd, Double(i) / 2.0) }
        return kk[0] + kk[1] + kk[2] + kk[3]
    }
}
