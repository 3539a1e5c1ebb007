import EventStore
import NN
import XCTest
@testable import Support
@testable import Evaluation
import Comm

/// The classifier two-sample test's AUC arithmetic (hand-counted pairs) and its determinism.
final class ClassifierTwoSampleTests: XCTestCase {
    /// Positives 0.9, 0.4 against negatives 0.5, 0.1: 3 of the 4 pairs are ordered → 0.75.
    /// Positives 2, 1 against negatives 1, 0: 2>1, 2>0, 1>0 and one tie (½) → 3.5 / 4.
    func testAUCCountsOrderedPairsWithTiesAsHalf() {
        XCTAssertEqual(ClassifierTwoSample.auc(scores: [0.9, 0.5, 0.4, 0.1], positive: [true, false, true, false]), 0.75)
        XCTAssertEqual(ClassifierTwoSample.auc(scores: [2, 1, 1, 0], positive: [true, true, false, false]), 0.875)
        XCTAssertEqual(ClassifierTwoSample.auc(scores: [1, 1], positive: [true, false]), 0.5)
        XCTAssertEqual(ClassifierTwoSample.auc(scores: [0, 1], positive: [true, false]), 0)
        XCTAssertTrue(ClassifierTwoSample.auc(scores: [0, 1], positive: [true, true]).isNaN)
    }

    /// Two features; the real rows sit around (+1, 0), the generated ones around (−1, 0), each
    /// with Gaussian noise of std 0.5 from its own stream. The classes overlap a little: the
    /// Bayes AUC is Φ(2 / (0.5·√2)) ≈ 0.998, so a trained classifier must exceed 0.95. Same
    /// seed ⇒ bitwise the same AUC.
    func testSeparatesShiftedClassesAndRepeatsBitwise() throws {
        func table(_ centre: Float, stream: UInt64) -> EventTable {
            var rng = Philox(seed: 9, stream: stream)
            var values = [Float](repeating: 0, count: 2 * 600)
            values.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: 0.5) }
            for r in 0..<600 { values[2 * r] += centre }
            return EventTable(columns: ["x", "y"], rows: 600, values: values)
        }
        let real = table(1, stream: 1), generated = table(-1, stream: 2)
        let settings = ClassifierTwoSample.Settings(rows: 600, classifier: .init(epochs: 20, batch: 64, seed: 3))
        let auc = try ClassifierTwoSample.auc(real: real, generated: generated, settings: settings)
        XCTAssertGreaterThan(auc, 0.95)
        XCTAssertEqual(try ClassifierTwoSample.auc(real: real, generated: generated, settings: settings).bitPattern,
                       auc.bitPattern)
    }

    /// Features are the named columns and derived quantities of the leading rows.
    func testFeaturesTakeColumnsAndQuantitiesOfTheLeadingRows() throws {
        let table = EventTable(columns: ["met_px", "met_py"], rows: 3, values: [3, 4, 6, 8, 1, 1])
        let f = try ClassifierTwoSample.features(table, names: ["met_py", "met"], rows: 2)
        XCTAssertEqual(f.columns, ["met_py", "met"])
        XCTAssertEqual(f.values, [4, 5, 8, 10])
    }
}
