import Comm
import EventStore
import NN
import Support

/// A Gaussian VAE as the generator: trained data-parallel on the global batch of B real rows
/// (reconstruction + KL), sampled by decoding standard normal draws.
public final class VAETrainer: GeneratorTrainer {
    public let vae: VAE
    public let encoderOptimizer: Optimizer
    public let decoderOptimizer: Optimizer
    private let data: EventTable
    private let plan: ShardedBatches
    private let comm: Communicator
    private let seed: UInt64
    private let input: FloatStorage
    private var indices: [Int32]
    private var totals = [Double](repeating: 0, count: 3)

    public var sampler: MLP { vae.decoder }
    public let noiseWidth: Int
    public var models: [TrainedModel] {
        [TrainedModel(name: "encoder", model: vae.encoder, optimizer: encoderOptimizer),
         TrainedModel(name: "decoder", model: vae.decoder, optimizer: decoderOptimizer)]
    }

    public init(_ s: GANSettings, data: GANData, seed: UInt64, comm: Communicator) throws {
        self.data = data.train
        self.comm = comm
        self.seed = seed
        noiseWidth = s.vaeLatent
        plan = ShardedBatches(total: data.trainTotal, shard: data.train.firstRow..<(data.train.firstRow + data.train.rows),
                              batch: min(s.batch, data.trainTotal), seed: seed)
        vae = try VAE(features: data.outputColumns.count, latent: s.vaeLatent, hidden: s.vaeWidths, slope: s.slope,
                      maxBatch: max(plan.batch, 1), seed: seed)
        vae.beta = Float(s.vaeBeta)
        try comm.broadcast(vae.encoder.parameters)
        try comm.broadcast(vae.decoder.parameters)
        encoderOptimizer = Self.makeOptimizer(s, for: vae.encoder)
        decoderOptimizer = Self.makeOptimizer(s, for: vae.decoder)
        input = FloatStorage(count: plan.batch * data.outputColumns.count)
        indices = [Int32](repeating: 0, count: plan.batch)
    }

    public var extraState: [(String, UnsafeMutableBufferPointer<Float>)] { [] }
    public func withSamplingWeights<T>(_ body: () throws -> T) rethrows -> T { try body() }

    public func step(_ step: Int) throws -> StepLosses {
        let n = indices.withUnsafeMutableBufferPointer { Self.gatherRows(data, plan: plan, step: step, indices: $0, into: input.start) }
        var rng = Philox(seed: seed, stream: UInt64(step), substream: UInt32(comm.rank))
        totals = [0, 0, StopSignal.received != 0 ? 1 : 0]
        if n > 0 {
            let losses = vae.step(UnsafeBufferPointer(input.view(0, n * data.width)), batch: n, noise: &rng,
                                  scale: Float(n) / Float(plan.batch))
            // Local sums over rows; summed over ranks and divided by B they are the global per-row means.
            totals[0] = losses.reconstruction / Double(plan.batch)
            totals[1] = losses.kl / Double(plan.batch)
        } else {
            vae.encoder.zeroGradients()
            vae.decoder.zeroGradients()
        }
        try comm.allreduce(vae.encoder.gradients, op: .sum)
        try comm.allreduce(vae.decoder.gradients, op: .sum)
        try comm.allreduce(&totals, op: .sum)
        encoderOptimizer.step(vae.encoder)
        decoderOptimizer.step(vae.decoder)
        return StepLosses(values: [("reconstruction", totals[0]), ("kl", totals[1])], stopRequested: totals[2] > 0)
    }
}
