import Support
/// A GAN training step driven from outside NN (the production `GANTrainer` lives in Training),
/// as `NNBenchmark` times it next to its own sgemm calls and elementwise sweeps: `body` runs one
/// real step; `GANStepPlan` knows the sequence of layer passes that step makes, from its networks.
///
/// The sequence is the production step's: D phase G forward on the B/2 fakes, D forward and
/// backward (parameter gradients) on B/2 real + B/2 generated rows; G phase G forward on B noise
/// rows, D forward and backward (input gradient only), G backward. Per-worker blocks of the
/// T-worker step run the same products on B/T rows; the plan is the serial one.
public protocol BenchmarkedStep: AnyObject {
    /// One training step; returns a loss (so the work cannot be optimised away).
    @discardableResult func benchmarkStep() -> Float
}

public final class GANStepPlan: BenchmarkStep {
    public let generator: MLP
    public let discriminator: MLP
    public let batch: Int
    /// Real rows of the discriminator phase (B/2).
    public let realRows: Int
    /// The packed weights the step's forward passes run on (nil: sgemm then a bias+activation sweep).
    let packed: (generator: PackedWeights, discriminator: PackedWeights)?
    /// The packed Wᵀ its input-gradient products run on (nil: sgemm).
    let transposed: (generator: TransposedWeights, discriminator: TransposedWeights)?
    private let body: BenchmarkedStep

    public init(generator: MLP, discriminator: MLP, realRows: Int, batch: Int, body: BenchmarkedStep,
                packed: (generator: PackedWeights, discriminator: PackedWeights)? = nil,
                transposed: (generator: TransposedWeights, discriminator: TransposedWeights)? = nil) {
        self.generator = generator
        self.discriminator = discriminator
        self.packed = packed
        self.transposed = transposed
        self.realRows = realRows
        self.batch = batch
        self.body = body
    }

    var samplesPerStep: Int { batch }

    var gemms: [GemmCall] {
        calls(forward: { model, rows in
                  model.forwardGemms(batch: rows, packed: model === self.generator ? self.packed?.generator : self.packed?.discriminator)
              },
              backward: { model, rows, mode, input in
                  model.backwardGemms(batch: rows, mode: mode, inputGradient: input,
                                      transposed: model === self.generator ? self.transposed?.generator : self.transposed?.discriminator)
              })
    }

    var sweeps: [SweepCall] {
        calls(forward: { $0.forwardSweeps(batch: $1, packed: self.packed != nil) },
              backward: { $0.backwardSweeps(batch: $1, mode: $2, inputGradient: $3, fused: self.transposed?.generator.fusesBackward ?? false) })
    }

    /// The step's sequence of kernel calls of one kind (sgemm or sweep), in execution order.
    private func calls<Call>(forward: (MLP, Int) -> [Call], backward: (MLP, Int, GradientMode, Bool) -> [Call]) -> [Call] {
        let half = realRows
        let dPhase = forward(generator, half) + forward(discriminator, 2 * half) + backward(discriminator, 2 * half, .overwrite, false)
        let gPhase = forward(generator, batch) + forward(discriminator, batch) + backward(discriminator, batch, .skip, true)
            + backward(generator, batch, .overwrite, false)
        return dPhase + gPhase
    }

    var optimizedParameterCounts: [Int] { [discriminator.parameterCount, generator.parameterCount] }

    @discardableResult
    func step() -> Float { body.benchmarkStep() }
}
