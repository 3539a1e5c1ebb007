import XCTest
@testable import Metrics

final class KolmogorovSmirnovTests: XCTestCase {
    func testMatchesScipyKs2samp() throws {
        let reference = try ReferenceData.load()
        XCTAssertEqual(reference.ks_cases.count, 21)
        var worstP = 0.0
        for c in reference.ks_cases {
            let a = c.a.resolved(), b = c.b.resolved()
            let result = try KolmogorovSmirnov.test(a, b)
            XCTAssertEqual(result.statistic, c.statistic, accuracy: 1e-12, c.name)
            XCTAssertEqual(result.method.rawValue, c.method, c.name)
            let tolerance = c.method == "exact" ? 1e-11 : 1e-9
            let err = relativeError(result.pValue, c.pvalue)
            worstP = max(worstP, err)
            XCTAssertLessThanOrEqual(err, tolerance, "\(c.name): p \(result.pValue) vs scipy \(c.pvalue)")
            // The pre-sorted fast path sees the same D (before lattice rounding).
            let fast = KolmogorovSmirnov.statistic(sortedA: a.sorted(), sortedB: b.sorted())
            XCTAssertEqual(fast, c.statistic, accuracy: 1e-12, c.name)
        }
        print("KS p-value worst relative error vs scipy: \(worstP)")
    }

    func testFastPathEqualsReferenceTwinOnRandomInputs() {
        var rng = SplitMix64(state: 42)
        for trial in 0..<300 {
            let n1 = 1 + rng.below(60), n2 = 1 + rng.below(60)
            // Quantise some trials heavily so ties within and across samples are common.
            let levels = trial % 3 == 0 ? 5 : (trial % 3 == 1 ? 40 : 1 << 30)
            let shift = Double(rng.below(3)) / 10
            let a = (0..<n1).map { _ in Double(rng.below(levels)) / Double(levels) }
            let b = (0..<n2).map { _ in Double(rng.below(levels)) / Double(levels) + shift }
            let twin = KolmogorovSmirnov.referenceStatistic(a, b)
            XCTAssertEqual(KolmogorovSmirnov.statistic(a, b), twin, "trial \(trial)")
            XCTAssertEqual(KolmogorovSmirnov.statistic(sortedA: a.sorted(), sortedB: b.sorted()), twin,
                           "trial \(trial)")
            XCTAssertEqual(KolmogorovSmirnov.statistic(b, a), twin, "symmetry, trial \(trial)")
        }
    }

    func testTiesAreEvaluatedAfterTheWholeTiedGroup() {
        // Left-continuous evaluation would report 1.0 here; both ECDFs jump together at 1.
        XCTAssertEqual(KolmogorovSmirnov.statistic([1, 1, 1], [1, 1]), 0)
        XCTAssertEqual(KolmogorovSmirnov.statistic([0, 1, 1, 2], [1, 1, 1, 3]), 0.25)
    }

    func testIdenticalAndDisjointSamples() throws {
        let x = [3.0, 1.0, 2.0, 2.0]
        let same = try KolmogorovSmirnov.test(x, x)
        XCTAssertEqual(same.statistic, 0)
        XCTAssertEqual(same.pValue, 1)
        let apart = try KolmogorovSmirnov.test([0, 1, 2], [5, 6, 7, 8])
        XCTAssertEqual(apart.statistic, 1)
        // All C(7,3) = 35 arrangements equally likely; 2 of them put one sample wholly first.
        XCTAssertEqual(apart.pValue, 2.0 / 35.0, accuracy: 1e-15)
    }

    func testEmptySampleThrowsAndNaNPropagates() throws {
        XCTAssertThrowsError(try KolmogorovSmirnov.test([], [1])) { error in
            XCTAssertEqual(error as? MetricsError, .emptySample("first"))
        }
        XCTAssertThrowsError(try KolmogorovSmirnov.test([1], [])) { error in
            XCTAssertEqual(error as? MetricsError, .emptySample("second"))
        }
        let r = try KolmogorovSmirnov.test([1, .nan], [2])
        XCTAssertTrue(r.statistic.isNaN && r.pValue.isNaN)
        XCTAssertTrue(KolmogorovSmirnov.statistic([1], [.nan]).isNaN)
    }

    func testBranchChoiceFollowsMaxSampleSize() {
        XCTAssertEqual(KolmogorovSmirnov.test(statistic: 0.01, n1: 10_000, n2: 3).method, .exact)
        XCTAssertEqual(KolmogorovSmirnov.test(statistic: 0.01, n1: 3, n2: 10_001).method, .asymptotic)
    }
}
