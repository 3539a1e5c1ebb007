import XCTest
@testable import Metrics

/// Weighted KS against its plain reference twin, the effective sample size and the weighted AUC.
final class WeightedKSTests: XCTestCase {
    /// A small deterministic generator (LCG), so the samples need nothing from Support.
    private struct LCG {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    func testWeightedKSMatchesTheReferenceWithTiesAndZeroWeights() {
        var rng = LCG(state: 7)
        for trial in 0..<20 {
            // Rounded values make ties within and across the samples; some weights are 0.
            let a = (0..<(30 + trial)).map { _ in (rng.next() * 10).rounded() / 2 }
            let b = (0..<(25 + 2 * trial)).map { _ in (rng.next() * 10 + 1).rounded() / 2 }
            let w = b.indices.map { i in i % 7 == 0 ? 0 : rng.next() * 3 }
            let fast = KolmogorovSmirnov.weightedStatistic(a, b, weights: w)
            let reference = KolmogorovSmirnov.weightedStatisticReference(a, b, weights: w)
            XCTAssertEqual(fast, reference, accuracy: 1e-12, "trial \(trial)")
        }
    }

    func testUnitWeightsGiveThePlainStatistic() {
        var rng = LCG(state: 11)
        let a = (0..<200).map { _ in rng.next() }, b = (0..<150).map { _ in rng.next() * 1.1 }
        XCTAssertEqual(KolmogorovSmirnov.weightedStatistic(a, b, weights: Array(repeating: 1, count: b.count)),
                       KolmogorovSmirnov.statistic(a, b), accuracy: 1e-12)
        // Integer weights are repeated events.
        let repeated = b + b.prefix(50)
        let weights = b.indices.map { $0 < 50 ? 2.0 : 1.0 }
        XCTAssertEqual(KolmogorovSmirnov.weightedStatistic(a, b, weights: weights), KolmogorovSmirnov.statistic(a, repeated),
                       accuracy: 1e-12)
    }

    func testWeightsThatUndoAShiftCloseTheGap() {
        // b has twice the density of a above 0.5; weights ½ there restore a's distribution.
        let a: [Double] = (0..<1000).map { (Double($0) + 0.5) / 1000 }
        let low: [Double] = (0..<500).map { (Double($0) + 0.5) / 1000 }
        let high: [Double] = (0..<1000).map { 0.5 + (Double($0) + 0.5) / 2000 }
        let b = low + high
        XCTAssertEqual(KolmogorovSmirnov.statistic(a, b), 1.0 / 6, accuracy: 2e-3)
        let w = b.map { $0 > 0.5 ? 0.5 : 1.0 }
        XCTAssertLessThan(KolmogorovSmirnov.weightedStatistic(a, b, weights: w), 2e-3)
    }

    func testBadWeightsGiveNaN() {
        XCTAssertTrue(KolmogorovSmirnov.weightedStatistic([1, 2], [1, 2], weights: [0, 0]).isNaN)
        XCTAssertTrue(KolmogorovSmirnov.weightedStatistic([1, 2], [1, 2], weights: [1, -1]).isNaN)
        XCTAssertTrue(KolmogorovSmirnov.weightedStatistic([1, 2], [1, .nan], weights: [1, 1]).isNaN)
    }

    func testEffectiveSampleSize() {
        XCTAssertEqual(EffectiveSampleSize.fraction(Array(repeating: 0.7, count: 10)), 1, accuracy: 1e-15)
        XCTAssertEqual(EffectiveSampleSize.count([1, 0, 0, 0]), 1)
        // (1 + 3)² / (1 + 9) = 1.6 of 2 events.
        XCTAssertEqual(EffectiveSampleSize.count([1, 3]), 1.6, accuracy: 1e-15)
        XCTAssertEqual(EffectiveSampleSize.fraction([1, 3]), 0.8, accuracy: 1e-15)
        XCTAssertTrue(EffectiveSampleSize.fraction([]).isNaN)
    }

    func testWeightedAUC() {
        // The unweighted cases of ClassifierTwoSampleTests (rank-sum form) hold with unit weights.
        XCTAssertEqual(ROCArea.auc(scores: [0.9, 0.5, 0.4, 0.1], positive: [true, false, true, false]), 0.75)
        XCTAssertEqual(ROCArea.auc(scores: [2, 1, 1, 0], positive: [true, true, false, false]), 0.875)
        XCTAssertEqual(ROCArea.auc(scores: [1, 1], positive: [true, false]), 0.5)
        XCTAssertTrue(ROCArea.auc(scores: [0, 1], positive: [true, true]).isNaN)
        // Weight 3 on a negative = that negative three times.
        let weighted = ROCArea.auc(scores: [0.9, 0.5, 0.4, 0.1], positive: [true, false, true, false], weights: [1, 3, 1, 1])
        let repeated = ROCArea.auc(scores: [0.9, 0.5, 0.5, 0.5, 0.4, 0.1], positive: [true, false, false, false, true, false])
        XCTAssertEqual(weighted, repeated, accuracy: 1e-15)
        XCTAssertEqual(weighted, (4 + 1) / 8.0, accuracy: 1e-15)
    }
}
