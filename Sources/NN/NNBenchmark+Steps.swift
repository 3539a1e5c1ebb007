/// The training steps the benchmark times. Each allocates everything in `init`; `step()` is
/// allocation-free and is also what the zero-allocation test drives.
protocol BenchmarkStep: AnyObject {
    var batch: Int { get }
    /// Samples consumed per step.
    var samplesPerStep: Int { get }
    /// The sgemm calls of one step, in order.
    var gemms: [GemmCall] { get }
    @discardableResult func step() -> Float
}

/// DY-GAN step: D on `batch/2` real + `batch/2` generated rows (BCE, Adam), then G through
/// D on `batch` fresh noise rows (non-saturating BCE, D input gradients only, Adam on G).
final class GANStep: BenchmarkStep {
    static let generatorWidths = [64, 128, 256, 512, 256, 128]
    static let discriminatorWidths = [128, 128, 256, 256, 128, 64, 32, 16, 8, 1]

    let batch: Int
    let features: Int
    let generator: MLP
    let discriminator: MLP
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    private let real: FloatStorage
    private let realRows = 4096
    private let discriminatorLabels: FloatStorage
    private let ones: FloatStorage
    private var rng: Philox
    private var cursor = 0

    init(features: Int, batch: Int, seed: UInt64) throws {
        self.batch = batch
        self.features = features
        let leaky = Activation.leakyReLU(0.2)
        let g = GANStep.generatorWidths + [features]
        let d = [features] + GANStep.discriminatorWidths
        generator = try MLP(widths: g, activations: Array(repeating: leaky, count: g.count - 2) + [.linear], maxBatch: batch, seed: seed)
        discriminator = try MLP(widths: d, activations: Array(repeating: leaky, count: d.count - 2) + [.linear], maxBatch: batch, seed: seed + 1)
        generatorOptimizer = Adam(for: generator, learningRate: 2e-4, beta1: 0.5)
        discriminatorOptimizer = Adam(for: discriminator, learningRate: 2e-4, beta1: 0.5)
        rng = Philox(seed: seed, stream: 99)
        real = FloatStorage(count: realRows * features)
        rng.fillNormal(real.buffer, mean: 0.5, std: 0.3)
        discriminatorLabels = FloatStorage(count: batch)
        discriminatorLabels.buffer.update(repeating: 1)
        discriminatorLabels.view(batch / 2, batch - batch / 2).update(repeating: 0)
        ones = FloatStorage(count: batch)
        ones.buffer.update(repeating: 1)
    }

    var samplesPerStep: Int { batch }

    var gemms: [GemmCall] {
        let half = batch / 2
        return generator.forwardGemms(batch: half)
            + discriminator.forwardGemms(batch: batch)
            + discriminator.backwardGemms(batch: batch, mode: .overwrite, inputGradient: false)
            + generator.forwardGemms(batch: batch)
            + discriminator.forwardGemms(batch: batch)
            + discriminator.backwardGemms(batch: batch, mode: .skip, inputGradient: true)
            + generator.backwardGemms(batch: batch, mode: .overwrite, inputGradient: false)
    }

    /// Returns the generator loss.
    @discardableResult
    func step() -> Float {
        let half = batch / 2, n = features
        // Discriminator: real rows then generated rows.
        rng.fillNormal(generator.input(batch: half))
        let fake = generator.forward(batch: half)
        let dInput = discriminator.input.baseAddress.unsafelyUnwrapped
        if cursor + half > realRows { cursor = 0 }
        dInput.update(from: real.start + cursor * n, count: half * n)
        cursor += half
        (dInput + half * n).update(from: fake.baseAddress.unsafelyUnwrapped, count: half * n)
        let logits = discriminator.forward(batch: batch)
        _ = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(discriminatorLabels.buffer),
                                              count: batch, gradient: discriminator.outputGradient)
        discriminator.backward(batch: batch, parameterGradients: .overwrite)
        discriminatorOptimizer.step(discriminator)
        // Generator through the updated, frozen discriminator.
        rng.fillNormal(generator.input(batch: batch))
        let generated = generator.forward(batch: batch)
        let logitsG = discriminator.forward(UnsafeBufferPointer(generated), batch: batch)
        let loss = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logitsG), labels: UnsafeBufferPointer(ones.buffer),
                                                     count: batch, gradient: discriminator.outputGradient)
        discriminator.backward(batch: batch, parameterGradients: .skip, inputGradient: true)
        generator.backward(UnsafeBufferPointer(discriminator.inputGradient(batch: batch)), batch: batch, parameterGradients: .overwrite)
        generatorOptimizer.step(generator)
        return loss
    }
}

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
