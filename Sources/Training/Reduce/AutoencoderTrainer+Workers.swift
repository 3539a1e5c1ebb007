import Comm
import EventStore
import NN
import Support

/// The worker step: each in-process worker w runs exactly what rank w of a finer data-parallel
/// split would (its rows of the global batch, per-row loss gradients, backward into its own
/// gradient buffer); `GradientRule` then sums the buffers by parameter range — for two workers
/// bitwise what a two-rank allreduce gives — allreduces the sum with the other ranks, and the
/// workers apply the optimizer update on sum / B, again by parameter range.
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

    public enum Phase: Int { case forwardBackward }

    public func parallelStep(_ step: Int) throws -> StepResult {
        guard let pool else { preconditionFailure("worker step without a worker pool") }
        currentStep = step
        pool.run(self, phase: Phase.forwardBackward.rawValue)
        try rule.step(model: 0, globalRows: plan.batch)
        // An index loop: `reduce` and `for lane in lanes` go through unspecialised generic
        // iterators in debug builds, which allocate on every step.
        totals[0] = 0
        for w in 0..<lanes.count { totals[0] += lanes[w].localSum }
        totals[1] = StopSignal.received != 0 ? 1 : 0
        try comm.allreduce(&totals, op: .sum)
        return StepResult(loss: totals[0] / Double(plan.batch * model.inputWidth), stopRequested: totals[1] > 0)
    }

    public func work(worker: Int, phase: Int) {
        switch Phase(rawValue: phase) {
        case .forwardBackward: forwardBackward(lanes[worker])
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
        lane.rows.withUnsafeBufferPointer { data.gather($0.baseAddress.unsafelyUnwrapped, count: n, offset: lane.offset, into: input) }
        let output = model.forward(batch: n)
        let gradient = model.outputGradient(batch: n)
        lane.localSum = Loss.rowMeanSquaredError(prediction: UnsafeBufferPointer(output),
                                                 target: UnsafeBufferPointer(model.input(batch: n)), batch: n, features: k,
                                                 gradient: gradient)
        model.backward(batch: n, parameterGradients: .overwrite)
    }
}
