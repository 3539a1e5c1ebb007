/// Autoencoder step: encoder → decoder → MSE against the input, Adam on both halves.
final class AutoencoderStep: BenchmarkStep {
    let batch: Int
    let encoder: MLP
    let decoder: MLP
    let encoderOptimizer: Adam
    let decoderOptimizer: Adam
    private let data: FloatStorage
    private let rows = 4096
    private var cursor = 0

    init(encoderWidths: [Int], batch: Int, seed: UInt64) throws {
        self.batch = batch
        let leaky = Activation.leakyReLU(0.2)
        let hidden = Array(repeating: leaky, count: encoderWidths.count - 2) + [.linear]
        encoder = try MLP(widths: encoderWidths, activations: hidden, maxBatch: batch, seed: seed)
        decoder = try MLP(widths: encoderWidths.reversed(), activations: hidden, maxBatch: batch, seed: seed + 1)
        encoderOptimizer = Adam(for: encoder)
        decoderOptimizer = Adam(for: decoder)
        data = FloatStorage(count: rows * encoderWidths[0])
        var rng = Philox(seed: seed, stream: 98)
        rng.fillNormal(data.buffer)
    }

    var samplesPerStep: Int { batch }

    var gemms: [GemmCall] {
        encoder.forwardGemms(batch: batch) + decoder.forwardGemms(batch: batch)
            + decoder.backwardGemms(batch: batch, mode: .overwrite, inputGradient: true)
            + encoder.backwardGemms(batch: batch, mode: .overwrite, inputGradient: false)
    }

    var sweeps: [SweepCall] {
        encoder.forwardSweeps(batch: batch) + decoder.forwardSweeps(batch: batch)
            + decoder.backwardSweeps(batch: batch, mode: .overwrite, inputGradient: true)
            + encoder.backwardSweeps(batch: batch, mode: .overwrite, inputGradient: false)
    }

    var optimizedParameterCounts: [Int] { [decoder.parameterCount, encoder.parameterCount] }

    /// Returns the reconstruction loss.
    @discardableResult
    func step() -> Float {
        let n = encoder.inputWidth
        if cursor + batch > rows { cursor = 0 }
        let x = UnsafeBufferPointer(start: data.start + cursor * n, count: batch * n)
        cursor += batch
        let latent = encoder.forward(x, batch: batch)
        let reconstruction = decoder.forward(UnsafeBufferPointer(latent), batch: batch)
        let loss = Loss.meanSquaredError(prediction: UnsafeBufferPointer(reconstruction), target: x,
                                         batch: batch, features: n, gradient: decoder.outputGradient)
        decoder.backward(batch: batch, parameterGradients: .overwrite, inputGradient: true)
        encoder.backward(UnsafeBufferPointer(decoder.inputGradient(batch: batch)), batch: batch, parameterGradients: .overwrite)
        decoderOptimizer.step(decoder)
        encoderOptimizer.step(encoder)
        return loss
    }
}
