import Foundation
import XCTest
@testable import NN
@testable import Support

/// `BinaryClassifier.trainEarlyStopped`: the validation loss it reports is the best epoch's, whose
/// parameters it returns, and it stops `patience` epochs after that epoch.
final class EarlyStoppingTests: XCTestCase {
    /// Mean cross-entropy by hand: logit 0 costs ln 2 for either label; logit ln 3 (σ = 3/4) costs
    /// ln(4/3) for a positive and ln 4 for a negative; weights count rows that many times.
    func testCrossEntropyByHand() {
        let z = [0, log(3.0), log(3.0)], labels = [true, true, false]
        XCTAssertEqual(BinaryClassifier.crossEntropy(logits: z, labels: labels, weights: [1, 1, 1]),
                       (log(2.0) + log(4.0 / 3) + log(4.0)) / 3, accuracy: 1e-15)
        XCTAssertEqual(BinaryClassifier.crossEntropy(logits: z, labels: labels, weights: [0, 2, 1]),
                       (2 * log(4.0 / 3) + log(4.0)) / 3, accuracy: 1e-15)
        XCTAssertEqual(BinaryClassifier.crossEntropy(logits: [800], labels: [false], weights: [1]), 800, accuracy: 1e-12,
                       "no overflow for a large logit")
        XCTAssertTrue(BinaryClassifier.crossEntropy(logits: [1], labels: [true], weights: [0]).isNaN)
    }

    /// Two overlapping Gaussian classes (means ±0.5 in x, 8 noise features) with only 200 training
    /// rows against a 64 × 64 network: it overfits, so the validation loss turns up well before 200
    /// epochs. The same seed's plain training (`train` with every epoch's validation loss recorded)
    /// gives the trajectory: the run stops `patience` epochs after its minimum, reports that minimum,
    /// and returns parameters whose validation loss is that minimum to the bit. A rerun repeats it bitwise.
    func testStopsAfterPatienceAndKeepsTheBestEpoch() throws {
        let k = 10, n = 600
        var rng = Philox(seed: 21, stream: 0)
        var x = [Float](repeating: 0, count: n * k)
        x.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        for r in 0..<n { x[r * k] += r % 2 == 0 ? 0.5 : -0.5 }
        let positive: (Int) -> Bool = { $0 % 2 == 0 }
        let train = Array(0..<200), validation = Array(200..<n)
        let settings = BinaryClassifier.Settings(epochs: 200, batch: 32, hidden: [64, 64], learningRate: 3e-3, seed: 5)
        let fit = try BinaryClassifier.trainEarlyStopped(x: x, width: k, train: train, validation: validation, isPositive: positive,
                                                         patience: 4, settings: settings)
        var losses: [Double] = []
        let labels = validation.map(positive), ones = [Double](repeating: 1, count: validation.count)
        _ = try BinaryClassifier.train(x: x, width: k, rows: train, isPositive: positive, settings: settings) { c, _ in
            losses.append(BinaryClassifier.crossEntropy(logits: c.logits(x, rows: validation), labels: labels, weights: ones))
            return losses.count < fit.training.epochsRun
        }
        let best = try XCTUnwrap(losses.indices.min { losses[$0] < losses[$1] })
        XCTAssertLessThan(fit.training.epochsRun, 200, "it overfits and stops early")
        XCTAssertEqual(fit.training.bestEpoch, best)
        XCTAssertEqual(fit.training.epochsRun, best + 1 + 4)
        XCTAssertEqual(fit.training.validationLoss.bitPattern, losses[best].bitPattern)
        XCTAssertLessThan(losses[best], losses.last ?? 0)
        let kept = BinaryClassifier.crossEntropy(logits: fit.classifier.logits(x, rows: validation), labels: labels, weights: ones)
        XCTAssertEqual(kept.bitPattern, losses[best].bitPattern, "the best epoch's parameters are returned")
        let again = try BinaryClassifier.trainEarlyStopped(x: x, width: k, train: train, validation: validation, isPositive: positive,
                                                           patience: 4, settings: settings)
        XCTAssertEqual(again.training, fit.training)
        XCTAssertEqual(Array(again.classifier.model.parameters), Array(fit.classifier.model.parameters))
    }
}
