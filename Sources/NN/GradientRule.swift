import Support

/// Sums a gradient buffer over the ranks of a data-parallel group in place (an MPI_SUM
/// allreduce: Training makes its Communicator one). NN does not see MPI, hence the protocol.
public protocol GradientSum: AnyObject {
    /// Ranks taking part; 1 means there is nothing to sum.
    var gradientRanks: Int { get }
    func sumOverRanks(_ buffer: UnsafeMutableBufferPointer<Float>) throws
}

/// One process, no ranks: for steps that run outside an MPI group (the benchmark's autoencoder step).
public final class SingleProcess: GradientSum {
    public init() {}
    public var gradientRanks: Int { 1 }
    public func sumOverRanks(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
}

/// The one gradient rule of every trainer (GAN, WGAN-GP, VAE, autoencoder):
///
/// 1. each rank's in-process workers write the gradient of the SUM of their rows' losses, not of
///    a mean (the per-row loss functions: `Loss.binaryCrossEntropySum`, `rowMeanSquaredError`,
///    the unscaled critic differences, `GradientPenalty.accumulate(scale: 1)`, `VAE.step(scale: rows)`);
/// 2. the workers' buffers are summed by parameter range into the primary (`ModelReplicas.combine`),
///    then over the ranks (`GradientSum`);
/// 3. the optimizer scales the sum once by 1 / (global rows of the loss), fused into its update.
///
/// So the result does not depend on how the rows are split over ranks and workers, except for
/// the order of the float sums. Terms that are not per-row sums (the regression terms on batch
/// moments) enter step 1 multiplied by the global rows. Worker 0 runs on the calling thread;
/// T = 1 is the serial step (a pool of one starts no thread).
public final class GradientRule: ParallelWork {
    public let models: [ModelReplicas]
    public let optimizers: [Optimizer]
    public let pool: WorkerPool
    private let ranks: GradientSum
    private var current = 0
    private var scale: Float = 1

    /// `models[i]` is updated by `optimizers[i]`; every ModelReplicas has `pool.count` workers.
    public init(models: [ModelReplicas], optimizers: [Optimizer], pool: WorkerPool, ranks: GradientSum) {
        precondition(models.count == optimizers.count && models.allSatisfy { $0.workers == pool.count },
                     "one optimizer per model, one replica per worker")
        self.models = models
        self.optimizers = optimizers
        self.pool = pool
        self.ranks = ranks
    }

    /// The factor applied once to the summed per-row gradients: 1 / (global rows).
    @inline(__always)
    public static func scale(globalRows: Int) -> Float { globalRows > 0 ? 1 / Float(globalRows) : 0 }

    /// Model i's update: Σ over workers, Σ over ranks, then the optimizer step on Σ / globalRows.
    public func step(model i: Int, globalRows: Int) throws {
        current = i
        scale = GradientRule.scale(globalRows: globalRows)
        if ranks.gradientRanks == 1 {
            pool.run(self, phase: Phase.combineAndUpdate.rawValue)
        } else {
            pool.run(self, phase: Phase.combine.rawValue)
            try ranks.sumOverRanks(models[i].primary.gradients)
            pool.run(self, phase: Phase.update.rawValue)
        }
        optimizers[i].finishStep()
    }

    enum Phase: Int { case combine, update, combineAndUpdate }

    public func work(worker: Int, phase: Int) {
        let replicas = models[current]
        switch Phase(rawValue: phase) {
        case .combine: replicas.combine(worker: worker)
        case .update: replicas.update(worker: worker, optimizer: optimizers[current], gradientScale: scale)
        case .combineAndUpdate:
            replicas.combine(worker: worker)
            replicas.update(worker: worker, optimizer: optimizers[current], gradientScale: scale)
        case nil: preconditionFailure("unknown gradient-rule phase \(phase)")
        }
    }
}
