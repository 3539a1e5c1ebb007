import XCTest
@testable import Metrics

final class KSExactDistributionTests: XCTestCase {
    func testMatchesScipyExactGrid() throws {
        let reference = try ReferenceData.load()
        XCTAssertGreaterThan(reference.exact_grid.count, 100)
        var worst = 0.0
        for row in reference.exact_grid {
            let result = KSExactDistribution.attempt(n1: row.n1, n2: row.n2, statistic: row.d)
            XCTAssertEqual(result.statistic, row.statistic, accuracy: 1e-15)
            let p = try XCTUnwrap(result.pValue, "\(row.n1) vs \(row.n2), d=\(row.d)")
            let err = relativeError(p, row.pvalue)
            worst = max(worst, err)
            XCTAssertLessThanOrEqual(err, 1e-11, "\(row.n1) vs \(row.n2), d=\(row.d): \(p) vs scipy \(row.pvalue)")
        }
        print("exact grid worst relative error: \(worst)")
    }

    /// Full-grid lattice-path count against the sliding-window (and square) recursions.
    func testRecursionsEqualFullGridPathCount() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<200 {
            let n1 = 1 + rng.below(25), n2 = 1 + rng.below(25)
            let g = KSExactDistribution.gcd(n1, n2)
            let lcm = n1 / g * n2
            let h = 1 + rng.below(lcm)
            let twin = KSExactDistribution.referenceProbOutside(n1: n1, n2: n2, h: h)
            let fast = n1 == n2 ? KSExactDistribution.probOutsideSquare(n: n1, h: h)
                                : KSExactDistribution.outerProbInsideMethod(m: n1, n: n2, g: g, h: h)
            XCTAssertEqual(fast, twin, accuracy: 1e-13, "n1=\(n1) n2=\(n2) h=\(h)")
        }
    }

    func testZeroStatisticHasPValueOne() {
        let r = KSExactDistribution.attempt(n1: 7, n2: 11, statistic: 0)
        XCTAssertEqual(r.statistic, 0)
        XCTAssertEqual(r.pValue, 1)
    }
}
