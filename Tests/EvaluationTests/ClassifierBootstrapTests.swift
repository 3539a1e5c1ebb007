import XCTest
@testable import Support
@testable import Evaluation

/// The bootstrap std of the classifier's held-out AUC.
final class ClassifierBootstrapTests: XCTestCase {
    /// The one-pass weighted AUC of each resample equals the plain AUC of the resampled rows (drawn
    /// the same way: real rows then generated rows, from Philox(seed, stream r, "BOOT")), with tied
    /// scores across the classes; the std uses the n − 1 denominator.
    func testStdMatchesPlainResamplingWithTies() {
        var rng = Philox(seed: 4, stream: 0)
        let scores = (0..<300).map { _ in (rng.normal() * 4).rounded() / 4 }  // many ties
        let positive = (0..<300).map { i in (i % 3 == 0) != (scores[i] < 0.3) }
        let pos = positive.indices.filter { positive[$0] }, neg = positive.indices.filter { !positive[$0] }
        var values: [Double] = []
        for r in 0..<50 {
            var draw = Philox(seed: 7, stream: UInt64(r), substream: 0x424F_4F54)
            let rows = pos.map { _ in pos[draw.below(pos.count)] } + neg.map { _ in neg[draw.below(neg.count)] }
            values.append(ClassifierTwoSample.auc(scores: rows.map { scores[$0] }, positive: rows.map { positive[$0] }))
        }
        let mean = values.reduce(0, +) / 50
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 49).squareRoot()
        let fast = ClassifierTwoSample.bootstrapStd(scores: scores, positive: positive, resamples: 50, seed: 7)
        XCTAssertGreaterThan(std, 0.01)
        XCTAssertEqual(fast, std, accuracy: 1e-14)
        XCTAssertEqual(ClassifierTwoSample.bootstrapStd(scores: scores, positive: positive, resamples: 50, seed: 7).bitPattern,
                       fast.bitPattern, "same seed, same std")
    }

    /// Scores that separate the classes perfectly give AUC 1 in every resample: std 0. Without
    /// one of the classes, or with one resample, there is no std.
    func testDegenerateCases() {
        let scores: [Double] = [0, 1, 2, 3, 4, 5], positive = [false, false, false, true, true, true]
        XCTAssertEqual(ClassifierTwoSample.bootstrapStd(scores: scores, positive: positive, seed: 1), 0)
        XCTAssertTrue(ClassifierTwoSample.bootstrapStd(scores: scores, positive: positive.map { _ in true }, seed: 1).isNaN)
        XCTAssertTrue(ClassifierTwoSample.bootstrapStd(scores: scores, positive: positive, resamples: 1, seed: 1).isNaN)
    }
}
