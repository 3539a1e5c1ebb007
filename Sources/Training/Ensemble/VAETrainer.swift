import Comm
import EventStore
import NN
import Support

/// A Gaussian VAE as the generator: trained data-parallel on the global batch of B real rows
/// (reconstruction + KL), sampled by decoding standard normal draws. Like the GAN: batch
/// membership from the shared seed, each row's ε from its own stream (seed, step, batch position),
/// per-row gradient sums combined over T workers and the ranks and scaled once by 1/B
/// (`GradientRule`), so 1, 2 or 3 ranks (or T workers) train the same path up to float order.
public final class VAETrainer: GeneratorTrainer {
    public let vae: VAE
    public let encoderOptimizer: Optimizer
    public let decoderOptimizer: Optimizer
    private let data: EventTable
    private let comm: Communicator
    private let seed: UInt64
    private let batch: Int
    private let lanes: [Lane]
    private let rule: GradientRule
    private var currentStep = 0
    private var totals = [Double](repeating: 0, count: 3)
    private var losses = StepLosses(values: [("reconstruction", 0), ("kl", 0)], stopRequested: false)

    /// The decoder as a one-pass sampler of `vae_latent` noise values.
    public let sampler: Sampler
    public var models: [TrainedModel] {
        [TrainedModel(name: "encoder", model: vae.encoder, optimizer: encoderOptimizer),
         TrainedModel(name: "decoder", model: vae.decoder, optimizer: decoderOptimizer)]
    }

    /// One worker's VAE on its replicas, its shard and its rows of the current step.
    final class Lane: RowLane {
        let vae: VAE
        var reconstruction = 0.0, kl = 0.0

        init(vae: VAE, plan: ShardedBatches, offset: Int) {
            self.vae = vae
            super.init(plan: plan, offset: offset, width: vae.features)
        }
    }

    public init(_ s: GANSettings, data: GANData, seed: UInt64, comm: Communicator) throws {
        self.data = data.train
        self.comm = comm
        self.seed = seed
        batch = min(s.batch, data.trainTotal)
        vae = try VAE(features: data.outputColumns.count, latent: s.vaeLatent, hidden: s.vaeWidths, slope: s.slope,
                      maxBatch: max(batch, 1), seed: seed)
        vae.beta = Float(s.vaeBeta)
        try comm.broadcast(vae.encoder.parameters)
        try comm.broadcast(vae.decoder.parameters)
        sampler = try Sampler(network: vae.decoder)
        encoderOptimizer = Self.makeOptimizer(s, for: vae.encoder)
        decoderOptimizer = Self.makeOptimizer(s, for: vae.decoder)
        let own = data.train.firstRow..<(data.train.firstRow + data.train.rows)
        let shards = s.threads > 1 ? data.prepared.trainShards(parts: s.threads) : [own]
        let encoders = try ModelReplicas(vae.encoder, workers: shards.count, maxBatch: vae.maxBatch)
        let decoders = try ModelReplicas(vae.decoder, workers: shards.count, maxBatch: vae.maxBatch)
        let primary = vae, rows = batch
        lanes = try shards.enumerated().map { w, shard in
            let replica = w == 0 ? primary : try VAE(encoder: encoders.models[w], decoder: decoders.models[w], maxBatch: primary.maxBatch)
            replica.beta = primary.beta
            return Lane(vae: replica, plan: ShardedBatches(total: data.trainTotal, shard: shard, batch: rows, seed: seed),
                        offset: shard.lowerBound - data.train.firstRow)
        }
        rule = GradientRule(models: [encoders, decoders], optimizers: [encoderOptimizer, decoderOptimizer],
                            pool: try WorkerPool(count: shards.count), ranks: comm)
    }

    public var lossNames: [String] { losses.values.map(\.0) }
    public var extraState: [(String, UnsafeMutableBufferPointer<Float>)] { [] }
    public func withSamplingWeights<T>(_ body: () throws -> T) rethrows -> T { try body() }

    public func step(_ step: Int) throws -> StepLosses {
        currentStep = step
        rule.pool.run(self, phase: 0)
        totals[0] = 0
        totals[1] = 0
        for w in lanes.indices { totals[0] += lanes[w].reconstruction; totals[1] += lanes[w].kl }
        // Sums over rows; summed over ranks and divided by B they are the global per-row means.
        totals[0] /= Double(batch)
        totals[1] /= Double(batch)
        totals[2] = StopSignal.received != 0 ? 1 : 0
        try rule.step(model: 0, globalRows: batch)
        try rule.step(model: 1, globalRows: batch)
        try comm.allreduce(&totals, op: .sum)
        losses.values[0].1 = totals[0]
        losses.values[1].1 = totals[1]
        losses.stopRequested = totals[2] > 0
        return losses
    }
}

extension VAETrainer: ParallelWork {
    /// Worker w's rows of the step: gather, ε by batch position, forward and backward (per-row sums).
    public func work(worker: Int, phase: Int) {
        let lane = lanes[worker], k = data.width
        lane.reconstruction = 0
        lane.kl = 0
        let n = lane.plan.localRows(step: currentStep, into: lane.indices, positions: lane.positions)
        guard n > 0 else {
            lane.vae.encoder.zeroGradients()
            lane.vae.decoder.zeroGradients()
            return
        }
        let input = lane.input.start
        data.gather(lane.indices.baseAddress.unsafelyUnwrapped, count: n, offset: lane.offset, into: input)
        TrainingNoise.fill(lane.vae.epsilon(batch: n).baseAddress.unsafelyUnwrapped, width: lane.vae.latent, step: currentStep,
                           positions: UnsafePointer(lane.positions.baseAddress.unsafelyUnwrapped), count: n, seed: seed,
                           purpose: TrainingNoise.vae)
        let sums = lane.vae.step(UnsafeBufferPointer(start: input, count: n * k), batch: n, scale: Float(n))
        lane.reconstruction = sums.reconstruction
        lane.kl = sums.kl
    }
}
