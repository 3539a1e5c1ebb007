import Comm
import EventStore
import Foundation
import XCTest
import TestSupport
@testable import Generation

/// The reweighting classifier: clipping, normalisation, and that a rank's weights depend only on the event.
private func essFraction(_ w: [Double]) -> Double {
    w.reduce(0, +) * w.reduce(0, +) / w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
}

final class ReweighterTests: XCTestCase {
    func testClippingBoundsTheWeights() {
        XCTAssertEqual(Reweighter.clipped(0), 1)
        XCTAssertEqual(Reweighter.clipped(1), exp(1), accuracy: 1e-12)
        XCTAssertEqual(Reweighter.clipped(50), Reweighter.maximumWeight, accuracy: 1e-12)
        XCTAssertEqual(Reweighter.clipped(-50), 1 / Reweighter.maximumWeight, accuracy: 1e-12)
        XCTAssertEqual(Reweighter.clipped(log(20) - 1e-9), 20, accuracy: 1e-6)
    }

    /// "Real" events come from the same random-weight generator with other noise (seed 9), so the
    /// classifier can only learn noise and the weights stay near 1 without being equal. The weights over the classifier's own generated sample have mean 1
    /// (normalisation), lie in the clipped range, and are not all equal; training twice gives the
    /// same bits; a chunk's weights are those of the same events inside a larger chunk.
    func testWeightsAreNormalisedClippedAndDeterministic() throws {
        let comm = try Communicator.selfOnly()
        let model = try GeneratorModel.synthetic(.gen17, seed: 1)
        let other = model
        let n = 800
        var real = EventTable(columns: other.columns, rows: n)
        try other.generate(rows: 0..<n, seed: 9) { values, rows in
            for i in 0..<values.count { real.values[rows.lowerBound * other.width + i] = values[i] }
        }
        let first = try Reweighter.train(real: real, model: model, rows: n, seed: 4, comm: comm)
        let second = try Reweighter.train(real: real, model: model, rows: n, seed: 4, comm: comm)
        XCTAssertEqual(first.rows, n)
        XCTAssertEqual(first.normalisation.bitPattern, second.normalisation.bitPattern)
        XCTAssertEqual(Array(first.classifier.model.parameters), Array(second.classifier.model.parameters))
        // The training sample's generated events, weighed as generation weighs them.
        var sample = [Float](repeating: 0, count: n * model.width)
        try model.generate(rows: 0..<n, seed: Reweighter.trainingSeed(4)) { values, rows in
            for i in 0..<values.count { sample[rows.lowerBound * model.width + i] = values[i] }
        }
        let weights = try sample.withUnsafeBufferPointer { try first.weights($0, rows: n, columns: model.columns) }
        XCTAssertEqual(weights.reduce(0, +) / Double(n), 1, accuracy: 1e-6, "mean 1 over the training sample")
        let low = 1 / Reweighter.maximumWeight / first.normalisation, high = Reweighter.maximumWeight / first.normalisation
        XCTAssertTrue(weights.allSatisfy { $0 >= low * (1 - 1e-12) && $0 <= high * (1 + 1e-12) })
        XCTAssertGreaterThan(Set(weights).count, n / 2, "the weights vary between events")
        XCTAssertGreaterThan(essFraction(weights), 0.5, "indistinguishable samples: weights near 1")
        let part = try sample.withUnsafeBufferPointer {
            try first.weights(UnsafeBufferPointer(rebasing: $0[(100 * model.width)..<(400 * model.width)]), rows: 300,
                              columns: model.columns)
        }
        XCTAssertEqual(part, Array(weights[100..<400]))
    }

    /// The classifier's features do not depend on the event's azimuth: rotating every (px, py)
    /// pair by the same angle leaves them unchanged (up to float rounding), and mu2_py is dropped.
    func testFeaturesAreAzimuthInvariant() throws {
        let columns = AzimuthFixture.columns
        let names = Reweighter.quantities(columns)
        XCTAssertFalse(names.contains("mu2_py"))
        XCTAssertTrue(names.contains("mll") && names.contains("phi_miss"))
        let table = EventTable(columns: columns, rows: 3, values: AzimuthFixture.rows)
        let x = try Reweighter.matrix(table, names: names, rows: 3)
        let k = names.count
        for r in 1..<3 {
            for j in 0..<k { XCTAssertEqual(x[r * k + j], x[j], accuracy: 1e-3 * max(1, abs(x[j])), "\(names[j]) row \(r)") }
        }
        XCTAssertEqual(x[names.firstIndex(of: "mu2_px")!], Float((25.0 * 25 + 15 * 15).squareRoot()), accuracy: 1e-4)
    }
}
