import Support
/// The data-parallel autoencoder step: worker w takes rows [w·B/T, (w+1)·B/T) of the batch, runs
/// them through its encoder and decoder replicas with the mean loss over its own rows, then the
/// workers sum the gradient buffers by parameter range and apply Adam with scale 1/T: the mean of
/// the T block means, i.e. the batch mean (up to the order of the sums inside the sgemm calls).
extension AutoencoderStep: ParallelWork {
    enum Phase: Int { case forwardBackward, update }

    func parallelStep() -> Float {
        if cursor + batch > rows { cursor = 0 }
        stepStart = cursor
        cursor += batch
        pool.unsafelyUnwrapped.run(self, phase: Phase.forwardBackward.rawValue)
        pool.unsafelyUnwrapped.run(self, phase: Phase.update.rawValue)
        decoderOptimizer.finishStep()
        encoderOptimizer.finishStep()
        var loss: Float = 0
        for w in 0..<workers { loss += workerLosses.buffer[w] }
        return loss / Float(workers)
    }

    func work(worker: Int, phase: Int) {
        switch Phase(rawValue: phase) {
        case .forwardBackward: forwardBackward(worker: worker)
        case .update:
            let scale = 1 / Float(workers)
            decoders.combine(worker: worker)
            decoders.update(worker: worker, optimizer: decoderOptimizer, gradientScale: scale)
            encoders.combine(worker: worker)
            encoders.update(worker: worker, optimizer: encoderOptimizer, gradientScale: scale)
        case nil: preconditionFailure("unknown autoencoder phase \(phase)")
        }
    }

    private func forwardBackward(worker: Int) {
        let n = encoder.inputWidth, b = batch / workers
        let encoder = encoders.models[worker], decoder = decoders.models[worker]
        let x = UnsafeBufferPointer(start: data.start + (stepStart + worker * b) * n, count: b * n)
        let latent = encoder.forward(x, batch: b)
        let reconstruction = decoder.forward(UnsafeBufferPointer(latent), batch: b)
        workerLosses.buffer[worker] = Loss.meanSquaredError(prediction: UnsafeBufferPointer(reconstruction), target: x,
                                                            batch: b, features: n, gradient: decoder.outputGradient)
        decoder.backward(batch: b, parameterGradients: .overwrite, inputGradient: true)
        encoder.backward(UnsafeBufferPointer(decoder.inputGradient(batch: b)), batch: b, parameterGradients: .overwrite)
    }
}
