import Support
/// Stochastic gradient descent with (heavy-ball) momentum, PyTorch form:
///   v ← μ·v + g,  θ ← θ − lr·v        (μ = 0: plain SGD; v starts at 0, so v₁ = g)
/// State: [v], parameterCount floats.
public final class SGD: Optimizer {
    public let parameterCount: Int
    public var stepCount = 0
    public var learningRate: Float
    public var momentum: Float
    let storage: FloatStorage

    public init(parameterCount: Int, learningRate: Float = 1e-2, momentum: Float = 0) {
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.momentum = momentum
        storage = FloatStorage(count: parameterCount)
    }

    public convenience init(for model: MLP, learningRate: Float = 1e-2, momentum: Float = 0) {
        self.init(parameterCount: model.parameterCount, learningRate: learningRate, momentum: momentum)
    }

    public var state: UnsafeMutableBufferPointer<Float> { storage.buffer }

    public func update(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, gradientScale: Float,
                       range: Range<Int>) {
        checkRange(range)
        let v = storage.start, mu = momentum, lr = learningRate, scale = gradientScale
        for i in range {
            let vi = mu * v[i] + g[i] * scale
            v[i] = vi
            p[i] -= lr * vi
        }
    }
}
