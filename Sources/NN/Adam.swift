import Foundation
import Support

/// Adam (Kingma & Ba) with bias correction, PyTorch/optax placement of ε:
///   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,  t = step + 1
///   θ ← θ − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
/// √ via `FastMath.squareRoot` (vectorizes; ≲ 3e-7 relative).
/// State: [m | v], 2·parameterCount floats.
public final class Adam: Optimizer {
    public let parameterCount: Int
    public var stepCount = 0
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    let storage: FloatStorage

    public init(parameterCount: Int, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        storage = FloatStorage(count: 2 * parameterCount)
    }

    public convenience init(for model: MLP, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.init(parameterCount: model.parameterCount, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public var state: UnsafeMutableBufferPointer<Float> { storage.buffer }

    public func update(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, gradientScale: Float,
                       range: Range<Int>) {
        checkRange(range)
        let t = Double(stepCount + 1)
        let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), t)))
        let inverseRootCorrection = Float(1 / (1 - Foundation.pow(Double(beta2), t)).squareRoot())
        let m = storage.start, v = storage.start + parameterCount
        let b1 = beta1, b2 = beta2, c1 = 1 - beta1, c2 = 1 - beta2, eps = epsilon, scale = gradientScale
        for i in range {
            let gi = g[i] * scale
            let mi = b1 * m[i] + c1 * gi
            let vi = b2 * v[i] + c2 * (gi * gi)
            m[i] = mi
            v[i] = vi
            p[i] -= stepSize * mi / (FastMath.squareRoot(vi) * inverseRootCorrection + eps)
        }
    }
}
