import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

/// The paper's regression terms, generalised: for each derived quantity q of the generated batch in
/// physical units (rotation frame), c1·(mean(q) − μ)² + c2·(std(q) − σ)² with μ, σ from the
/// training data. The rows and the gradient's way back to the generator's output are the run's
/// `RowMapping` (`GANData.rowMapping`, the map scoring uses) on its derivative path: the inverse
/// scaling and, in latent space, the decoder (the mapping's own copy, so the reducer stays
/// untouched) and the latent standardisation. Integer columns get no gradient (floor); zero
/// calibration, the random azimuth and the on_shell projection are not part of the path. The MMD
/// term (`MMDTerm`, `mmd`) runs on the same rows and gradient. Workspaces are allocated once for
/// `maxRows` rows.
public final class RegressionPath {
    private let terms: [MomentRegression]
    private let mmd: MMDTerm?
    private let mapping: RowMapping
    private let physicalGradient: FloatStorage

    /// nil when neither term is on. `seed`: the restart's (keys the MMD term's real rows; default `s.seed`).
    public init?(_ s: GANSettings, data: GANData, maxRows: Int, seed: UInt64? = nil, comm: Communicator) throws {
        let moments = !s.regression.isEmpty && (s.c1 > 0 || s.c2 > 0)
        guard moments || s.mmdActive else { return nil }
        let frameColumns = data.frameColumns
        let realFrame = RowMapping.appendingFrameColumn(data.prepared.trainPhysical, dropped: data.prepared.frameColumn)
        terms = try (moments ? s.regression : []).map { q in
            guard let columns = q.columnPositions(in: frameColumns, roles: s.roles) else {
                let lacking = q.inputs.filter { s.roles.column($0, in: frameColumns) == nil }
                throw InputError("regression quantity '\(q.rawValue)' needs column '\(lacking[0])', which the features "
                                 + "(\(frameColumns.joined(separator: ","))) lack; drop it from regression",
                                 exitCode: ExitStatus.usage)
            }
            let target = try MomentRegression.targets(realFrame, quantity: q, roles: s.roles, comm: comm)
            return MomentRegression(quantity: q, columns: columns, width: frameColumns.count, targetMean: target.mean,
                                    targetStd: target.std, c1: s.c1, c2: s.c2, maxRows: maxRows)
        }
        mmd = !s.mmdActive ? nil : try MMDTerm(s, data: data, frameColumns: frameColumns, seed: seed ?? s.seed, comm: comm)
        mapping = try data.rowMapping(maxRows: maxRows)
        physicalGradient = FloatStorage(count: maxRows * frameColumns.count)
    }

    /// Adds the terms' gradient for the local generated rows of step `step` to `gradient` (same
    /// layout as `output`); returns the regression terms' total and λ·MMD² (0 when off), the same
    /// on every rank of `comm`.
    public func apply(output: UnsafeBufferPointer<Float>, rows n: Int, step: Int = 0, comm: Communicator,
                      addingTo gradient: UnsafeMutableBufferPointer<Float>) throws -> (regression: Double, mmd: Double) {
        let w = mapping.width
        let physical = try mapping.physicalWithDerivative(output, rows: n)
        physicalGradient.buffer.update(repeating: 0)
        var total = 0.0
        for i in 0..<terms.count {   // by index: an array's iterator allocates in debug builds (AllocationTests)
            total += try terms[i].apply(physical, rows: n, comm: comm, into: physicalGradient.view(0, n * w))
        }
        let distance = try mmd?.apply(physical, rows: n, width: w, step: step, comm: comm, into: physicalGradient.view(0, n * w)) ?? 0
        mapping.backward(UnsafeBufferPointer(physicalGradient.view(0, n * w)), rows: n, addingTo: gradient)
        return (total, distance)
    }
}
