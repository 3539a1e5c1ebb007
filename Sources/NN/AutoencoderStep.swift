import Support
/// Autoencoder step: encoder → decoder → MSE against the input, Adam on both halves.
///
/// With `workers` = T > 1 the batch is split into T row blocks run at the same time by a
/// `WorkerPool` on model replicas (`AutoencoderStep+Workers.swift`); T = 1 is the serial step.
/// Gradients follow `GradientRule`, like the production trainers.
final class AutoencoderStep: BenchmarkStep {
    let batch: Int
    let encoder: MLP
    let decoder: MLP
    let encoderOptimizer: Adam
    let decoderOptimizer: Adam
    let data: FloatStorage
    let rows = 4096
    var cursor = 0
    let workers: Int
    let encoders: ModelReplicas, decoders: ModelReplicas
    let pool: WorkerPool
    /// Per-row gradients summed over the workers, 1/batch once in the update (`GradientRule`).
    let rule: GradientRule
    /// Each worker's Σ (x̂ − x)² over its rows (written by that worker only).
    let workerLosses: FloatStorage
    /// First data row of the current step (set by the calling thread before the workers start).
    var stepStart = 0

    init(encoderWidths: [Int], batch: Int, seed: UInt64, workers: Int = 1) throws {
        guard workers >= 1, batch % workers == 0 else {
            throw NNError.invalidArchitecture("batch \(batch) must split evenly over \(workers) worker(s)")
        }
        self.batch = batch
        self.workers = workers
        let leaky = Activation.leakyReLU(0.2)
        let hidden = Array(repeating: leaky, count: encoderWidths.count - 2) + [.linear]
        encoder = try MLP(widths: encoderWidths, activations: hidden, maxBatch: batch, seed: seed)
        decoder = try MLP(widths: encoderWidths.reversed(), activations: hidden, maxBatch: batch, seed: seed + 1)
        encoderOptimizer = Adam(for: encoder)
        decoderOptimizer = Adam(for: decoder)
        encoders = try ModelReplicas(encoder, workers: workers, maxBatch: batch / workers)
        decoders = try ModelReplicas(decoder, workers: workers, maxBatch: batch / workers)
        pool = try WorkerPool(count: workers)
        rule = GradientRule(models: [decoders, encoders], optimizers: [decoderOptimizer, encoderOptimizer], pool: pool,
                            ranks: SingleProcess())
        workerLosses = FloatStorage(count: workers)
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

    /// Returns the reconstruction loss (mean over the batch's elements). T = 1 runs worker 0 on
    /// the calling thread (a pool of one starts no thread).
    @discardableResult
    func step() -> Float {
        if cursor + batch > rows { cursor = 0 }
        stepStart = cursor
        cursor += batch
        pool.run(self, phase: 0)
        do {
            try rule.step(model: 0, globalRows: batch)
            try rule.step(model: 1, globalRows: batch)
        } catch {
            preconditionFailure("one process has no ranks to fail: \(error)")
        }
        var sum = 0.0
        for w in 0..<workers { sum += Double(workerLosses.buffer[w]) }
        return Float(sum / Double(batch * encoder.inputWidth))
    }
}
