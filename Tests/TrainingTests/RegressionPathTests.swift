import Comm
import EventStore
import Foundation
import NN
import XCTest
@testable import Support
@testable import Training

/// The regression terms' gradient with respect to the generator's output, through the latent
/// standardisation, the decoder and the inverse scaling, against central differences of the loss.
final class RegressionPathTests: XCTestCase {
    static let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]

    /// Physical muon pairs (E > |p|) with columns of very different scales, so every scaling factor matters.
    static func physicalRows(_ n: Int, seed: UInt64) -> EventTable {
        var rng = Philox(seed: seed, stream: 1)
        var t = EventTable(columns: RegressionPathTests.features, rows: n)
        for r in 0..<n {
            for mu in 0..<2 {
                let px = 30 * rng.normal(), py = 30 * rng.normal(), pz = 80 * rng.normal()
                let e = (px * px + py * py + pz * pz + 0.011).squareRoot() * (1.02 + 0.2 * rng.uniform())
                for (j, v) in [e, px, py, pz].enumerated() { t.values[r * 8 + mu * 4 + j] = Float(v) }
            }
        }
        return t
    }

    /// `keep`: features the reducer carries through its latent space; `pca`: a PCA reducer instead of an autoencoder.
    /// `pairMass`: the reducer's scaling starts with pair_mass and pair_pt and ends with on_shell.
    static func data(latent: Bool, keep: [String] = [], pca usePCA: Bool = false, pairMass: Bool = false,
                     comm: Communicator) throws -> (GANSettings, GANData) {
        var overrides = ConfigOverrides()
        overrides.set("data", "unused.h5")
        overrides.set("reducer", "unused")
        overrides.set("space", latent ? "latent" : "full")
        overrides.set("out", "unused")
        var s = try GANSettings.resolve(config: nil, overrides: overrides)
        s.c1 = 0.3  // large weights: the terms dominate nothing here, they only need to be well above Float noise
        s.c2 = 0.7
        let physical = RegressionPathTests.physicalRows(64, seed: 3)
        let f = RegressionPathTests.features
        var scaling = pairMass
            ? Preprocessor(steps: [.pairMass(f), .pairPt(f), .log1p(["mu2_E"]), .standardize(f)], shell: ShellProjection(components: f))
            : Preprocessor(steps: [.log1p(["mu1_E", "mu2_E"]), .standardize(f)])
        try scaling.fit(physical, comm: comm)
        let pre = try scaling.forward(physical, seed: 1)
        let split = HeldOutSplit(fraction: 0.1, seed: 1)
        let prepared = PreparedData(frame: nil, scaling: scaling, inputColumns: RegressionPathTests.features,
                                    features: RegressionPathTests.features, train: pre, trainPhysical: physical, trainTotal: 64,
                                    heldOutPhysical: physical, heldOut: pre, framed: physical, split: split)
        guard latent else { return (s, GANData(space: .full, prepared: prepared, reducer: nil, latentScaling: nil, train: pre, trainTotal: 64)) }
        let spec = AutoencoderSpec(features: 8, latent: 3 + keep.count, hidden: [7], slope: 0.2,
                                   keep: keep.compactMap { RegressionPathTests.features.firstIndex(of: $0) })
        let encoder = try MLP(widths: spec.encoderWidths, activations: spec.encoderActivations, maxBatch: 64, seed: 5)
        let decoder = try MLP(widths: spec.decoderWidths, activations: spec.decoderActivations, maxBatch: 64, seed: 6)
        let moments = pre.values.withUnsafeBufferPointer { PCA.moments($0, rows: pre.rows, features: 8) }
        let pca = try PCA(moments: moments, features: 8, components: 3)
        let reducer = Reducer(method: usePCA ? .pca : .ae, frame: nil, scaling: scaling, inputColumns: RegressionPathTests.features,
                              features: RegressionPathTests.features, latent: 3 + keep.count, keep: keep, split: split,
                              spec: usePCA ? nil : spec, encoder: usePCA ? nil : encoder, decoder: usePCA ? nil : decoder,
                              pca: usePCA ? pca : nil)
        let codes = reducer.encode(pre)
        var latentScaling = Preprocessor(steps: [.standardize(reducer.latentColumns)])
        try latentScaling.fit(codes, comm: comm)
        return (s, GANData(space: .latent, prepared: prepared, reducer: reducer, latentScaling: latentScaling,
                           train: try latentScaling.forward(codes, seed: 1), trainTotal: 64))
    }

    /// `mmd`: the MMD term alone (ptll, mll, dphi_ll over a batch of these 9 rows and 9 real ones)
    /// instead of the regression terms (mll, plus ptll through pair_pt).
    func check(latent: Bool, keep: [String] = [], pca: Bool = false, pairMass: Bool = false, mmd: Bool = false,
               joint: Bool = false, columns: [String] = []) throws {
        let comm = try Communicator.selfOnly()
        var (s, d) = try RegressionPathTests.data(latent: latent, keep: keep, pca: pca, pairMass: pairMass, comm: comm)
        let rows = 9, width = d.outputColumns.count
        if pairMass { s.regression = [.mll, .ptll] }
        if mmd {
            s.regression = []
            s.mmd = [.ptll, .mll, .dphiLL]
            s.mmdWeight = 3
            s.mmdJoint = joint
            s.mmdColumns = columns
            s.batch = rows
        }
        let path = try XCTUnwrap(try RegressionPath(s, data: d, maxRows: rows, comm: comm))
        var rng = Philox(seed: 11, stream: 2)
        var output = (0..<(rows * width)).map { _ in Float(0.8 * rng.normal()) }
        var gradient = [Float](repeating: 0, count: rows * width)
        func loss(_ x: [Float]) throws -> Double {
            var scratch = [Float](repeating: 0, count: rows * width)
            let v = try x.withUnsafeBufferPointer { xb in
                try scratch.withUnsafeMutableBufferPointer { try path.apply(output: xb, rows: rows, step: 5, comm: comm, addingTo: $0) }
            }
            return v.regression + v.mmd
        }
        let values = try output.withUnsafeBufferPointer { xb in
            try gradient.withUnsafeMutableBufferPointer { try path.apply(output: xb, rows: rows, step: 5, comm: comm, addingTo: $0) }
        }
        XCTAssertGreaterThan(mmd ? values.mmd : values.regression, 1e-3, "the generated batch is far from the data")
        XCTAssertEqual(mmd ? values.regression : values.mmd, 0)
        var worst = 0.0
        let scale = gradient.map { abs(Double($0)) }.max() ?? 0
        XCTAssertGreaterThan(scale, 0)
        for i in 0..<output.count {
            let h: Float = 2e-3
            let saved = output[i]
            output[i] = saved + h
            let up = try loss(output)
            output[i] = saved - h
            let down = try loss(output)
            output[i] = saved
            let numeric = (up - down) / Double(2 * h)
            worst = max(worst, abs(numeric - Double(gradient[i])) / scale)
        }
        XCTAssertLessThan(worst, 2e-2, "largest deviation from central differences, relative to the largest gradient")
    }

    func testFullSpaceGradientMatchesFiniteDifferences() throws { try check(latent: false) }
    func testLatentSpaceGradientThroughTheDecoderMatchesFiniteDifferences() throws { try check(latent: true) }
    func testLatentSpaceGradientThroughPCAMatchesFiniteDifferences() throws { try check(latent: true, pca: true) }
    /// mu1_E and mu2_pz are carried as latent columns: their gradient reaches those columns both
    /// directly and through the decoder (which reads them), while the decoder's own outputs for
    /// them, which decoding discards, contribute nothing.
    func testKeptFeaturesGradientMatchesFiniteDifferences() throws {
        try check(latent: true, keep: ["mu1_E", "mu2_pz"])
        try check(latent: true, keep: ["mu2_pz"], pca: true)
    }

    /// Through pair_mass and pair_pt (their mixing Jacobians) in the reducer's scaling, on_shell left out.
    func testGradientThroughPairMassMatchesFiniteDifferences() throws {
        try check(latent: true, pairMass: true)
        try check(latent: false, pairMass: true)
    }

    /// The MMD term's gradient, through the decoder and pair_mass (each quantity's own MMD summed), and in
    /// full space on the joint vector.
    func testMMDGradientMatchesFiniteDifferences() throws {
        try check(latent: true, pairMass: true, mmd: true)
        try check(latent: false, mmd: true, joint: true)
    }

    /// With `mmd_columns`: two columns' own values under one joint kernel beside each quantity's own (through the
    /// decoder and pair_mass, and in full space), and all of them on one joint vector.
    func testMMDColumnsGradientMatchesFiniteDifferences() throws {
        try check(latent: true, pairMass: true, mmd: true, columns: ["mu1_pz", "mu2_pz"])
        try check(latent: false, mmd: true, columns: ["mu2_E", "mu1_px"])
        try check(latent: false, mmd: true, joint: true, columns: ["mu1_pz"])
        // A column the features lack: one line naming them.
        let comm = try Communicator.selfOnly()
        var (s, d) = try RegressionPathTests.data(latent: false, comm: comm)
        s.mmdColumns = ["jet3_pt"]
        XCTAssertThrowsError(try RegressionPath(s, data: d, maxRows: 9, comm: comm)) { error in
            XCTAssertEqual((error as? InputError)?.message, "mmd_columns lists 'jet3_pt', which the features "
                           + "(mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_py,mu2_pz) lack; name features or drop it")
        }
    }
}
