import EventStore
import Foundation
import Support
import XCTest
@testable import Evaluation

/// The classifier test with weighted generated rows (a reweighted table's `weight` column).
final class WeightedClassifierTests: XCTestCase {
    /// Real rows ~ N(0, 1); generated rows: the first half ~ N(0, 1), the second ~ N(3, 1). Plainly
    /// the classifier separates them (AUC well above 0.5); with weight 2 on the first half and 0 on
    /// the second the weighted generated sample is the real distribution, so the weighted AUC
    /// (weights in training and in the AUC) falls to 0.5 within its noise (600 held-out rows: std ≈ 0.024).
    func testWeightsThatRestoreTheRealDistributionGiveAUCNearOneHalf() throws {
        let n = 2000
        func table(stream: UInt64, shiftSecondHalf: Float) -> EventTable {
            var rng = Philox(seed: 5, stream: stream)
            var values = [Float](repeating: 0, count: n)
            values.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
            for r in (n / 2)..<n { values[r] += shiftSecondHalf }
            return EventTable(columns: ["x"], rows: n, values: values)
        }
        let real = table(stream: 1, shiftSecondHalf: 0), generated = table(stream: 2, shiftSecondHalf: 3)
        // Interleave the halves so the split sees both in its training and held-out shares.
        var mixed = generated
        for r in 0..<n { mixed.values[r] = generated.values[r % 2 == 0 ? r / 2 : n / 2 + r / 2] }
        let weights: [Float] = (0..<n).map { $0 % 2 == 0 ? 2 : 0 }
        let settings = ClassifierTwoSample.Settings(rows: n, classifier: .init(epochs: 10, batch: 64, seed: 3))
        let plain = try ClassifierTwoSample.heldOutScores(real: real, generated: mixed, settings: settings)
        XCTAssertGreaterThan(ClassifierTwoSample.auc(scores: plain.scores, positive: plain.positive), 0.65)
        let held = try ClassifierTwoSample.heldOutScores(real: real, generated: mixed, generatedWeights: weights, settings: settings)
        XCTAssertEqual(held.weights.filter { $0 == 1 }.count, held.positive.filter { $0 }.count + held.weights.indices.filter {
            !held.positive[$0] && held.weights[$0] == 1 }.count, "real rows weigh 1")
        let weighted = ClassifierTwoSample.auc(scores: held.scores, positive: held.positive, weights: held.weights)
        XCTAssertEqual(weighted, 0.5, accuracy: 0.06)
        // Unit weights reproduce the plain test bit for bit.
        let unit = try ClassifierTwoSample.heldOutScores(real: real, generated: mixed,
                                                         generatedWeights: Array(repeating: 1, count: n), settings: settings)
        XCTAssertEqual(unit.scores, plain.scores)
        XCTAssertEqual(ClassifierTwoSample.auc(scores: unit.scores, positive: unit.positive, weights: unit.weights).bitPattern,
                       ClassifierTwoSample.auc(scores: plain.scores, positive: plain.positive).bitPattern)
    }
}
