import Comm
import EventStore
import NN
import Support

/// One in-process worker's own state; only that worker touches it during a phase.
final class GANLane {
    let plan: ShardedBatches
    /// Start of the worker's shard among the rank's training rows.
    let offset: Int
    /// The worker's rows of the generator update's B rows, and where they start in the rank's staged rows.
    let generatorRows: Range<Int>
    let stagedOffset: Int
    /// Local row index and global-batch position of each real row of the current critic update.
    let indices: UnsafeMutableBufferPointer<Int32>, positions: UnsafeMutableBufferPointer<Int32>
    /// BCE labels (real then fake), ones for the generator update, WGAN-GP's interpolated rows.
    let labels: FloatStorage, ones: FloatStorage, interpolated: FloatStorage
    let penalty: GradientPenalty?
    /// The worker's summed per-row loss of the last phase.
    var loss = 0.0

    init(plan: ShardedBatches, offset: Int, generatorRows: Range<Int>, stagedOffset: Int, width: Int, maxRows: Int,
         critic: MLP?) throws {
        self.plan = plan
        self.offset = offset
        self.generatorRows = generatorRows
        self.stagedOffset = stagedOffset
        indices = .allocate(capacity: plan.batch)
        positions = .allocate(capacity: plan.batch)
        labels = FloatStorage(count: 2 * maxRows)
        ones = FloatStorage(count: maxRows)
        ones.buffer.update(repeating: 1)
        interpolated = FloatStorage(count: critic == nil ? 0 : maxRows * width)
        penalty = try critic.map { try GradientPenalty(critic: $0, maxBatch: maxRows) }
    }

    deinit {
        indices.deallocate()
        positions.deallocate()
    }
}

extension GANTrainer: ParallelWork {
    enum Phase: Int { case discriminator, generatorForward, generatorBackward, average, pack }

    public func work(worker: Int, phase: Int) {
        switch Phase(rawValue: phase) {
        case .discriminator: discriminatorRows(worker)
        case .generatorForward: generatorForward(worker)
        case .generatorBackward: generatorBackward(worker)
        case .average: updateAverage(worker: worker)
        case .pack:
            let parts = lanes.count
            if packing.generator {
                packedGenerator?.repack(generator, part: worker, of: parts)
                transposedGenerator?.repack(generator, part: worker, of: parts)
            }
            if packing.discriminator {
                packedDiscriminator?.repack(discriminator, part: worker, of: parts)
                transposedDiscriminator?.repack(discriminator, part: worker, of: parts)
            }
        case nil: preconditionFailure("unknown GAN phase \(phase)")
        }
    }

    /// The worker's real rows of the current critic update, the generated row paired with each
    /// (noise of its batch position), D forward and backward into the worker's gradient buffer.
    private func discriminatorRows(_ w: Int) {
        let lane = lanes[w], g = generators.models[w], d = discriminators.models[w]
        let k = data.width
        lane.loss = 0
        let n = lane.plan.localRows(step: currentBatch, into: lane.indices, positions: lane.positions)
        guard n > 0 else { return d.zeroGradients() }
        let input = d.input.baseAddress.unsafelyUnwrapped
        data.gather(lane.indices.baseAddress.unsafelyUnwrapped, count: n, offset: lane.offset, into: input)
        let positions = UnsafePointer(lane.positions.baseAddress.unsafelyUnwrapped)
        TrainingNoise.fill(g.input(batch: n).baseAddress.unsafelyUnwrapped, width: s.noise, step: currentStep, positions: positions,
                           count: n, seed: seed, purpose: TrainingNoise.discriminator &+ UInt32(currentCritic))
        let fake = g.forward(batch: n, packed: packedGenerator).baseAddress.unsafelyUnwrapped
        (input + n * k).update(from: fake, count: n * k)
        let logits = d.forward(batch: 2 * n, packed: packedDiscriminator)
        let grad = d.outputGradient(batch: 2 * n)
        var sum = 0.0
        if let penalty = lane.penalty {
            // Critic difference D(fake) − D(real) per (real, fake) pair, then the penalty on x̂.
            for i in 0..<n { sum += Double(logits[n + i]) - Double(logits[i]); grad[i] = -1; grad[n + i] = 1 }
            d.backward(batch: 2 * n, parameterGradients: .overwrite, transposed: transposedDiscriminator)
            let x = lane.interpolated.start
            for i in 0..<n {
                var rng = TrainingNoise.rng(step: currentStep, row: Int(positions[i]), seed: seed,
                                            purpose: TrainingNoise.interpolation &+ UInt32(currentCritic))
                GradientPenalty.interpolate(real: UnsafeBufferPointer(start: input + i * k, count: k),
                                            fake: UnsafeBufferPointer(start: fake + i * k, count: k),
                                            into: UnsafeMutableBufferPointer(start: x + i * k, count: k), rows: 1, width: k, rng: &rng)
            }
            _ = d.forward(UnsafeBufferPointer(start: x, count: n * k), batch: n, packed: packedDiscriminator)
            sum += penalty.accumulate(batch: n, lambda: Float(s.gpLambda), scale: 1)
        } else {
            let l = lane.labels.start
            for i in 0..<n { l[i] = 1; l[n + i] = 0 }
            sum = Loss.binaryCrossEntropySum(logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(start: l, count: 2 * n),
                                             count: 2 * n, gradient: grad)
            d.backward(batch: 2 * n, parameterGradients: .overwrite, transposed: transposedDiscriminator)
        }
        lane.loss = sum
    }

    /// The worker's generated rows through G and the updated D, D's input gradient; with
    /// regression terms the rows are also staged for the calling thread.
    private func generatorForward(_ w: Int) {
        let lane = lanes[w], g = generators.models[w], d = discriminators.models[w]
        let m = lane.generatorRows.count
        lane.loss = 0
        guard m > 0 else { return }
        TrainingNoise.fill(g.input(batch: m), width: s.noise, step: currentStep, rows: lane.generatorRows, seed: seed,
                           purpose: TrainingNoise.generator)
        let out = g.forward(batch: m, packed: packedGenerator)
        let logits = d.forward(UnsafeBufferPointer(out), batch: m, packed: packedDiscriminator)
        let grad = d.outputGradient(batch: m)
        var sum = 0.0
        if wasserstein {
            for i in 0..<m { sum -= Double(logits[i]); grad[i] = -1 }
        } else {
            sum = Loss.binaryCrossEntropySum(logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(lane.ones.view(0, m)),
                                             count: m, gradient: grad)
        }
        d.backward(batch: m, parameterGradients: .skip, inputGradient: true, transposed: transposedDiscriminator)
        if regression != nil {
            (staged.start + lane.stagedOffset * data.width).update(from: out.baseAddress.unsafelyUnwrapped, count: m * data.width)
        }
        lane.loss = sum
    }

    /// G backward from D's input gradient plus, with regression terms, B × their gradient (the
    /// terms are a function of the batch moments, not a per-row sum; `GradientRule` divides by B).
    private func generatorBackward(_ w: Int) {
        let lane = lanes[w], g = generators.models[w], d = discriminators.models[w]
        let m = lane.generatorRows.count
        guard m > 0 else { return g.zeroGradients() }
        let gradient = d.inputGradient(batch: m)
        if regression != nil {
            let terms = stagedGradient.start + lane.stagedOffset * data.width, rows = Float(generatorTotal)
            for i in 0..<(m * data.width) { gradient[i] += rows * terms[i] }
        }
        g.backward(UnsafeBufferPointer(gradient), batch: m, parameterGradients: .overwrite, transposed: transposedGenerator)
    }
}
