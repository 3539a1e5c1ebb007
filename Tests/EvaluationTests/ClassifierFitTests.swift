import EventStore
import NN
import XCTest
@testable import Support
@testable import Evaluation

/// The train-on-one-set, test-on-another classifier of the studies, on Gaussian classes whose
/// best possible AUC is known in closed form.
final class ClassifierFitTests: XCTestCase {
    /// Two unit-variance features; positives centred at (d, 0), negatives at (0, 0). The Bayes
    /// AUC is Φ(d/√2): d = 2 gives Φ(1.4142) = 0.9214 (standard normal table). Training on 3000
    /// rows per class and testing on 4000 fresh rows per class must come within 0.015 of it.
    static func table(_ rows: Int, shift: Float, stream: UInt64) -> EventTable {
        var rng = Philox(seed: 11, stream: stream)
        var values = [Float](repeating: 0, count: 2 * rows)
        values.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: 1) }
        for r in 0..<rows { values[2 * r] += shift }
        return EventTable(columns: ["x", "y"], rows: rows, values: values)
    }

    func testReachesTheBayesAUCOnFreshRows() throws {
        let train = ClassifierTwoSample.Rows(positive: Self.table(3000, shift: 2, stream: 1), negatives: [Self.table(3000, shift: 0, stream: 2)])
        let test = ClassifierTwoSample.Rows(positive: Self.table(4000, shift: 2, stream: 3), negatives: [Self.table(4000, shift: 0, stream: 4)])
        let settings = BinaryClassifier.Settings(hidden: [16], seed: 3, steps: 600)
        let auc = try ClassifierTwoSample.trainedAUC(train: train, test: test, settings: settings)
        XCTAssertEqual(auc, 0.9214, accuracy: 0.015)
        // Same seed ⇒ the same bits.
        XCTAssertEqual(try ClassifierTwoSample.trainedAUC(train: train, test: test, settings: settings), auc)
    }

    /// 150 positives against 4500 negatives (split over two tables, as real + generated): the
    /// class-balanced loss still ranks like the Bayes classifier, within 0.03 of 0.9214.
    func testBalancedTrainingOnImbalancedClasses() throws {
        let train = ClassifierTwoSample.Rows(positive: Self.table(150, shift: 2, stream: 5),
                                             negatives: [Self.table(1500, shift: 0, stream: 6), Self.table(3000, shift: 0, stream: 7)])
        XCTAssertEqual(train.count, 4650)
        XCTAssertEqual(train.labels.filter { $0 == 1 }.count, 150)
        let test = ClassifierTwoSample.Rows(positive: Self.table(4000, shift: 2, stream: 8), negatives: [Self.table(4000, shift: 0, stream: 9)])
        let auc = try ClassifierTwoSample.trainedAUC(train: train, test: test,
                                                     settings: BinaryClassifier.Settings(hidden: [16], seed: 3, steps: 600))
        XCTAssertEqual(auc, 0.9214, accuracy: 0.03)
    }

    /// Standardisation (trainedAUC's `FeatureScaling`) fits on the first rows only: the later rows
    /// are scaled with those statistics.
    func testStandardizeFitsOnTheLeadingRowsOnly() {
        var x: [Float] = [1, 3, 100]   // one column; mean 2, std 1 from the first two rows
        FeatureScaling(fitting: x, rows: 2, width: 1).apply(&x)
        XCTAssertEqual(x, [-1, 1, 98])
    }
}
