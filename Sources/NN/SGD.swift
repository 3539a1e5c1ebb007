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

    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, gradientScale: Float = 1) {
        checkSizes(parameters, gradients)
        guard let p = parameters.baseAddress, let g = gradients.baseAddress else { return }
        let v = storage.start, mu = momentum, lr = learningRate, scale = gradientScale
        for i in 0..<parameterCount {
            let vi = mu * v[i] + g[i] * scale
            v[i] = vi
            p[i] -= lr * vi
        }
        stepCount += 1
    }
}
