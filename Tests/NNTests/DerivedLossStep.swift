import Comm
import EventStore
@testable import NN
@testable import Support
@testable import Training

/// AllocationTests' fixture for reduce's autoencoder step with `derived_loss = [mll, ptll]`: the
/// production `AutoencoderTrainer.step` with a `DerivedLoss` on 64 muon pairs scaled as reduce
/// scales them with pair_mass (pair_mass and pair_pt in the rotation frame, log1p, standardisation),
/// a 7 → 12 → 4 → 12 → 7 network, batch 16, on a one-rank communicator.
final class DerivedLossStep {
    static let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz"]
    let trainer: AutoencoderTrainer
    var next = 0

    init() throws {
        let comm = try Communicator.selfOnly()
        let k = Self.features.count, rows = 64
        var rng = Philox(seed: 5, stream: 1)
        var physical = EventTable(columns: Self.features, rows: rows)
        for r in 0..<rows {
            for mu in 0..<2 {
                let px = 30 * rng.normal(), py = 30 * rng.normal(), pz = 80 * rng.normal()
                let e = (px * px + py * py + pz * pz + 0.011).squareRoot() * (1.02 + 0.2 * rng.uniform())
                let values = mu == 0 ? [e, px, py, pz] : [e, px, pz]
                for (j, v) in values.enumerated() { physical.values[r * k + mu * 4 + j] = Float(v) }
            }
        }
        let pair = PreprocessingStep.pairMassComponents("mu1", "mu2", zero: ["mu2_py"])
        var scaling = Preprocessor(steps: [.pairMass(pair), .pairPt(pair), .log1p(["mu2_E"]), .standardize(Self.features)])
        try scaling.fit(physical, comm: comm)
        let pre = try scaling.forward(physical, seed: 1)
        let batch = 16
        let loss = try DerivedLoss(quantities: ["mll", "ptll"], weight: 0.5, scaling: scaling, realPhysical: physical,
                                   dropped: "mu2_py", maxRows: batch, comm: comm)
        let spec = AutoencoderSpec(features: k, latent: 4, hidden: [12], slope: 0.2)
        let model = try spec.makeModel(maxBatch: batch, seed: 3)
        trainer = try AutoencoderTrainer(model: model, optimizer: Adam(for: model), data: pre,
                                         plan: ShardedBatches(total: rows, shard: 0..<rows, batch: batch, seed: 3), comm: comm, derived: loss)
    }

    /// One production step (global step 0, 1, …); returns its loss.
    func step() throws -> Double {
        defer { next += 1 }
        return try trainer.step(next).loss
    }
}
