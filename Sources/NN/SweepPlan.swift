import Support
/// One elementwise pass of a training step: a forward bias+activation sweep or a backward
/// activation-derivative sweep (with or without the bias gradient), by shape only.
struct SweepCall: Equatable {
    enum Kind: Equatable {
        case forward
        case backward(biasGradient: Bool, accumulate: Bool)
    }
    var kind: Kind
    var rows: Int, cols: Int
    var activation: Activation
}

/// The non-matmul passes of a step (sweeps and optimizer updates), replayable on scratch
/// buffers. The benchmark times them apart from the step so that "step − sgemm" (which
/// mixes in cache effects and timing noise) can be split into named costs.
final class SweepPlan {
    let sweeps: [SweepCall]
    let optimizers: [Adam]
    private let y: FloatStorage, dy: FloatStorage, dz: FloatStorage, bias: FloatStorage, biasGradient: FloatStorage
    private let parameters: [FloatStorage], gradients: [FloatStorage]

    /// `parameterCounts`: one Adam update of that many parameters per entry.
    init(_ sweeps: [SweepCall], parameterCounts: [Int], seed: UInt64 = 11) {
        self.sweeps = sweeps
        let block = sweeps.map { $0.rows * $0.cols }.max() ?? 1
        let width = sweeps.map(\.cols).max() ?? 1
        y = FloatStorage(count: block)
        dy = FloatStorage(count: block)
        dz = FloatStorage(count: block)
        bias = FloatStorage(count: width)
        biasGradient = FloatStorage(count: width)
        var rng = Philox(seed: seed, stream: 0)
        rng.fillUniform(y.buffer, low: -1, high: 1)
        rng.fillUniform(dy.buffer, low: -1, high: 1)
        // A positive bias keeps repeated in-place forward replays away from subnormals.
        bias.buffer.update(repeating: 0.5)
        optimizers = parameterCounts.map { Adam(parameterCount: $0, learningRate: 1e-4) }
        parameters = parameterCounts.map { FloatStorage(count: $0) }
        gradients = parameterCounts.map { FloatStorage(count: $0) }
        for g in gradients { rng.fillUniform(g.buffer, low: -1, high: 1) }
    }

    func runForward() {
        for s in sweeps where s.kind == .forward {
            Kernels.biasActivation(y.start, bias: UnsafePointer(bias.start), rows: s.rows, cols: s.cols, activation: s.activation)
        }
    }

    func runBackward() {
        for s in sweeps {
            guard case .backward(let withBias, let accumulate) = s.kind else { continue }
            Kernels.activationBackward(dy: UnsafePointer(dy.start), y: UnsafePointer(y.start), dz: dz.start, rows: s.rows, cols: s.cols,
                                       activation: s.activation, biasGradient: withBias ? biasGradient.start : nil,
                                       accumulate: accumulate)
        }
    }

    func runOptimizers() {
        for (i, adam) in optimizers.enumerated() {
            adam.step(parameters: parameters[i].buffer, gradients: UnsafeBufferPointer(gradients[i].buffer))
        }
    }
}

extension MLP {
    /// The bias+activation sweeps of `forward(batch:packed:)`: none with packed weights, which fuse
    /// them into the product, except tanh and sigmoid (applied in a sweep after it).
    func forwardSweeps(batch: Int, packed: Bool = false) -> [SweepCall] {
        layers.compactMap { layer in
            if packed, layer.activation != .tanh, layer.activation != .sigmoid { return nil }
            return SweepCall(kind: .forward, rows: batch, cols: layer.outputs, activation: layer.activation)
        }
    }

    /// The activation-derivative sweeps of `backward(batch:parameterGradients:inputGradient:)`,
    /// last layer first (every layer needs dZ, for dW or for dX).
    /// With `fused` (packed Wᵀ that fuse the backward, `TransposedWeights.fusesBackward`), a hidden
    /// layer whose derivative the product above it applies has no sweep.
    func backwardSweeps(batch: Int, mode: GradientMode, inputGradient: Bool, fused: Bool = false) -> [SweepCall] {
        if mode == .skip && !inputGradient { return [] }
        return layers.indices.reversed().compactMap { l in
            let layer = layers[l]
            if l < layers.count - 1, fusesDerivative(into: l + 1, fused: fused) { return nil }
            return SweepCall(kind: .backward(biasGradient: mode != .skip, accumulate: mode == .accumulate),
                             rows: batch, cols: layer.outputs, activation: layer.activation)
        }
    }
}
