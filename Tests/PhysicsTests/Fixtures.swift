import EventStore
import Physics
@testable import Support

/// Tables shared by the statistical tests, generated once per test process.
enum Fixture {
    static let dy = EventGenerator(process: .dy, seed: 2024).generate(rows: 0..<30_000)
    static let zh = EventGenerator(process: .zhInv, seed: 2024).generate(rows: 0..<20_000)
}

/// Small statistics helpers for the tests.
enum Stats {
    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    static func variance(_ x: [Double]) -> Double {
        let m = mean(x)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    static func fraction(_ x: [Double], _ predicate: (Double) -> Bool) -> Double {
        Double(x.filter(predicate).count) / Double(x.count)
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let mx = mean(x), my = mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Centre of the fullest bin of a histogram with `bins` equal bins on [lo, hi).
    static func mode(_ x: [Double], lo: Double, hi: Double, bins: Int) -> Double {
        var counts = [Int](repeating: 0, count: bins)
        let w = (hi - lo) / Double(bins)
        for v in x where v >= lo && v < hi { counts[min(bins - 1, Int((v - lo) / w))] += 1 }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return lo + (Double(best) + 0.5) * w
    }
}
