import Support

/// An autoencoder training step driven from outside NN (the production `AutoencoderTrainer` lives
/// in Training), as `NNBenchmark` times it next to its own sgemm calls and elementwise sweeps:
/// `body` runs one real step; the plan is its sequence of layer passes on the one encoder+decoder
/// network (forward, backward into the parameter gradients, one optimizer update).
public final class AutoencoderStepPlan: BenchmarkStep {
    public let model: MLP
    public let batch: Int
    private let body: BenchmarkedStep

    public init(model: MLP, batch: Int, body: BenchmarkedStep) {
        self.model = model
        self.batch = batch
        self.body = body
    }

    var samplesPerStep: Int { batch }

    var gemms: [GemmCall] {
        model.forwardGemms(batch: batch) + model.backwardGemms(batch: batch, mode: .overwrite, inputGradient: false)
    }

    var sweeps: [SweepCall] {
        model.forwardSweeps(batch: batch) + model.backwardSweeps(batch: batch, mode: .overwrite, inputGradient: false)
    }

    var optimizedParameterCounts: [Int] { [model.parameterCount] }

    @discardableResult
    func step() -> Float { body.benchmarkStep() }
}

extension NNBenchmark {
    /// An autoencoder step given as its plan (the production trainer's, built in Training:
    /// `NNBenchmark.autoencoderComparison(widths:batch:)`); `replays` adds its sgemm-only replays.
    public func comparison(_ step: AutoencoderStepPlan, name: String, replays: Bool) -> Comparison {
        compare(step, name: name, replays: replays)
    }

    public func layerRates(_ step: AutoencoderStepPlan) -> [LayerRate] { layerRates(step.gemms) }

    public func breakdown(_ step: AutoencoderStepPlan, name: String) -> Breakdown { breakdown(step as BenchmarkStep, name: name) }
}
