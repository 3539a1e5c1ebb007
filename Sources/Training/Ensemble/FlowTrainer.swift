import CBLAS
import Comm
import EventStore
import NN
import Support

/// Conditional flow matching as the generator (`FlowMatching`): a velocity network trained
/// data-parallel on the global batch of B real rows, sampled by integrating its ODE from standard
/// normal noise (`SamplerKind.flow`, `flow_steps` steps of `flow_integrator`). As the VAE: batch
/// membership from the shared seed; each row's x₀ and t from its own streams (seed, step, batch
/// position); per-row gradient sums combined over T workers and the ranks and scaled once by 1/B
/// (`GradientRule`), so 1, 2 or 3 ranks (or T workers) train the same path up to float order.
/// Snapshots sample from an exponential moving average of the weights (`ema`), as the GAN's do.
public final class FlowTrainer: GeneratorTrainer {
    public let flow: FlowMatching
    public let optimizer: Optimizer
    public let sampler: Sampler
    private let data: EventTable
    private let comm: Communicator
    private let seed: UInt64
    private let batch: Int
    private let ema: Float
    private let lanes: [Lane]
    private let rule: GradientRule
    private var currentStep = 0
    private var totals = [Double](repeating: 0, count: 2)
    private var losses = StepLosses(values: [("velocity", 0)], stopRequested: false)
    /// The weights' moving average (nil when `ema` = 0) and a spare for swapping.
    private let average: FloatStorage?, spare: FloatStorage

    public var models: [TrainedModel] { [TrainedModel(name: "velocity", model: flow.network, optimizer: optimizer)] }

    /// One worker's flow on its replica, its shard and its rows of the current step.
    final class Lane: RowLane {
        let flow: FlowMatching
        var loss = 0.0

        init(flow: FlowMatching, plan: ShardedBatches, offset: Int) {
            self.flow = flow
            super.init(plan: plan, offset: offset, width: flow.features)
        }
    }

    public init(_ s: GANSettings, data: GANData, seed: UInt64, comm: Communicator) throws {
        self.data = data.train
        self.comm = comm
        self.seed = seed
        ema = Float(s.ema)
        batch = min(s.batch, data.trainTotal)
        flow = try FlowMatching(features: data.outputColumns.count, hidden: s.flowWidths, slope: s.slope, maxBatch: max(batch, 1),
                                seed: seed)
        try comm.broadcast(flow.network.parameters)
        optimizer = Self.makeOptimizer(s, for: flow.network)
        sampler = try Sampler(network: flow.network, kind: .flow(steps: s.flowSteps, integrator: s.flowIntegrator))
        let own = data.train.firstRow..<(data.train.firstRow + data.train.rows)
        let shards = s.threads > 1 ? data.prepared.trainShards(parts: s.threads) : [own]
        let replicas = try ModelReplicas(flow.network, workers: shards.count, maxBatch: flow.maxBatch)
        let primary = flow, rows = batch
        lanes = try shards.enumerated().map { w, shard in
            let replica = w == 0 ? primary : try FlowMatching(network: replicas.models[w], maxBatch: primary.maxBatch)
            return Lane(flow: replica, plan: ShardedBatches(total: data.trainTotal, shard: shard, batch: rows, seed: seed),
                        offset: shard.lowerBound - data.train.firstRow)
        }
        rule = GradientRule(models: [replicas], optimizers: [optimizer], pool: try WorkerPool(count: shards.count), ranks: comm)
        let count = flow.network.parameterCount
        average = s.ema > 0 ? FloatStorage(count: count) : nil
        spare = FloatStorage(count: average == nil ? 0 : count)
        if let average { _ = average.buffer.update(fromContentsOf: flow.network.parameters) }
    }

    public var lossNames: [String] { losses.values.map(\.0) }
    public var extraState: [(String, UnsafeMutableBufferPointer<Float>)] { average.map { [("velocity_ema", $0.buffer)] } ?? [] }

    /// Snapshots sample from the averaged weights.
    public func withSamplingWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard let average else { return try body() }
        let parameters = flow.network.parameters
        _ = spare.buffer.update(fromContentsOf: parameters)
        _ = parameters.update(fromContentsOf: average.buffer)
        defer { _ = parameters.update(fromContentsOf: spare.buffer) }
        return try body()
    }

    public func step(_ step: Int) throws -> StepLosses {
        currentStep = step
        rule.pool.run(self, phase: 0)
        totals[0] = 0
        for w in lanes.indices { totals[0] += lanes[w].loss }
        // A sum over rows; summed over ranks and divided by B it is the global per-row mean.
        totals[0] /= Double(batch)
        totals[1] = StopSignal.received != 0 ? 1 : 0
        try rule.step(model: 0, globalRows: batch)
        updateAverage(step: step)
        try comm.allreduce(&totals, op: .sum)
        losses.values[0].1 = totals[0]
        losses.stopRequested = totals[1] > 0
        return losses
    }

    /// ema ← d·ema + (1 − d)·θ with d = min(ema, (1 + t)/(10 + t)), the GAN's rule: a pure function
    /// of the step, so a resumed run averages exactly as an uninterrupted one.
    private func updateAverage(step: Int) {
        guard let average, let parameters = flow.network.parameters.baseAddress else { return }
        let t = Float(step), d = min(ema, (1 + t) / (10 + t)), count = Int32(average.buffer.count)
        cblas_sscal(count, d, average.start, 1)
        cblas_saxpy(count, 1 - d, parameters, 1, average.start, 1)
    }
}

extension FlowTrainer: ParallelWork {
    /// Worker w's rows of the step: gather x₁, x₀ and t by batch position, forward and backward (per-row sums).
    public func work(worker: Int, phase: Int) {
        let lane = lanes[worker], n = data.width
        lane.loss = 0
        let rows = lane.plan.localRows(step: currentStep, into: lane.indices, positions: lane.positions)
        guard rows > 0 else {
            lane.flow.network.zeroGradients()
            return
        }
        let input = lane.input.start, positions = UnsafePointer(lane.positions.baseAddress.unsafelyUnwrapped)
        data.gather(lane.indices.baseAddress.unsafelyUnwrapped, count: rows, offset: lane.offset, into: input)
        TrainingNoise.fill(lane.flow.noise(batch: rows).baseAddress.unsafelyUnwrapped, width: n, step: currentStep,
                           positions: positions, count: rows, seed: seed, purpose: TrainingNoise.flow)
        let times = lane.flow.times(batch: rows)
        for i in 0..<rows {
            var rng = TrainingNoise.rng(step: currentStep, row: Int(positions[i]), seed: seed, purpose: TrainingNoise.flowTime)
            times[i] = rng.uniformFloat()
        }
        lane.loss = lane.flow.step(UnsafeBufferPointer(start: input, count: rows * n), batch: rows)
    }
}
