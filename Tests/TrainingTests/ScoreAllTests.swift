import Foundation
import XCTest
@testable import Support
@testable import Training

/// `score = ["all"]`, the classifier term and `score_weights`: resolution and the weighted sums.
final class ScoreAllTests: XCTestCase {
    let frame = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz", "met_px", "met_py", "mu1_iso", "mu2_py"]
    var features: [String] { Array(frame.dropLast()) }

    func resolve(_ requested: [String], weights: [String: Double] = [:]) throws -> ScoreChoice {
        try ScoreChoice.resolveAll(requested: requested, isDefault: false, weights: weights, frameColumns: frame,
                                   features: features, data: "t.h5")
    }

    func testAllIsEveryFeatureThenEveryComputableDerivedQuantityOnce() throws {
        let derived = ["mll", "ptll", "met", "phi_miss", "dphi_ll"]  // njets needs jet columns
        XCTAssertEqual(try resolve(["all"]).names, features + derived)
        XCTAssertEqual(try resolve(["mll", "all"]).names, ["mll"] + features + derived.filter { $0 != "mll" })
        XCTAssertEqual(try resolve(["all", "classifier"]).names, features + derived + ["classifier"])
        XCTAssertEqual(try resolve(["classifier", "mll"]).names, ["mll", "classifier"], "the classifier term last")
        XCTAssertEqual(try resolve(["classifier"]).names, ["classifier"])
        XCTAssertNil(try resolve(["all"]).note)
    }

    func testWeightsMustNameScoredQuantitiesAndBeFiniteNonNegative() throws {
        XCTAssertEqual(ScoreChoice.weights(["mll", "ptll", "classifier"], ["ptll": 2, "classifier": 0.5]), [1, 2, 0.5])
        XCTAssertThrowsError(try resolve(["mll"], weights: ["ptll": 2])) { error in
            XCTAssertEqual((error as? InputError)?.message, "score_weights names 'ptll', which is not scored (score: mll); "
                           + "weight only scored quantities, or add 'ptll' to score")
            XCTAssertEqual((error as? InputError)?.exitCode, ExitStatus.usage)
        }
        XCTAssertThrowsError(try resolve(["all"], weights: ["met": -1])) { error in
            XCTAssertEqual((error as? InputError)?.message, "score_weights gives 'met' the weight -1.0; expected a finite number ≥ 0")
        }
        XCTAssertEqual(try resolve(["all", "classifier"], weights: ["met": 3, "classifier": 2]).names.count, features.count + 6)
    }

    /// Weights multiply each quantity's KS in ks_sum and each rank in rank_sum. Unweighted: E1 .1+.3
    /// = .4 > E2 .3+.05 = .35; with q2 weighted 2: E1 .1+.6 = .7 > E2 .3+.1 = .4; with q1 weighted 4:
    /// E1 .4+.3 = .7 < E2 1.2+.05 = 1.25. Ranks: q1 E1 1, E2 2; q2 E1 2, E2 1; with q1 weighted 4:
    /// E1 4·1 + 2 = 6, E2 4·2 + 1 = 9.
    func testWeightsEnterTheKSSumAndTheRankSum() {
        func board(_ weights: [Double]) -> Leaderboard {
            Leaderboard(quantities: ["q1", "q2"], entries: [
                Leaderboard.Entry(restart: 0, step: 10, quantities: ["q1", "q2"], ks: [0.1, 0.3], diverged: false, weights: weights),
                Leaderboard.Entry(restart: 1, step: 10, quantities: ["q1", "q2"], ks: [0.3, 0.05], diverged: false, weights: weights),
            ])
        }
        XCTAssertEqual(board([]).ranked(by: .ksSum).map(\.restart), [1, 0])
        XCTAssertEqual(board([1, 2]).entries.map(\.ksSum), [0.1 + 2 * 0.3, 0.3 + 2 * 0.05])
        XCTAssertEqual(board([4, 1]).ranked(by: .ksSum).map(\.restart), [0, 1])
        XCTAssertEqual(board([4, 1]).entries.map(\.rankSum), [6, 9])
        XCTAssertEqual(board([]).entries.map(\.rankSum), [3, 3])
        var score = SnapshotScore(ks: [("q1", 0.1), ("q2", 0.3)], columns: [], diverged: false, reason: "")
        XCTAssertEqual(score.sum, 0.1 + 0.3)
        score.weights = [1, 2]
        XCTAssertEqual(score.sum, 0.1 + 2 * 0.3)
    }
}
