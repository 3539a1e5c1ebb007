import Comm
import EventStore
import Foundation
import NN
import XCTest
@testable import Support
@testable import Training

/// The autoencoder's derived-quantity terms (DerivedLoss): value against a direct computation, and
/// gradient with respect to the decoder's preprocessed output (through log1p and standardisation,
/// and with `pairMass` through reduce's pair_mass and pair_pt steps first, whose inverse mixes a
/// row's columns) against central differences. Rows are muon pairs with E > |p|; the frame appends
/// mu2_py = 0 as in the rotated frame (the features lack mu2_py, so the pair steps read it as 0).
final class DerivedLossTests: XCTestCase {
    static let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz"]

    func setUpLoss(rows: Int, pairMass: Bool = false, comm: Communicator) throws -> (DerivedLoss, Preprocessor, EventTable) {
        // Muon pairs with E > |p| and columns of very different scales (as in RegressionPathTests).
        var rng = Philox(seed: 5, stream: 1)
        var physical = EventTable(columns: DerivedLossTests.features, rows: 64)
        for r in 0..<64 {
            for mu in 0..<2 {
                let px = 30 * rng.normal(), py = 30 * rng.normal(), pz = 80 * rng.normal()
                let e = (px * px + py * py + pz * pz + 0.011).squareRoot() * (1.02 + 0.2 * rng.uniform())
                let values = mu == 0 ? [e, px, py, pz] : [e, px, pz]
                for (j, v) in values.enumerated() { physical.values[r * 7 + mu * 4 + j] = Float(v) }
            }
        }
        // As reduce builds pair_mass with pair_pt in the rotation frame (Representation.pairMassStep).
        let pair = PreprocessingStep.pairMassComponents("mu1", "mu2", zero: ["mu2_py"])
        var scaling = Preprocessor(steps: (pairMass ? [.pairMass(pair), .pairPt(pair), .log1p(["mu2_E"])] : [.log1p(["mu1_E", "mu2_E"])])
                                   + [.standardize(DerivedLossTests.features)])
        try scaling.fit(physical, comm: comm)
        let loss = try DerivedLoss(quantities: ["mll", "ptll"], weight: 0.7, scaling: scaling, realPhysical: physical,
                                   dropped: "mu2_py", maxRows: rows, comm: comm)
        return (loss, scaling, physical)
    }

    func testValueIsThePseudoHuberErrorInUnitsOfTheSpread() throws {
        try checkValue(pairMass: false)
        try checkValue(pairMass: true)
    }

    func checkValue(pairMass: Bool) throws {
        let comm = try Communicator.selfOnly()
        let rows = 5
        let (loss, scaling, physical) = try setUpLoss(rows: rows, pairMass: pairMass, comm: comm)
        // Decoded rows = preprocessed real rows 10…14 shifted; targets are real rows 3, 1, 4, 1, 5.
        let pre = try scaling.forward(physical, seed: 1)
        let k = physical.width
        let output = (0..<(rows * k)).map { pre.values[10 * k + $0] + 0.05 }
        let indices: [Int32] = [3, 1, 4, 1, 5]
        var gradient = [Float](repeating: 0, count: rows * k)
        let value = try output.withUnsafeBufferPointer { o in
            try indices.withUnsafeBufferPointer { i in
                try gradient.withUnsafeMutableBufferPointer { try loss.apply(output: o, rows: i, n: rows, batch: 8, addingTo: $0) }
            }
        }
        var decoded = EventTable(columns: DerivedLossTests.features, rows: rows, values: output)
        decoded = try scaling.inverse(decoded, seed: 1)
        func withFrame(_ t: EventTable) -> EventTable { RowMapping.appendingFrameColumn(t, dropped: "mu2_py") }
        var expected = 0.0
        for term in loss.terms {
            let q = try withFrame(decoded).quantity(term.quantity.rawValue)
            let real = try withFrame(physical).quantity(term.quantity.rawValue)
            var sums = (0.0, 0.0)
            for v in real { sums.0 += v }
            let mean = sums.0 / Double(real.count)
            for v in real { sums.1 += (v - mean) * (v - mean) }
            let sigma = (sums.1 / Double(real.count)).squareRoot()
            XCTAssertEqual(term.sigma, sigma, accuracy: 1e-9 * sigma)
            for r in 0..<rows {
                let u = (q[r] - real[Int(indices[r])]) / sigma
                expected += 0.7 * 2 * ((1 + u * u).squareRoot() - 1)  // pseudo-Huber
            }
        }
        XCTAssertGreaterThan(expected, 1e-3)
        XCTAssertEqual(value, expected, accuracy: 1e-4 * expected, "pair_mass \(pairMass)")
    }

    func testGradientMatchesCentralDifferences() throws {
        try checkGradient(pairMass: false)
        try checkGradient(pairMass: true)
    }

    /// reduce's derived_loss with pair_mass and pair_pt: the gradient through their mixing Jacobians.
    func checkGradient(pairMass: Bool) throws {
        let comm = try Communicator.selfOnly()
        let rows = 3, batch = 7
        let (loss, _, physical) = try setUpLoss(rows: rows, pairMass: pairMass, comm: comm)
        let k = physical.width
        var rng = Philox(seed: 17, stream: 4)
        var output = (0..<(rows * k)).map { _ in Float(0.8 * rng.normal()) }
        let indices: [Int32] = [2, 9, 40]
        func evaluate(_ x: [Float], into gradient: inout [Float]) throws -> Double {
            try x.withUnsafeBufferPointer { o in
                try indices.withUnsafeBufferPointer { i in
                    try gradient.withUnsafeMutableBufferPointer { try loss.apply(output: o, rows: i, n: rows, batch: batch, addingTo: $0) }
                }
            }
        }
        var gradient = [Float](repeating: 0.25, count: rows * k)  // apply adds: start from a nonzero gradient
        _ = try evaluate(output, into: &gradient)
        gradient = gradient.map { $0 - 0.25 }
        let scale = gradient.map { abs(Double($0)) }.max() ?? 0
        XCTAssertGreaterThan(scale, 0)
        var worst = 0.0
        for i in 0..<output.count {
            var scratch = [Float](repeating: 0, count: rows * k)
            let h: Float = 2e-3, saved = output[i]
            output[i] = saved + h
            let up = try evaluate(output, into: &scratch)
            output[i] = saved - h
            let down = try evaluate(output, into: &scratch)
            output[i] = saved
            // apply returns the rows' sum; the gradient is that of the mean over the global batch.
            let numeric = (up - down) / Double(2 * h) / Double(batch)
            worst = max(worst, abs(numeric - Double(gradient[i])) / scale)
        }
        XCTAssertLessThan(worst, 2e-2, "pair_mass \(pairMass): largest deviation from central differences, relative to the largest gradient")
    }
}
