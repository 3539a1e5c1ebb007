import CBLAS
import Comm
import EventStore
import NN
import Support

/// The DY-GAN training step, data-parallel inside a restart's group: the global batch is B/2 real
/// rows (each rank its share of the shuffled batch) and as many generated rows (each rank as many
/// as it has real ones), discriminator first, then the generator through the updated
/// discriminator on B noise rows, plus the regression terms. Gradients are normalised by the
/// global counts, summed with one allreduce per model, and every rank applies the same update.
/// WGAN-GP replaces the BCE losses by the critic difference plus λ·(‖∇D‖ − 1)² and runs
/// `criticSteps` critic updates per generator update. Buffers are allocated once.
public final class GANTrainer: GeneratorTrainer {
    public let generator: MLP
    public let discriminator: MLP
    public let generatorOptimizer: Optimizer
    public let discriminatorOptimizer: Optimizer
    private let s: GANSettings
    private let data: EventTable
    private let plan: ShardedBatches
    private let comm: Communicator
    private let seed: UInt64
    private let regression: RegressionPath?
    private let penalty: GradientPenalty?
    private let generatorRows: Int
    private var indices: [Int32]
    private let labels: FloatStorage, ones: FloatStorage, interpolated: FloatStorage
    private var totals = [Double](repeating: 0, count: 4)
    /// Exponential moving average of the generator's weights (nil when `ema` = 0) and a spare for swapping.
    private let average: FloatStorage?, spare: FloatStorage
    private var updates = 0

    public var sampler: MLP { generator }
    public var noiseWidth: Int { s.noise }
    public var models: [TrainedModel] {
        [TrainedModel(name: "generator", model: generator, optimizer: generatorOptimizer),
         TrainedModel(name: "discriminator", model: discriminator, optimizer: discriminatorOptimizer)]
    }

    public init(_ s: GANSettings, data: GANData, seed: UInt64, comm: Communicator) throws {
        self.s = s
        self.data = data.train
        self.comm = comm
        self.seed = seed
        let half = s.batch / 2
        plan = ShardedBatches(total: data.trainTotal, shard: data.train.firstRow..<(data.train.firstRow + data.train.rows),
                              batch: min(half, data.trainTotal), seed: seed)
        generatorRows = Communicator.share(of: s.batch, rank: comm.rank, size: comm.size).count
        let maxRows = max(plan.batch, generatorRows)
        let n = data.outputColumns.count
        let leaky = Activation.leakyReLU(s.slope)
        let g = [s.noise] + s.generatorWidths + [n], d = [n] + s.discriminatorWidths + [1]
        generator = try MLP(widths: g, activations: Array(repeating: leaky, count: g.count - 2) + [.linear],
                            maxBatch: maxRows, seed: seed)
        discriminator = try MLP(widths: d, activations: Array(repeating: leaky, count: d.count - 2) + [.linear],
                                maxBatch: 2 * maxRows, seed: seed &+ 0x44)
        try comm.broadcast(generator.parameters)
        try comm.broadcast(discriminator.parameters)
        generatorOptimizer = Self.makeOptimizer(s, for: generator)
        discriminatorOptimizer = Self.makeOptimizer(s, for: discriminator)
        regression = s.model == .gan || s.model == .wganGP ? try RegressionPath(s, data: data, maxRows: generatorRows, comm: comm) : nil
        penalty = s.model == .wganGP ? try GradientPenalty(critic: discriminator, maxBatch: 2 * maxRows) : nil
        indices = [Int32](repeating: 0, count: plan.batch)
        labels = FloatStorage(count: 2 * maxRows)
        ones = FloatStorage(count: maxRows)
        ones.buffer.update(repeating: 1)
        interpolated = FloatStorage(count: maxRows * n)
        average = s.ema > 0 ? FloatStorage(count: generator.parameterCount) : nil
        spare = FloatStorage(count: average == nil ? 0 : generator.parameterCount)
        if let average { _ = average.buffer.update(fromContentsOf: generator.parameters) }
    }

    public var extraState: [(String, UnsafeMutableBufferPointer<Float>)] { average.map { [("generator_ema", $0.buffer)] } ?? [] }

    /// Snapshots sample from the averaged weights: they move less between snapshots than the raw
    /// weights of an oscillating GAN (Polyak averaging; Yazıcı et al., arXiv:1806.04498).
    public func withSamplingWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard let average else { return try body() }
        _ = spare.buffer.update(fromContentsOf: generator.parameters)
        _ = generator.parameters.update(fromContentsOf: average.buffer)
        defer { _ = generator.parameters.update(fromContentsOf: spare.buffer) }
        return try body()
    }

    /// ema ← d·ema + (1 − d)·θ with d = min(ema, (1 + t)/(10 + t)): a pure function of the step, so
    /// a resumed run averages exactly as an uninterrupted one.
    private func updateAverage(step: Int) {
        guard let average else { return }
        let t = Float(step)
        let d = min(Float(s.ema), (1 + t) / (10 + t))
        cblas_sscal(Int32(average.buffer.count), d, average.start, 1)
        cblas_saxpy(Int32(average.buffer.count), 1 - d, generator.parameters.baseAddress, 1, average.start, 1)
    }

    /// Noise stream of (step, phase) on this rank: stateless, so a resumed run draws the same numbers.
    private func noise(_ step: Int, phase: UInt32) -> Philox {
        Philox(seed: seed, stream: UInt64(step), substream: UInt32(comm.rank) &* 16 &+ phase)
    }

    public func step(_ step: Int) throws -> StepLosses {
        var dLoss = 0.0
        let critic = s.model == .wganGP ? s.criticSteps : 1
        for c in 0..<critic { dLoss += try discriminatorStep(batchIndex: step * critic + c, step: step, phase: UInt32(c)) }
        let (gLoss, reg) = try generatorStep(step)
        updateAverage(step: step)
        totals[0] = dLoss / Double(critic)
        totals[1] = gLoss
        totals[2] = StopSignal.received != 0 ? 1 : 0
        totals[3] = 0
        try comm.allreduce(&totals, op: .sum)
        return StepLosses(values: [("d_loss", totals[0]), ("g_loss", totals[1]), ("regression", reg)],
                          stopRequested: totals[2] > 0)
    }

    /// One discriminator (critic) update; returns this rank's share of the global loss.
    private func discriminatorStep(batchIndex: Int, step: Int, phase: UInt32) throws -> Double {
        let k = data.width, half = plan.batch
        let input = discriminator.input.baseAddress.unsafelyUnwrapped
        let n = indices.withUnsafeMutableBufferPointer { Self.gatherRows(data, plan: plan, step: batchIndex, indices: $0, into: input) }
        guard n > 0 else {
            discriminator.zeroGradients()
            try comm.allreduce(discriminator.gradients, op: .sum)
            discriminatorOptimizer.step(discriminator)
            return 0
        }
        var rng = noise(step, phase: phase)
        rng.fillNormal(generator.input(batch: n))
        let fake = generator.forward(batch: n)
        (input + n * k).update(from: fake.baseAddress.unsafelyUnwrapped, count: n * k)
        let logits = discriminator.forward(batch: 2 * n)
        let grad = discriminator.outputGradient(batch: 2 * n)
        var local: Double
        if let penalty {
            // Critic loss mean(D(fake)) − mean(D(real)) over the global B/2 + B/2 rows.
            var sum = 0.0
            for i in 0..<n { sum += Double(logits[n + i]) - Double(logits[i]); grad[i] = -1 / Float(half); grad[n + i] = 1 / Float(half) }
            discriminator.backward(batch: 2 * n, parameterGradients: .overwrite)
            local = sum / Double(half)
            GradientPenalty.interpolate(real: UnsafeBufferPointer(start: input, count: n * k),
                                        fake: UnsafeBufferPointer(start: fake.baseAddress, count: n * k),
                                        into: interpolated.view(0, n * k), rows: n, width: k, rng: &rng)
            _ = discriminator.forward(UnsafeBufferPointer(interpolated.view(0, n * k)), batch: n)
            local += penalty.accumulate(batch: n, lambda: Float(s.gpLambda), scale: 1 / Float(half)) / Double(half)
        } else {
            let l = labels.buffer
            for i in 0..<n { l[i] = 1; l[n + i] = 0 }
            let mean = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(l),
                                                         count: 2 * n, gradient: grad)
            // The mean runs over this rank's 2n rows; rescale to the global 2·(B/2) rows.
            cblas_sscal(Int32(2 * n), Float(n) / Float(half), grad.baseAddress, 1)
            discriminator.backward(batch: 2 * n, parameterGradients: .overwrite)
            local = Double(mean) * Double(n) / Double(half)
        }
        try comm.allreduce(discriminator.gradients, op: .sum)
        discriminatorOptimizer.step(discriminator)
        return local
    }

    /// The generator update through the updated discriminator; returns (this rank's share of the
    /// adversarial loss, the regression terms' global value).
    private func generatorStep(_ step: Int) throws -> (Double, Double) {
        let g = generatorRows, total = s.batch
        var rng = noise(step, phase: 15)
        rng.fillNormal(generator.input(batch: g))
        let out = generator.forward(batch: g)
        let logits = discriminator.forward(UnsafeBufferPointer(out), batch: g)
        let grad = discriminator.outputGradient(batch: g)
        var local: Double
        if penalty != nil {
            var sum = 0.0
            for i in 0..<g { sum -= Double(logits[i]); grad[i] = -1 / Float(total) }
            local = sum / Double(total)
        } else {
            let mean = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(ones.buffer),
                                                         count: g, gradient: grad)
            cblas_sscal(Int32(g), Float(g) / Float(total), grad.baseAddress, 1)
            local = Double(mean) * Double(g) / Double(total)
        }
        discriminator.backward(batch: g, parameterGradients: .skip, inputGradient: true)
        let outGrad = discriminator.inputGradient(batch: g)
        let reg = try regression?.apply(output: UnsafeBufferPointer(out), rows: g, comm: comm, addingTo: outGrad) ?? 0
        generator.backward(UnsafeBufferPointer(outGrad), batch: g, parameterGradients: .overwrite)
        try comm.allreduce(generator.gradients, op: .sum)
        generatorOptimizer.step(generator)
        return (local, reg)
    }
}
