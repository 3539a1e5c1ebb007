import CBLAS
import Comm
import EventStore
import NN
import Support

/// The worker step: each in-process worker w runs exactly what rank w of a finer data-parallel
/// split would (its rows of the global batch, mean loss rescaled to the global batch, backward
/// into its own gradient buffer); the workers then sum the buffers by parameter range — for two
/// workers bitwise what a two-rank allreduce gives — the rank allreduces the sum with the other
/// ranks, and the workers apply the optimizer update, again by parameter range.
extension AutoencoderTrainer: ParallelWork {
    /// A worker's own state; only that worker touches it during a phase.
    public final class Lane {
        public let model: MLP
        /// Start of the worker's shard among this rank's training rows.
        public let offset: Int
        public let plan: ShardedBatches
        public var rows: [Int32]
        public var localSum = 0.0

        public init(model: MLP, offset: Int, plan: ShardedBatches) {
            self.model = model
            self.offset = offset
            self.plan = plan
            rows = [Int32](repeating: 0, count: plan.batch)
        }
    }

    public enum Phase: Int { case forwardBackward, combine, update, combineAndUpdate }

    public func parallelStep(_ step: Int) throws -> StepResult {
        guard let pool else { preconditionFailure("worker step without a worker pool") }
        currentStep = step
        pool.run(self, phase: Phase.forwardBackward.rawValue)
        if comm.size == 1 {
            pool.run(self, phase: Phase.combineAndUpdate.rawValue)
        } else {
            pool.run(self, phase: Phase.combine.rawValue)
            try comm.allreduce(model.gradients, op: .sum)
            pool.run(self, phase: Phase.update.rawValue)
        }
        optimizer.finishStep()
        totals[0] = lanes.reduce(0) { $0 + $1.localSum }
        totals[1] = StopSignal.received != 0 ? 1 : 0
        try comm.allreduce(&totals, op: .sum)
        return StepResult(loss: totals[0] / Double(plan.batch * model.inputWidth), stopRequested: totals[1] > 0)
    }

    public func work(worker: Int, phase: Int) {
        guard let replicas else { return }
        switch Phase(rawValue: phase) {
        case .forwardBackward: forwardBackward(lanes[worker])
        case .combine: replicas.combine(worker: worker)
        case .update: replicas.update(worker: worker, optimizer: optimizer, gradientScale: 1)
        case .combineAndUpdate:
            replicas.combine(worker: worker)
            replicas.update(worker: worker, optimizer: optimizer, gradientScale: 1)
        case nil: preconditionFailure("unknown autoencoder trainer phase \(phase)")
        }
    }

    /// The serial step's local part (gather, forward, loss, backward) on one lane.
    private func forwardBackward(_ lane: Lane) {
        let k = lane.model.inputWidth, model = lane.model
        let n = lane.rows.withUnsafeMutableBufferPointer { lane.plan.localRows(step: currentStep, into: $0) }
        lane.localSum = 0
        guard n > 0 else { return model.zeroGradients() }
        let input = model.input(batch: n).baseAddress.unsafelyUnwrapped
        data.values.withUnsafeBufferPointer { v in
            lane.rows.withUnsafeBufferPointer { idx in
                let values = v.baseAddress.unsafelyUnwrapped
                for i in 0..<n { (input + i * k).update(from: values + (lane.offset + Int(idx[i])) * k, count: k) }
            }
        }
        let output = model.forward(batch: n)
        let gradient = model.outputGradient(batch: n)
        let mean = Loss.meanSquaredError(prediction: UnsafeBufferPointer(output), target: UnsafeBufferPointer(model.input(batch: n)),
                                         batch: n, features: k, gradient: gradient)
        lane.localSum = Double(mean) * Double(n * k)
        cblas_sscal(Int32(n * k), Float(n) / Float(plan.batch), gradient.baseAddress, 1)
        model.backward(batch: n, parameterGradients: .overwrite)
    }
}
