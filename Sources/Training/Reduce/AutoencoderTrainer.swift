import Comm
import EventStore
import NN
import Support

/// Data-parallel autoencoder training: every rank runs the same model on the members of the
/// global batch that live in its shard, the fused gradient buffer is summed with one in-place
/// allreduce, and every rank applies the same optimizer update. Buffers are allocated once.
///
/// With more than one worker shard each rank splits its work once more over in-process worker
/// threads, each acting as one rank of a finer split (`AutoencoderTrainer+Workers.swift`).
public final class AutoencoderTrainer {
    public let model: MLP
    public let optimizer: Optimizer
    public let plan: ShardedBatches
    public let comm: Communicator
    public let data: EventTable
    public let derived: DerivedLoss?
    private var rows: [Int32]
    /// Allreduced per step: MSE sum, stop flag, derived-quantity terms' sum (serial step only).
    public var totals: [Double] = [0, 0, 0]
    /// One lane per in-process worker (empty for the serial step), their models, and the threads.
    public let lanes: [Lane]
    public let replicas: ModelReplicas?
    public let pool: WorkerPool?
    /// Sums the per-row gradients over workers and ranks and scales them once by 1/B.
    public let rule: GradientRule
    /// Global step of the running phase (set before the workers start).
    public var currentStep = 0

    /// `workerShards`: the global training-row range of each in-process worker (from
    /// `PreparedData.trainShards`); one range (or none) keeps the serial step. `derived` terms
    /// run on the serial step only (ReduceSettings refuses them with threads > 1).
    public init(model: MLP, optimizer: Optimizer, data: EventTable, plan: ShardedBatches, comm: Communicator,
         workerShards: [Range<Int>] = [], derived: DerivedLoss? = nil) throws {
        self.model = model
        self.optimizer = optimizer
        self.plan = plan
        self.comm = comm
        self.data = data
        self.derived = derived
        rows = [Int32](repeating: 0, count: plan.batch)
        // Replicas as large as the rank's model: identical buffer layouts, identical BLAS calls.
        let workers = max(workerShards.count, 1)
        let replicas = try ModelReplicas(model, workers: workers, maxBatch: model.maxBatch)
        rule = GradientRule(models: [replicas], optimizers: [optimizer], pool: try WorkerPool(count: workers), ranks: comm)
        guard workerShards.count > 1 else {
            lanes = []
            self.replicas = nil
            pool = nil
            return
        }
        lanes = workerShards.enumerated().map { w, shard in
            Lane(model: replicas.models[w], offset: shard.lowerBound - data.firstRow,
                 plan: ShardedBatches(total: plan.total, shard: shard, batch: plan.batch, seed: plan.seed))
        }
        self.replicas = replicas
        pool = rule.pool
    }

    public struct StepResult {
        public var loss: Double
        /// A stop signal (SIGTERM/SIGUSR1) reached some rank: every rank stops after this same step.
        public var stopRequested: Bool
    }

    /// One optimizer step on global step `step`; returns the global mean loss: MSE over the batch,
    /// plus the derived-quantity terms' batch mean when they are on.
    public func step(_ step: Int) throws -> StepResult {
        if pool != nil { return try parallelStep(step) }
        let k = model.inputWidth
        let n = rows.withUnsafeMutableBufferPointer { plan.localRows(step: step, into: $0) }
        var localSum = 0.0, derivedSum = 0.0
        if n > 0 {
            let input = model.input(batch: n)
            rows.withUnsafeBufferPointer { data.gather($0.baseAddress.unsafelyUnwrapped, count: n, into: input.baseAddress.unsafelyUnwrapped) }
            let output = model.forward(batch: n)
            let gradient = model.outputGradient(batch: n)
            // Per-row gradients (GradientRule): the update divides the sum over ranks by B once.
            localSum = Loss.rowMeanSquaredError(prediction: UnsafeBufferPointer(output), target: UnsafeBufferPointer(input),
                                                batch: n, features: k, gradient: gradient)
            if let derived {
                // batch 1: the terms' per-row gradients, undivided, like the reconstruction's.
                derivedSum = try rows.withUnsafeBufferPointer { idx in
                    try derived.apply(output: UnsafeBufferPointer(output), rows: idx, n: n, batch: 1, addingTo: gradient)
                }
            }
            model.backward(batch: n, parameterGradients: .overwrite)
        } else {
            model.zeroGradients()
        }
        try rule.step(model: 0, globalRows: plan.batch)
        totals[0] = localSum
        totals[1] = StopSignal.received != 0 ? 1 : 0
        totals[2] = derivedSum
        try comm.allreduce(&totals, op: .sum)
        return StepResult(loss: totals[0] / Double(plan.batch * k) + totals[2] / Double(plan.batch), stopRequested: totals[1] > 0)
    }

    /// Mean squared error over preprocessed rows (e.g. the held-out split), summed over ranks.
    public func meanSquaredError(_ table: EventTable) throws -> Double {
        let k = model.inputWidth
        var sums = [0.0, Double(table.rows * k)]
        var start = 0
        while start < table.rows {
            let n = min(model.maxBatch, table.rows - start)
            table.values.withUnsafeBufferPointer { v in
                let x = UnsafeBufferPointer(rebasing: v[(start * k)..<((start + n) * k)])
                let out = model.forward(x, batch: n)
                sums[0] += Double(Loss.meanSquaredError(prediction: UnsafeBufferPointer(out), target: x, batch: n,
                                                        features: k)) * Double(n * k)
            }
            start += n
        }
        try comm.allreduce(&sums, op: .sum)
        return sums[1] > 0 ? sums[0] / sums[1] : .nan
    }
}
