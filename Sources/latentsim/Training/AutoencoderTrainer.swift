import CBLAS
import Comm
import EventStore
import NN

/// Data-parallel autoencoder training: every rank runs the same model on the members of the
/// global batch that live in its shard, the fused gradient buffer is summed with one in-place
/// allreduce, and every rank applies the same optimizer update. Buffers are allocated once.
final class AutoencoderTrainer {
    let model: MLP
    let optimizer: Optimizer
    let plan: ShardedBatches
    private let comm: Communicator
    private let data: EventTable
    private let derived: DerivedLoss?
    private var rows: [Int32]
    /// Allreduced per step: MSE sum, stop flag, derived-quantity terms' sum.
    private var totals: [Double] = [0, 0, 0]

    init(model: MLP, optimizer: Optimizer, data: EventTable, plan: ShardedBatches, comm: Communicator,
         derived: DerivedLoss? = nil) {
        self.model = model
        self.optimizer = optimizer
        self.plan = plan
        self.comm = comm
        self.data = data
        self.derived = derived
        rows = [Int32](repeating: 0, count: plan.batch)
    }

    struct StepResult {
        var loss: Double
        /// A stop signal (SIGTERM/SIGUSR1) reached some rank: every rank stops after this same step.
        var stopRequested: Bool
    }

    /// One optimizer step on global step `step`; returns the global mean loss: MSE over the batch,
    /// plus the derived-quantity terms' batch mean when they are on.
    func step(_ step: Int) throws -> StepResult {
        let k = model.inputWidth
        let n = rows.withUnsafeMutableBufferPointer { plan.localRows(step: step, into: $0) }
        var localSum = 0.0, derivedSum = 0.0
        if n > 0 {
            let input = model.input(batch: n)
            data.values.withUnsafeBufferPointer { v in
                rows.withUnsafeBufferPointer { idx in
                    for i in 0..<n {
                        let src = v.baseAddress! + Int(idx[i]) * k
                        (input.baseAddress! + i * k).update(from: src, count: k)
                    }
                }
            }
            let output = model.forward(batch: n)
            let gradient = model.outputGradient(batch: n)
            let mean = Loss.meanSquaredError(prediction: UnsafeBufferPointer(output), target: UnsafeBufferPointer(input),
                                             batch: n, features: k, gradient: gradient)
            localSum = Double(mean) * Double(n * k)
            // The loss is a mean over the global batch: rescale this rank's share from n to B rows.
            cblas_sscal(Int32(n * k), Float(n) / Float(plan.batch), gradient.baseAddress, 1)
            if let derived {
                derivedSum = try rows.withUnsafeBufferPointer { idx in
                    try derived.apply(output: UnsafeBufferPointer(output), rows: idx, n: n, batch: plan.batch, addingTo: gradient)
                }
            }
            model.backward(batch: n, parameterGradients: .overwrite)
        } else {
            model.zeroGradients()
        }
        try comm.allreduce(model.gradients, op: .sum)
        totals[0] = localSum
        totals[1] = StopSignal.received != 0 ? 1 : 0
        totals[2] = derivedSum
        try comm.allreduce(&totals, op: .sum)
        optimizer.step(model)
        return StepResult(loss: totals[0] / Double(plan.batch * k) + totals[2] / Double(plan.batch), stopRequested: totals[1] > 0)
    }

    /// Mean squared error over preprocessed rows (e.g. the held-out split), summed over ranks.
    func meanSquaredError(_ table: EventTable) throws -> Double {
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
