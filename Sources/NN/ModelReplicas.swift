import Support
/// A model and one replica per extra in-process worker (`MLP(replicaOf:)`): every worker runs its
/// rows of the batch through its own replica into its own gradient buffer, then the workers
/// combine the buffers into the primary's by parameter range and run the optimizer update on the
/// same range. Worker 0 uses the primary itself.
///
/// The combination is the plain sum g₀ + g₁ (+ g₂ …, left to right), i.e. for two workers exactly
/// what a two-rank MPI_SUM allreduce produces (float addition is commutative), so T = 2 workers in
/// one process and np = 2 ranks give bitwise the same weights.
public final class ModelReplicas {
    public let primary: MLP
    /// `models[w]` is worker w's model; `models[0] === primary`.
    public let models: [MLP]
    /// Worker w's parameter range, cut at multiples of 16 floats (64 bytes) so that no two workers
    /// write to the same cache line.
    private let ranges: [Range<Int>]

    public init(_ primary: MLP, workers: Int, maxBatch: Int) throws {
        guard workers >= 1 else { throw NNError.invalidArchitecture("need at least 1 worker, got \(workers)") }
        self.primary = primary
        models = try [primary] + (1..<workers).map { _ in try MLP(replicaOf: primary, maxBatch: maxBatch) }
        let count = primary.parameterCount
        let lines = (count + 15) / 16
        ranges = (0..<workers).map { w in
            let lo = min(count, 16 * (w * lines / workers)), hi = min(count, 16 * ((w + 1) * lines / workers))
            return lo..<hi
        }
    }

    public var workers: Int { models.count }

    /// Worker `worker`'s part of the combination: primary.gradients[range] = Σ_w models[w].gradients[range].
    public func combine(worker: Int) {
        let range = ranges[worker]
        guard models.count > 1, !range.isEmpty else { return }
        let total = primary.gradients.baseAddress.unsafelyUnwrapped
        for w in 1..<models.count {
            let part = UnsafePointer(models[w].gradients.baseAddress.unsafelyUnwrapped)
            for i in range { total[i] += part[i] }
        }
    }

    /// Worker `worker`'s part of an optimizer step on the primary from its (combined) gradients.
    /// The caller advances `optimizer.stepCount` once every worker has finished.
    public func update(worker: Int, optimizer: Optimizer, gradientScale: Float) {
        let range = ranges[worker]
        guard !range.isEmpty else { return }
        optimizer.update(parameters: primary.parameters.baseAddress.unsafelyUnwrapped,
                         gradients: UnsafePointer(primary.gradients.baseAddress.unsafelyUnwrapped),
                         gradientScale: gradientScale, range: range)
    }
}
