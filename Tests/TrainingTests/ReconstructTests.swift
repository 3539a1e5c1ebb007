import Comm
import EventStore
import Foundation
import NN
import Physics
import XCTest
@testable import Support
@testable import Training

/// `ReconstructStage.roundTrip`: a table through a reducer's encoder and decoder back to its own
/// columns. A full-rank PCA loses nothing, so every event comes back (at its own azimuth) to float
/// rounding and the integer column exactly; a PCA with fewer codes changes the events except
/// for the feature it keeps; rows keyed by their global index give the same bits in any split.
final class ReconstructTests: XCTestCase {
    /// Built-in DY events, and a PCA reducer on them in the paper's frame (mu2's azimuth removed,
    /// nvtx smeared, everything standardised) with `codes` principal components plus `keep`.
    func reducer(codes: Int, keep: [String]) throws -> (Reducer, EventTable) {
        let comm = try Communicator.selfOnly()
        let table = EventGenerator(process: .dy, seed: 11).generate(rows: 0..<3000)
        var frame = Preprocessor(steps: [.rotateAzimuth(reference: "mu2")])
        try frame.fit(table, comm: comm)
        let framed = try frame.forward(table, seed: 1)
        let features = framed.columns
        var scaling = Preprocessor(steps: [.smearInteger(["nvtx"]), .standardize(features)])
        try scaling.fit(framed, comm: comm, seed: 1)
        let pre = try scaling.forward(framed, seed: 1)
        let moments = pre.values.withUnsafeBufferPointer { PCA.moments($0, rows: pre.rows, features: features.count) }
        let reducer = Reducer(method: .pca, frame: frame, scaling: scaling, inputColumns: table.columns, features: features,
                              latent: codes + keep.count, keep: keep, split: HeldOutSplit(fraction: 0.1, seed: 1), spec: nil,
                              encoder: nil, decoder: nil, pca: try PCA(moments: moments, features: features.count, components: codes))
        return (reducer, table)
    }

    func testFullRankPCARoundTripsEveryEventAndAReducedOneOnlyItsKeptFeature() throws {
        let (full, table) = try reducer(codes: 17, keep: [])
        let rebuilt = try ReconstructStage.roundTrip(table, through: full, seed: 4)
        XCTAssertEqual(rebuilt.columns, table.columns)
        XCTAssertEqual(rebuilt.rows, table.rows)
        for (j, name) in table.columns.enumerated() {
            let scale = table.column(j).map(abs).max()!
            var worst = 0.0
            for r in 0..<table.rows { worst = max(worst, Double(abs(rebuilt[r, j] - table[r, j]))) }
            if name == "nvtx" {
                XCTAssertEqual(worst, 0, "the integer column comes back exactly")
            } else {
                // Float32 standardisation, PCA and rotation: a few ulps of the column's largest value.
                XCTAssertLessThan(worst, 2e-5 * scale, "\(name): every event at its own azimuth, to float rounding")
            }
        }

        // 15 codes and jet1_pt kept (16 of 17 features): the kept feature survives to float rounding, the rest does not.
        let (reduced, _) = try reducer(codes: 15, keep: ["jet1_pt"])
        let lossy = try ReconstructStage.roundTrip(table, through: reduced, seed: 4)
        func worst(_ name: String) -> Double {
            let j = table.columnIndex(name)!
            return (0..<table.rows).map { Double(abs(lossy[$0, j] - table[$0, j])) }.max()!
        }
        XCTAssertLessThan(worst("jet1_pt"), 1e-3)
        XCTAssertGreaterThan(worst("mu1_E"), 1, "15 principal components lose part of the muons")

        // Rows keyed by their global index: two halves with their offsets give the whole table's bits.
        var halves = try ReconstructStage.roundTrip(table.slice(0..<1200), through: reduced, seed: 4)
        halves.append(try ReconstructStage.roundTrip(table.slice(1200..<3000), through: reduced, seed: 4))
        XCTAssertEqual(halves.values.map(\.bitPattern), lossy.values.map(\.bitPattern))
    }
}
