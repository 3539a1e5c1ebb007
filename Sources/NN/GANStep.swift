import Support
/// DY-GAN training step as the benchmark and the allocation test run it: generator
/// 64-128-256-512-256-128-N, discriminator N-128-128-256-256-128-64-32-16-8-1, LeakyReLU(0.2),
/// linear outputs, BCE on logits, Adam (lr 2e-4, β1 0.5) on both.
///
/// D phase: D on `batch/2` real rows + `batch/2` generated rows, labels 1/0. G phase: G on
/// `batch` noise rows through the updated D (labels 1, D input gradients only), then G's
/// backward. With `sharedGeneratorForward` the G phase reuses one forward pass of G on
/// `batch` rows whose first half were the D phase's fakes (valid: G does not change in between;
/// as in PyTorch's DCGAN example) instead of a separate `batch/2` forward first.
///
/// With `workers` = T > 1 each phase's rows are split into T blocks run at the same time by a
/// `WorkerPool` on model replicas (`GANStep+Workers.swift`); T = 1 is the serial step.
final class GANStep: BenchmarkStep {
    static let generatorWidths = [64, 128, 256, 512, 256, 128]
    static let discriminatorWidths = [128, 128, 256, 256, 128, 64, 32, 16, 8, 1]

    let batch: Int
    let features: Int
    let sharedGeneratorForward: Bool
    let generator: MLP
    let discriminator: MLP
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    let real: FloatStorage
    let realRows = 4096
    private let discriminatorLabels: FloatStorage
    let ones: FloatStorage
    var rng: Philox
    var cursor = 0
    let workers: Int
    let generators: ModelReplicas, discriminators: ModelReplicas
    let pool: WorkerPool?
    /// A worker's discriminator labels: batch/(2T) ones, then as many zeros.
    let workerLabels: FloatStorage
    /// Each worker's mean generator loss over its rows (written by that worker only).
    let workerLosses: FloatStorage
    /// Noise stream position and first real row of the current phase (set before the workers start).
    var phaseNoise = Philox(seed: 0, stream: 0)
    var realStart = 0

    init(features: Int, batch: Int, seed: UInt64, sharedGeneratorForward: Bool = false, workers: Int = 1) throws {
        guard workers >= 1, batch % (2 * workers) == 0, workers == 1 || !sharedGeneratorForward else {
            throw NNError.invalidArchitecture("batch \(batch) must split evenly into 2 × \(workers) worker blocks"
                                              + (sharedGeneratorForward ? " (and the shared G forward runs serially)" : ""))
        }
        self.batch = batch
        self.workers = workers
        self.features = features
        self.sharedGeneratorForward = sharedGeneratorForward
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
        generators = try ModelReplicas(generator, workers: workers, maxBatch: batch / workers)
        discriminators = try ModelReplicas(discriminator, workers: workers, maxBatch: batch / workers)
        pool = workers > 1 ? try WorkerPool(count: workers) : nil
        let quarter = batch / (2 * workers)
        workerLabels = FloatStorage(count: 2 * quarter)
        workerLabels.view(0, quarter).update(repeating: 1)
        workerLosses = FloatStorage(count: workers)
    }

    var samplesPerStep: Int { batch }

    var gemms: [GemmCall] {
        calls(forward: { $0.forwardGemms(batch: $1) },
              backward: { $0.backwardGemms(batch: $1, mode: $2, inputGradient: $3) })
    }

    var sweeps: [SweepCall] {
        calls(forward: { $0.forwardSweeps(batch: $1) },
              backward: { $0.backwardSweeps(batch: $1, mode: $2, inputGradient: $3) })
    }

    /// The step's sequence of kernel calls of one kind (sgemm or sweep), in execution order.
    private func calls<Call>(forward: (MLP, Int) -> [Call], backward: (MLP, Int, GradientMode, Bool) -> [Call]) -> [Call] {
        let half = batch / 2
        let dPhase = forward(discriminator, batch) + backward(discriminator, batch, .overwrite, false)
        let gPhase = forward(discriminator, batch) + backward(discriminator, batch, .skip, true)
            + backward(generator, batch, .overwrite, false)
        if sharedGeneratorForward { return forward(generator, batch) + dPhase + gPhase }
        return forward(generator, half) + dPhase + forward(generator, batch) + gPhase
    }

    var optimizedParameterCounts: [Int] { [discriminator.parameterCount, generator.parameterCount] }

    /// Returns the generator loss.
    @discardableResult
    func step() -> Float {
        if workers > 1 { return parallelStep() }
        let half = batch / 2, n = features
        // D phase: real rows, then generated rows.
        rng.fillNormal(generator.input(batch: sharedGeneratorForward ? batch : half))
        let fake = generator.forward(batch: sharedGeneratorForward ? batch : half)
        let dInput = discriminator.input.baseAddress.unsafelyUnwrapped
        if cursor + half > realRows { cursor = 0 }
        dInput.update(from: real.start + cursor * n, count: half * n)
        cursor += half
        (dInput + half * n).update(from: fake.baseAddress.unsafelyUnwrapped, count: (batch - half) * n)
        let logits = discriminator.forward(batch: batch)
        _ = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: UnsafeBufferPointer(discriminatorLabels.buffer),
                                              count: batch, gradient: discriminator.outputGradient)
        discriminator.backward(batch: batch, parameterGradients: .overwrite)
        discriminatorOptimizer.step(discriminator)
        // G phase through the updated, frozen discriminator.
        let generated: UnsafeMutableBufferPointer<Float>
        if sharedGeneratorForward {
            generated = generator.output(batch: batch)
        } else {
            rng.fillNormal(generator.input(batch: batch))
            generated = generator.forward(batch: batch)
        }
        let logitsG = discriminator.forward(UnsafeBufferPointer(generated), batch: batch)
        let loss = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logitsG), labels: UnsafeBufferPointer(ones.buffer),
                                                     count: batch, gradient: discriminator.outputGradient)
        discriminator.backward(batch: batch, parameterGradients: .skip, inputGradient: true)
        generator.backward(UnsafeBufferPointer(discriminator.inputGradient(batch: batch)), batch: batch, parameterGradients: .overwrite)
        generatorOptimizer.step(generator)
        return loss
    }
}
