import Support
/// The data-parallel GAN step. D phase: worker w generates its batch/(2T) fakes from its rows of
/// the serial step's noise, and runs D on its batch/(2T) real rows + those fakes. G phase: worker w
/// runs G and the frozen, updated D on its batch/T rows of the serial step's noise. After each
/// phase the workers sum the gradient buffers by parameter range and apply Adam with scale 1/T.
/// Each worker's loss is the mean over its own rows, so the result equals the serial step up to
/// the order of the sums inside the sgemm calls (the noise values are the serial ones, bit for bit).
extension GANStep: ParallelWork {
    enum Phase: Int { case discriminator, discriminatorUpdate, generator, generatorUpdate }

    func parallelStep() -> Float {
        let half = batch / 2, width = generator.inputWidth
        guard let pool else { preconditionFailure("parallel GAN step without a worker pool") }
        phaseNoise = rng
        rng.counter.0 &+= UInt32(truncatingIfNeeded: (half * width + 3) / 4)
        if cursor + half > realRows { cursor = 0 }
        realStart = cursor
        cursor += half
        pool.run(self, phase: Phase.discriminator.rawValue)
        pool.run(self, phase: Phase.discriminatorUpdate.rawValue)
        discriminatorOptimizer.finishStep()
        phaseNoise = rng
        rng.counter.0 &+= UInt32(truncatingIfNeeded: (batch * width + 3) / 4)
        pool.run(self, phase: Phase.generator.rawValue)
        pool.run(self, phase: Phase.generatorUpdate.rawValue)
        generatorOptimizer.finishStep()
        var loss: Float = 0
        for w in 0..<workers { loss += workerLosses.buffer[w] }
        return loss / Float(workers)
    }

    func work(worker: Int, phase: Int) {
        let scale = 1 / Float(workers)
        switch Phase(rawValue: phase) {
        case .discriminator: discriminatorPhase(worker: worker)
        case .discriminatorUpdate:
            discriminators.combine(worker: worker)
            discriminators.update(worker: worker, optimizer: discriminatorOptimizer, gradientScale: scale)
        case .generator: generatorPhase(worker: worker)
        case .generatorUpdate:
            generators.combine(worker: worker)
            generators.update(worker: worker, optimizer: generatorOptimizer, gradientScale: scale)
        case nil: preconditionFailure("unknown GAN phase \(phase)")
        }
    }

    /// Worker `worker`'s rows of the serial step's noise fill: Philox.fillNormal takes one block per
    /// 4 values from the counter, so starting `first` values later is starting first/4 blocks later.
    private func fillNoise(_ model: MLP, rows: Int, firstRow: Int) {
        let first = firstRow * model.inputWidth
        precondition(first % 4 == 0, "worker noise must start on a Philox block")
        var noise = phaseNoise
        noise.counter.0 &+= UInt32(truncatingIfNeeded: first / 4)
        noise.fillNormal(model.input(batch: rows))
    }

    private func discriminatorPhase(worker: Int) {
        let q = batch / (2 * workers), n = features
        let g = generators.models[worker], d = discriminators.models[worker]
        fillNoise(g, rows: q, firstRow: worker * q)
        let fake = g.forward(batch: q)
        let input = d.input.baseAddress.unsafelyUnwrapped
        input.update(from: real.start + (realStart + worker * q) * n, count: q * n)
        (input + q * n).update(from: fake.baseAddress.unsafelyUnwrapped, count: q * n)
        let logits = d.forward(batch: 2 * q)
        _ = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(workerLabels.buffer),
                                              count: 2 * q, gradient: d.outputGradient)
        d.backward(batch: 2 * q, parameterGradients: .overwrite)
    }

    private func generatorPhase(worker: Int) {
        let p = batch / workers
        let g = generators.models[worker], d = discriminators.models[worker]
        fillNoise(g, rows: p, firstRow: worker * p)
        let generated = g.forward(batch: p)
        let logits = d.forward(UnsafeBufferPointer(generated), batch: p)
        workerLosses.buffer[worker] = Loss.binaryCrossEntropyWithLogits(
            logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(ones.buffer), count: p, gradient: d.outputGradient)
        d.backward(batch: p, parameterGradients: .skip, inputGradient: true)
        g.backward(UnsafeBufferPointer(d.inputGradient(batch: p)), batch: p, parameterGradients: .overwrite)
    }
}
