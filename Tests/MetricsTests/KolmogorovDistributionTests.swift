import XCTest
@testable import Metrics

final class KolmogorovDistributionTests: XCTestCase {
    func testKstwoMatchesScipyOnGrid() throws {
        let reference = try ReferenceData.load()
        var seen = Set<String>()
        var worst = [String: Double]()
        for row in reference.kstwo_grid {
            for (cdf, expected) in [(false, row.sf), (true, row.cdf)] {
                let branch = KolmogorovDistribution.branch(n: row.n, x: row.x, cdf: cdf)
                seen.insert("\(branch)")
                let value = cdf ? KolmogorovDistribution.cdf(row.x, n: row.n)
                                : KolmogorovDistribution.sf(row.x, n: row.n)
                let err = relativeError(value, expected)
                worst["\(branch)"] = max(worst["\(branch)"] ?? 0, err)
                // Relative where the value is not tiny; the tiny ones come from 1 − (≈1).
                let ok = err <= 1e-9 || abs(value - expected) <= 1e-15
                XCTAssertTrue(ok, "n=\(row.n) x=\(row.x) cdf=\(cdf) [\(branch)]: \(value) vs scipy \(expected)")
            }
        }
        print("kstwo worst relative error by branch: \(worst)")
        for branch in ["belowSupport", "rubenGambinoLow", "rubenGambinoHigh", "smirnov", "durbin",
                       "pomeranz", "pelzGood", "zeroTail", "oneCDF"] {
            XCTAssertTrue(seen.contains(branch), "grid does not exercise \(branch)")
        }
    }

    func testSmirnovMatchesScipyOnGrid() throws {
        let reference = try ReferenceData.load()
        var worst = 0.0
        for row in reference.smirnov_grid {
            let value = Smirnov.sf(n: row.n, x: row.x)
            let err = relativeError(value, row.sf)
            worst = max(worst, err)
            XCTAssertLessThanOrEqual(err, 1e-10, "smirnov(\(row.n), \(row.x)): \(value) vs scipy \(row.sf)")
        }
        print("smirnov worst relative error: \(worst)")
    }

    func testSmirnovEqualsPlainSumTwin() {
        for n in [3, 17, 140, 900] {
            for x in [0.05, 0.13, 0.3, 0.62] where Double(n) * x > 1 && Double(n) * x < Double(n - 1) {
                let twin = Smirnov.referenceSF(n: n, x: x)
                XCTAssertEqual(Smirnov.sf(n: n, x: x), twin, accuracy: 1e-11 * max(twin, 1e-300),
                               "n=\(n) x=\(x)")
            }
        }
    }

    /// Durbin's matrix and Pomeranz's recursion are independent exact algorithms for the same CDF.
    /// Compared where scipy uses them (n <= 140; Pomeranz loses accuracy for large n·x, in
    /// scipy as here, e.g. n = 300, x = 0.33 gives 0.98786 for a CDF within 1e-27 of 1).
    func testDurbinAndPomeranzAgree() {
        for n in [2, 5, 12, 40, 100, 140] {
            for x in [0.03, 0.07, 0.11, 0.2, 0.33, 0.45] where Double(n) * x > 1 && Double(n) * x * x <= 18 {
                let durbin = KolmogorovDistribution.durbinCDF(n: n, d: x)
                let pomeranz = KolmogorovDistribution.pomeranzCDF(n: n, x: x)
                XCTAssertEqual(durbin, pomeranz, accuracy: 1e-12 + 1e-10 * pomeranz, "n=\(n) x=\(x)")
            }
        }
    }

    func testClosedFormsAtTheEdgesOfTheSupport() {
        // P(D_n >= x) = 1 below 1/(2n) and 0 at 1.
        XCTAssertEqual(KolmogorovDistribution.sf(0.4 / 10, n: 10), 1)
        XCTAssertEqual(KolmogorovDistribution.sf(1.0, n: 10), 0)
        // n = 1: D_1 = max(U, 1 − U) is uniform on [1/2, 1], so P(D_1 >= x) = 2(1 − x).
        XCTAssertEqual(KolmogorovDistribution.sf(0.7, n: 1), 0.6, accuracy: 1e-15)
        // Ruben–Gambino: P(D_n <= x) = n!/n^n (2nx − 1)^n for 1/(2n) <= x <= 1/n.
        let n = 4, x = 0.2
        let expected = 24.0 / 256.0 * pow(2 * 4 * 0.2 - 1, 4)
        XCTAssertEqual(KolmogorovDistribution.cdf(x, n: n), expected, accuracy: 1e-15)
    }

    func testLogFactorialOverPower() {
        for n in [141, 500, 5000] {
            let exact = lgamma(Double(n) + 1) - Double(n) * log(Double(n))
            XCTAssertEqual(KolmogorovDistribution.logFactorialOverPower(n), exact, accuracy: 1e-9 * abs(exact))
        }
    }
}
