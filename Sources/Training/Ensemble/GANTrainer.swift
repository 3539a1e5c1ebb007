import CBLAS
import Comm
import EventStore
import NN
import Support

/// The DY-GAN training step, data-parallel over the ranks of a restart's group and over T
/// in-process workers per rank, independent of both counts up to the order of float sums:
///
/// - critic update c of step t takes global batch t·C + c of B/2 real rows (`ShardedBatches`:
///   drawn from the shared seed; each worker trains the members in its own shard of the rows);
///   the generated row paired with the real row at batch position j comes from noise stream
///   (seed, t, j) (`TrainingNoise`), so it is the same row whichever worker owns position j;
/// - the generator update runs the B noise rows (seed, t, j) through the updated discriminator,
///   rows split in contiguous shares over the ranks × workers, plus the regression terms;
/// - every loss writes the gradient of its rows' sum; `GradientRule` sums over workers and ranks
///   and scales once by 1 / (global rows): 2·(B/2) for BCE, B/2 (real, fake pairs) for WGAN-GP's
///   critic difference and penalty, B for the generator.
///
/// WGAN-GP replaces the BCE losses by the critic difference plus λ·(‖∇D‖ − 1)² and runs
/// `criticSteps` critic updates per generator update. Worker w acts as rank r·T + w of a run on
/// R·T ranks (`GANTrainer+Workers.swift`). Buffers are allocated once.
///
/// Where the CPU runs `DenseKernel`, every forward pass runs through it (bias and activation fused)
/// on weights repacked after each update (`PackedWeights+Training.swift`), and so does every
/// backward input-gradient product dX = dZ·Wᵀ, on packed Wᵀ (`TransposedWeights`); the weight
/// gradients xᵀ·dZ stay on OpenBLAS. Those values are the kernel twin's (`DenseKernel.reference`),
/// so they do not depend on the rows' split either.
public final class GANTrainer: GeneratorTrainer {
    public let generator: MLP
    public let discriminator: MLP
    public let generatorOptimizer: Optimizer
    public let discriminatorOptimizer: Optimizer
    let s: GANSettings
    let data: EventTable
    let comm: Communicator
    let seed: UInt64
    let regression: RegressionPath?
    let wasserstein: Bool
    /// Real rows of one critic update and generated rows of one generator update, over the group.
    public let half: Int, generatorTotal: Int
    let lanes: [GANLane]
    let generators: ModelReplicas, discriminators: ModelReplicas
    /// The networks' current weights packed for the forward passes (nil: OpenBLAS); shared by the workers.
    let packedGenerator: PackedWeights?, packedDiscriminator: PackedWeights?
    /// Their transposed weights packed for the backward passes' input-gradient products (nil: OpenBLAS).
    let transposedGenerator: TransposedWeights?, transposedDiscriminator: TransposedWeights?
    /// Which networks the next `Phase.pack` repacks.
    var packing: (generator: Bool, discriminator: Bool) = (false, false)
    /// D's `parameterRevision` when its packed copies were last made from its current weights, or nil
    /// once an update has changed them: D does not change between the repack before a generator
    /// update and the next step's first critic update, so that step reuses the copies unless the
    /// weights were restored in between.
    var discriminatorPackedAt: Int?
    let rule: GradientRule
    /// With regression terms: this rank's generated rows gathered from its workers, and the terms' gradient on them.
    let staged: FloatStorage, stagedGradient: FloatStorage
    let stagedRows: Int
    /// The running phase, set by the calling thread before the workers start.
    var currentStep = 0, currentBatch = 0, currentCritic = 0
    /// Allreduced per step: losses and the stop flag (a raw buffer: array element writes through a
    /// class property cost a heap-allocated accessor frame per write in debug builds).
    private let totals = UnsafeMutableBufferPointer<Double>.allocate(capacity: 4)
    /// d_loss, g_loss, regression, and mmd when the MMD term is on.
    private var losses: StepLosses
    /// Exponential moving average of the generator's weights (nil when `ema` = 0) and a spare for swapping.
    private let average: FloatStorage?, spare: FloatStorage

    /// The generator as a one-pass sampler.
    public let sampler: Sampler
    public var models: [TrainedModel] {
        [TrainedModel(name: "generator", model: generator, optimizer: generatorOptimizer),
         TrainedModel(name: "discriminator", model: discriminator, optimizer: discriminatorOptimizer)]
    }

    /// A restart on `data` with `s.threads` workers per rank (their shards from `PreparedData.trainShards`).
    public convenience init(_ s: GANSettings, data: GANData, seed: UInt64, comm: Communicator) throws {
        let own = data.train.firstRow..<(data.train.firstRow + data.train.rows)
        let shards = s.threads > 1 ? data.prepared.trainShards(parts: s.threads) : [own]
        let rows = (0..<shards.count).reduce(0) {
            $0 + GANTrainer.generatorRows(batch: s.batch, rank: comm.rank, ranks: comm.size, worker: $1, workers: shards.count).count
        }
        let regression = s.model == .gan || s.model == .wganGP
            ? try RegressionPath(s, data: data, maxRows: rows, seed: seed, comm: comm) : nil
        try self.init(s, train: data.train, trainTotal: data.trainTotal, workerShards: shards, regression: regression, seed: seed,
                      comm: comm)
    }

    /// `train`: this rank's rows (global rows train.firstRow…); `workerShards`: each worker's global row range inside them.
    public init(_ s: GANSettings, train: EventTable, trainTotal: Int, workerShards: [Range<Int>], regression: RegressionPath?,
                seed: UInt64, comm: Communicator) throws {
        self.s = s
        data = train
        self.comm = comm
        self.seed = seed
        self.regression = regression
        losses = StepLosses(values: [("d_loss", 0), ("g_loss", 0), ("regression", 0)] + (!s.mmdActive ? [] : [("mmd", 0)]),
                            stopRequested: false)
        wasserstein = s.model == .wganGP
        let workers = workerShards.count
        half = min(s.batch / 2, trainTotal)
        generatorTotal = s.batch
        let generatorRanges = (0..<workers).map {
            GANTrainer.generatorRows(batch: s.batch, rank: comm.rank, ranks: comm.size, worker: $0, workers: workers)
        }
        let maxRows = max(half, generatorRanges.map(\.count).max() ?? 0)
        let n = train.width
        let leaky = Activation.leakyReLU(s.slope)
        let g = [s.noise] + s.generatorWidths + [n], d = [n] + s.discriminatorWidths + [1]
        generator = try MLP(widths: g, activations: Array(repeating: leaky, count: g.count - 2) + [.linear],
                            maxBatch: maxRows, seed: seed)
        discriminator = try MLP(widths: d, activations: Array(repeating: leaky, count: d.count - 2) + [.linear],
                                maxBatch: 2 * maxRows, seed: seed &+ 0x44)
        try comm.broadcast(generator.parameters)
        try comm.broadcast(discriminator.parameters)
        sampler = try Sampler(network: generator)
        generatorOptimizer = Self.makeOptimizer(s, for: generator)
        discriminatorOptimizer = Self.makeOptimizer(s, for: discriminator)
        packedGenerator = PackedWeights.forTraining(generator)
        packedDiscriminator = PackedWeights.forTraining(discriminator)
        transposedGenerator = TransposedWeights(generator, parts: workers)
        transposedDiscriminator = TransposedWeights(discriminator, parts: workers)
        discriminatorPackedAt = discriminator.parameterRevision
        generators = try ModelReplicas(generator, workers: workers, maxBatch: maxRows)
        discriminators = try ModelReplicas(discriminator, workers: workers, maxBatch: 2 * maxRows)
        rule = GradientRule(models: [discriminators, generators], optimizers: [discriminatorOptimizer, generatorOptimizer],
                            pool: try WorkerPool(count: workers), ranks: comm)
        var offset = 0
        var lanes: [GANLane] = []
        for w in 0..<workers {
            let plan = ShardedBatches(total: trainTotal, shard: workerShards[w], batch: half, seed: seed)
            lanes.append(try GANLane(plan: plan, offset: workerShards[w].lowerBound - train.firstRow,
                                     generatorRows: generatorRanges[w], stagedOffset: offset, width: n, maxRows: maxRows,
                                     critic: s.model == .wganGP ? discriminators.models[w] : nil))
            offset += generatorRanges[w].count
        }
        self.lanes = lanes
        stagedRows = offset
        staged = FloatStorage(count: regression == nil ? 0 : offset * n)
        stagedGradient = FloatStorage(count: regression == nil ? 0 : offset * n)
        average = s.ema > 0 ? FloatStorage(count: generator.parameterCount) : nil
        spare = FloatStorage(count: average == nil ? 0 : generator.parameterCount)
        if let average { _ = average.buffer.update(fromContentsOf: generator.parameters) }
    }

    deinit { totals.deallocate() }

    /// Generated rows of worker `worker` on rank `rank`: its contiguous share of the B rows as rank
    /// rank·T + worker of R·T ranks.
    public static func generatorRows(batch: Int, rank: Int, ranks: Int, worker: Int, workers: Int) -> Range<Int> {
        Communicator.share(of: batch, rank: rank * workers + worker, size: ranks * workers)
    }

    public var lossNames: [String] { losses.values.map(\.0) }
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
    /// Elementwise, so the workers split it by range.
    private func updateAverage(step: Int) {
        guard average != nil else { return }
        currentStep = step
        rule.pool.run(self, phase: Phase.average.rawValue)
    }

    /// Worker `worker`'s range of the average's update.
    func updateAverage(worker: Int) {
        guard let average else { return }
        let t = Float(currentStep)
        let d = min(Float(s.ema), (1 + t) / (10 + t))
        // Ranges cut at multiples of 16 floats: every range but the last has no kernel tail, and the
        // last one's tail is the whole buffer's, so the split is bitwise the single update.
        let count = average.buffer.count, lines = (count + 15) / 16, workers = lanes.count
        let range = min(count, 16 * (worker * lines / workers))..<min(count, 16 * ((worker + 1) * lines / workers))
        guard !range.isEmpty, let parameters = generator.parameters.baseAddress else { return }
        cblas_sscal(Int32(range.count), d, average.start + range.lowerBound, 1)
        cblas_saxpy(Int32(range.count), 1 - d, parameters + range.lowerBound, 1, average.start + range.lowerBound, 1)
    }

    /// Packs the networks' current weights for the forward passes, split over the workers.
    private func repack(generator: Bool, discriminator: Bool) {
        guard packedGenerator != nil, generator || discriminator else { return }
        packing = (generator, discriminator)
        rule.pool.run(self, phase: Phase.pack.rawValue)
    }

    /// One step; allocation-free once the losses returned by the previous step are released.
    public func step(_ step: Int) throws -> StepLosses {
        var dLoss = 0.0
        let critic = wasserstein ? s.criticSteps : 1
        for c in 0..<critic {
            // G's weights last changed at the end of the previous step; D's at the previous critic
            // update, or (c = 0) before the previous step's generator update, when it was repacked.
            repack(generator: c == 0, discriminator: discriminatorPackedAt != discriminator.parameterRevision)
            discriminatorPackedAt = nil
            dLoss += try discriminatorStep(step: step, critic: c, batchIndex: step * critic + c)
        }
        repack(generator: false, discriminator: true)
        discriminatorPackedAt = discriminator.parameterRevision
        let (gLoss, reg, mmd) = try generatorStep(step)
        updateAverage(step: step)
        totals[0] = dLoss / Double(critic)
        totals[1] = gLoss
        totals[2] = StopSignal.received != 0 ? 1 : 0
        totals[3] = 0
        try comm.allreduce(totals, op: .sum)
        let totals = self.totals
        losses.values.withUnsafeMutableBufferPointer { v in
            v[0].1 = totals[0]
            v[1].1 = totals[1]
            v[2].1 = reg
            if v.count > 3 { v[3].1 = mmd }
        }
        losses.stopRequested = totals[2] > 0
        return losses
    }

    /// One discriminator (critic) update; returns this rank's share of the global loss.
    private func discriminatorStep(step: Int, critic: Int, batchIndex: Int) throws -> Double {
        currentStep = step
        currentCritic = critic
        currentBatch = batchIndex
        rule.pool.run(self, phase: Phase.discriminator.rawValue)
        var sum = 0.0
        for w in lanes.indices { sum += lanes[w].loss }
        let rows = wasserstein ? half : 2 * half
        try rule.step(model: 0, globalRows: rows)
        return sum / Double(rows)
    }

    /// The generator update through the updated discriminator; returns (this rank's share of the
    /// adversarial loss, the regression terms' and the MMD term's global values).
    private func generatorStep(_ step: Int) throws -> (Double, Double, Double) {
        currentStep = step
        rule.pool.run(self, phase: Phase.generatorForward.rawValue)
        var reg = 0.0, mmd = 0.0
        if let regression {
            let count = stagedRows * data.width
            stagedGradient.view(0, count).update(repeating: 0)
            (reg, mmd) = try regression.apply(output: UnsafeBufferPointer(staged.view(0, count)), rows: stagedRows, step: step,
                                              comm: comm, addingTo: stagedGradient.view(0, count))
        }
        rule.pool.run(self, phase: Phase.generatorBackward.rawValue)
        var sum = 0.0
        for w in lanes.indices { sum += lanes[w].loss }
        try rule.step(model: 1, globalRows: generatorTotal)
        return (sum / Double(generatorTotal), reg, mmd)
    }
}
