import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

/// Per-event reconstruction terms on derived quantities for the autoencoder:
/// λ · (1/B) Σ_rows Σ_q ρ((q(decoded) − q(real)) / σ_q), with q computed in physical units (rotation
/// frame, mu2_py = 0) after the scaling's inverse, σ_q the quantity's spread over the training rows
/// and ρ(u) = 2(√(1 + u²) − 1) the pseudo-Huber loss: u² for small errors, 2|u| for large ones. The
/// bounded slope matters early in training, when a decoded pair far off shell (mll's gradient is
/// x/m) would otherwise send the weights to NaN (seen with a plain square at step 1400).
///
/// Why: MSE on standardised features weighs a 1 % error of a muon energy like any other 1 % error,
/// but the dimuon mass of a Z decay is a narrow peak (Γ ≈ 2.5 GeV at 91 GeV) built from energies of
/// ≈ 80 GeV. Errors that MSE tolerates smear the peak, and a GAN trained on the codes can never beat
/// the decoder's floor (measured: mll KS 0.08–0.10 for decode(encode(real)) of MSE-only 17 → 8 and
/// 17 → 12 autoencoders). The rows and the gradient's way back are a full-space `RowMapping` of
/// the scaling on its derivative path (the map the GAN's regression terms and scoring use).
/// Workspaces are allocated once for `maxRows` rows.
public final class DerivedLoss {
    public struct Term {
        public let quantity: DerivedQuantity
        /// Positions of the quantity's inputs in a frame row.
        public let columns: [Int]
        public let sigma: Double
        /// q of every local training row (same order as the trainer's table).
        public let real: [Double]
    }

    public let weight: Double
    public let terms: [Term]
    private let mapping: RowMapping
    private let physicalGradient: FloatStorage
    private var q: [Double], weights: [Double]

    /// `realPhysical`: the local training rows in physical units (features, rotation frame), row i
    /// matching row i of the trainer's preprocessed table; `frameColumns` = its columns plus the
    /// column the frame step dropped (`dropped`, the mu2_py role's; then 0 in every row). `roles`
    /// say which columns the quantities are computed from.
    public init(quantities names: [String], weight: Double, scaling: Preprocessor, realPhysical: EventTable, dropped: String?,
                roles: ColumnRoles = ColumnRoles(), maxRows: Int, comm: Communicator) throws {
        let frameColumns = RowMapping.frameColumns(features: realPhysical.columns, dropped: dropped)
        let resolved = try comm.agree { try names.map { try MomentRegression.resolve($0, columns: frameColumns, roles: roles) } }
        let frame = RowMapping.appendingFrameColumn(realPhysical, dropped: dropped)
        terms = try resolved.map { quantity, columns in
            let spread = try MomentRegression.targets(frame, quantity: quantity, roles: roles, comm: comm).std
            var real = [Double](repeating: 0, count: frame.rows)
            frame.values.withUnsafeBufferPointer { v in
                real.withUnsafeMutableBufferPointer { quantity.values(v, count: frame.rows, width: frame.width, columns: columns, into: $0) }
            }
            return Term(quantity: quantity, columns: columns, sigma: spread > 0 ? spread : 1, real: real)
        }
        self.weight = weight
        precondition(scaling.inputColumns == realPhysical.columns, "the scaling maps other columns than the training rows")
        mapping = try RowMapping(latentScaling: nil, decoder: nil, scaling: scaling, ending: .rotationFrame(dropped: dropped),
                                 maxRows: maxRows)
        physicalGradient = FloatStorage(count: maxRows * frameColumns.count)
        q = [Double](repeating: 0, count: maxRows)
        weights = [Double](repeating: 0, count: maxRows)
    }

    /// Adds the terms' gradient for `n` local rows (`output`: the decoder's preprocessed rows; `rows`:
    /// their indices among the local training rows) to `gradient`, scaled for a mean over the global
    /// batch `batch`; returns λ · Σ_rows Σ_q ρ((q̂ − q)/σ) of these rows (divide the global sum by B).
    public func apply(output: UnsafeBufferPointer<Float>, rows: UnsafeBufferPointer<Int32>, n: Int, batch: Int,
               addingTo gradient: UnsafeMutableBufferPointer<Float>) throws -> Double {
        let w = mapping.width
        guard n > 0 else { return 0 }
        let phys = try mapping.physicalWithDerivative(output, rows: n), grad = physicalGradient.view(0, n * w)
        grad.update(repeating: 0)
        var total = 0.0
        // An index loop: `for term in terms` allocates an iterator frame per term in debug builds (AllocationTests).
        for t in 0..<terms.count {
            let term = terms[t]
            q.withUnsafeMutableBufferPointer { qv in
                term.quantity.values(phys, count: n, width: w, columns: term.columns, into: qv)
            }
            for r in 0..<n {
                let u = (q[r] - term.real[Int(rows[r])]) / term.sigma
                let root = (1 + u * u).squareRoot()
                total += weight * 2 * (root - 1)
                weights[r] = weight * 2 * u / root / term.sigma / Double(batch)
            }
            weights.withUnsafeBufferPointer { wv in
                term.quantity.accumulateGradient(phys, count: n, width: w, columns: term.columns,
                                                 weights: wv, into: grad)
            }
        }
        mapping.backward(UnsafeBufferPointer(grad), rows: n, addingTo: gradient)
        return total
    }
}
