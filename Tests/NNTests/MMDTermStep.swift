import Comm
import EventStore
@testable import NN
@testable import Support
@testable import Training

/// AllocationTests' fixture for the GAN's MMD term (ptll, mll, dphi_ll, each its own MMD², summed,
/// plus mu1_pz and mu2_pz under one joint kernel: `mmd_columns`)
/// and an mll regression term, in full space on 64 muon pairs (pair_mass, pair_pt, log1p,
/// standardised), for a 16-row batch on a one-rank communicator (so the all-gather and the sum are
/// copies, not MPI calls): `MMDTerm.apply` alone on physical rows, and `RegressionPath.apply`, which
/// runs both terms between the row mapping's derivative and its backward pass, on preprocessed rows.
final class MMDTermStep {
    static let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]
    let rows = 16
    let comm: Communicator
    let term: MMDTerm, path: RegressionPath
    let output: FloatStorage, physical: FloatStorage, gradient: FloatStorage
    var next = 0

    init() throws {
        comm = try Communicator.selfOnly()
        var o = ConfigOverrides()
        o.set("data", "unused.h5")
        o.set("space", "full")
        o.set("out", "unused")
        o.set("regression", ["mll"])
        o.set("mmd", ["ptll", "mll", "dphi_ll"])
        o.set("mmd_columns", ["mu1_pz", "mu2_pz"])
        o.set("batch", rows)
        let s = try GANSettings.resolve(config: nil, overrides: o)
        let k = Self.features.count
        var rng = Philox(seed: 12, stream: 1)
        var table = EventTable(columns: Self.features, rows: 64)
        for r in 0..<64 {
            for mu in 0..<2 {
                let px = 30 * rng.normal(), py = 30 * rng.normal(), pz = 80 * rng.normal()
                let e = (px * px + py * py + pz * pz).squareRoot() * 1.1
                for (j, v) in [e, px, py, pz].enumerated() { table.values[r * k + mu * 4 + j] = Float(v) }
            }
        }
        // As a pair_mass reduce or full-space job scales the muons: pair steps, log1p, standardisation.
        var scaling = Preprocessor(steps: [.pairMass(Self.features), .pairPt(Self.features), .log1p(["mu2_E"]), .standardize(Self.features)])
        try scaling.fit(table, comm: comm)
        let pre = try scaling.forward(table, seed: 1)
        let prepared = PreparedData(frame: nil, scaling: scaling, inputColumns: Self.features, features: Self.features, train: pre,
                                    trainPhysical: table, trainTotal: 64, heldOutPhysical: table, heldOut: pre, framed: table,
                                    split: HeldOutSplit(fraction: 0.1, seed: 1))
        let data = GANData(space: .full, prepared: prepared, reducer: nil, latentScaling: nil, train: pre, trainTotal: 64)
        term = try MMDTerm(s, data: data, frameColumns: data.frameColumns, seed: 3, comm: comm)
        guard let path = try RegressionPath(s, data: data, maxRows: rows, seed: 3, comm: comm) else {
            throw InputError("mmd is set, so the regression path exists", exitCode: ExitStatus.software)
        }
        self.path = path
        // Generated rows: real rows 20… widened by 30 %, so the samples differ.
        output = FloatStorage(count: rows * k)
        physical = FloatStorage(count: rows * k)
        for i in 0..<(rows * k) {
            output.start[i] = 1.3 * pre.values[20 * k + i]
            physical.start[i] = 1.3 * table.values[20 * k + i]
        }
        gradient = FloatStorage(count: rows * k)
    }

    /// λ·MMD² of the next step by the term alone (the gradients accumulate; only the allocations matter).
    func alone() throws -> Double {
        defer { next += 1 }
        return try term.apply(UnsafeBufferPointer(physical.buffer), rows: rows, width: Self.features.count, step: next, comm: comm,
                              into: gradient.buffer)
    }

    /// The same through the regression path, from preprocessed rows.
    func around() throws -> Double {
        defer { next += 1 }
        return try path.apply(output: UnsafeBufferPointer(output.buffer), rows: rows, step: next, comm: comm, addingTo: gradient.buffer).mmd
    }
}
