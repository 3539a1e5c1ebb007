import Support
/// Adadelta (Zeiler 2012) with a learning rate, as in Keras and PyTorch:
///   E[g²] ← ρ·E[g²] + (1 − ρ)·g²
///   Δ = √(E[Δ²] + ε) / √(E[g²] + ε) · g
///   E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²
///   θ ← θ − lr·Δ
/// PyTorch defaults lr 1, ρ 0.9, ε 1e-6 (Keras: lr 1e-3, ρ 0.95, ε 1e-7).
/// √ via `FastMath.squareRoot` (vectorizes; ≲ 3e-7 relative).
/// State: [E[g²] | E[Δ²]], 2·parameterCount floats.
public final class Adadelta: Optimizer {
    public let parameterCount: Int
    public var stepCount = 0
    public var learningRate: Float
    public var rho: Float
    public var epsilon: Float
    let storage: FloatStorage

    public init(parameterCount: Int, learningRate: Float = 1, rho: Float = 0.9, epsilon: Float = 1e-6) {
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
        storage = FloatStorage(count: 2 * parameterCount)
    }

    public convenience init(for model: MLP, learningRate: Float = 1, rho: Float = 0.9, epsilon: Float = 1e-6) {
        self.init(parameterCount: model.parameterCount, learningRate: learningRate, rho: rho, epsilon: epsilon)
    }

    public var state: UnsafeMutableBufferPointer<Float> { storage.buffer }

    public func update(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, gradientScale: Float,
                       range: Range<Int>) {
        checkRange(range)
        let squareAverage = storage.start, deltaAverage = storage.start + parameterCount
        let r = rho, c = 1 - rho, eps = epsilon, lr = learningRate, scale = gradientScale
        for i in range {
            let gi = g[i] * scale
            let sq = r * squareAverage[i] + c * (gi * gi)
            squareAverage[i] = sq
            let delta = FastMath.squareRoot(deltaAverage[i] + eps) / FastMath.squareRoot(sq + eps) * gi
            deltaAverage[i] = r * deltaAverage[i] + c * (delta * delta)
            p[i] -= lr * delta
        }
    }
}
