import Support
/// The autoencoder step's row blocks: worker w takes rows [w·B/T, (w+1)·B/T) of the batch, runs
/// them through its encoder and decoder replicas with per-row loss gradients (`GradientRule`:
/// the update sums the workers' buffers by parameter range and scales once by 1/B), i.e. the
/// batch mean up to the order of the sums inside the sgemm calls.
extension AutoencoderStep: ParallelWork {
    func work(worker: Int, phase: Int) {
        let n = encoder.inputWidth, b = batch / workers
        let encoder = encoders.models[worker], decoder = decoders.models[worker]
        let x = UnsafeBufferPointer(start: data.start + (stepStart + worker * b) * n, count: b * n)
        let latent = encoder.forward(x, batch: b)
        let reconstruction = decoder.forward(UnsafeBufferPointer(latent), batch: b)
        // The worker's Σ (x̂ − x)², kept as a Float (the losses buffer is the per-worker slot).
        workerLosses.buffer[worker] = Float(Loss.rowMeanSquaredError(prediction: UnsafeBufferPointer(reconstruction), target: x,
                                                                     batch: b, features: n, gradient: decoder.outputGradient))
        decoder.backward(batch: b, parameterGradients: .overwrite, inputGradient: true)
        encoder.backward(UnsafeBufferPointer(decoder.inputGradient(batch: b)), batch: b, parameterGradients: .overwrite)
    }
}
