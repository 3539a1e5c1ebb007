import Foundation
import Support

/// Loss functions over row-major batches. Each returns the loss (Double-accumulated, as Float)
/// and, when a gradient buffer is given, writes dLoss/dInput there. Conventions: MSE is the
/// mean over all batch × features elements (Keras `mse` averaged over the batch); binary
/// cross-entropy is the mean over all logits; the Gaussian KL is summed over latent dimensions
/// and averaged over the batch (`Loss+Gaussian.swift`).
public enum Loss {
    /// L = 1/(B·F) Σ (p − t)², dL/dp = 2 (p − t) / (B·F).
    public static func meanSquaredError(prediction: UnsafeBufferPointer<Float>, target: UnsafeBufferPointer<Float>,
                                        batch: Int, features: Int,
                                        gradient: UnsafeMutableBufferPointer<Float>? = nil) -> Float {
        let n = batch * features
        let sum = squaredError(prediction: prediction, target: target, batch: batch, features: features,
                               gradientFactor: Float(2.0 / Double(n)), gradient: gradient)
        return Float(sum / Double(n))
    }

    /// Per-row form for the gradient rule (`GradientRule`): a row's loss is its mean over the
    /// features, ℓ_r = 1/F Σ_c (p − t)²; writes dℓ_r/dp = 2 (p − t) / F (not divided by the rows)
    /// and returns Σ (p − t)² over every element (divide by rows × F for the mean).
    public static func rowMeanSquaredError(prediction: UnsafeBufferPointer<Float>, target: UnsafeBufferPointer<Float>,
                                           batch: Int, features: Int, gradient: UnsafeMutableBufferPointer<Float>) -> Double {
        squaredError(prediction: prediction, target: target, batch: batch, features: features,
                     gradientFactor: Float(2.0 / Double(features)), gradient: gradient)
    }

    /// Σ (p − t)², Double-accumulated by row; with a gradient buffer writes gradientFactor · (p − t).
    private static func squaredError(prediction: UnsafeBufferPointer<Float>, target: UnsafeBufferPointer<Float>,
                                     batch: Int, features: Int, gradientFactor scale: Float,
                                     gradient: UnsafeMutableBufferPointer<Float>?) -> Double {
        let n = batch * features
        precondition(n > 0 && prediction.count >= n && target.count >= n, "MSE buffers too small")
        guard let p = prediction.baseAddress, let t = target.baseAddress else { return 0 }
        var sum = 0.0
        if let g = gradient?.baseAddress {
            precondition(gradient?.count ?? 0 >= n, "MSE gradient buffer too small")
            for r in 0..<batch {
                var rowSum: Float = 0
                for c in r * features ..< (r + 1) * features {
                    let d = p[c] - t[c]
                    g[c] = scale * d
                    rowSum += d * d
                }
                sum += Double(rowSum)
            }
        } else {
            for r in 0..<batch {
                var rowSum: Float = 0
                for c in r * features ..< (r + 1) * features { let d = p[c] - t[c]; rowSum += d * d }
                sum += Double(rowSum)
            }
        }
        return sum
    }

    /// Binary cross-entropy on logits x with labels y ∈ [0, 1], mean over `count`:
    /// L = 1/n Σ max(x, 0) − x·y + log1p(exp(−|x|)),  dL/dx = (σ(x) − y) / n.
    public static func binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>,
                                                    count n: Int,
                                                    gradient: UnsafeMutableBufferPointer<Float>? = nil) -> Float {
        Float(crossEntropy(logits: logits, labels: labels, count: n, gradientFactor: Float(1.0 / Double(n)), gradient: gradient)
              / Double(n))
    }

    /// Per-row form for the gradient rule (`GradientRule`): returns Σ_i ℓ_i over the `count`
    /// logits and writes dℓ_i/dx_i = σ(x_i) − y_i (not divided by the count).
    public static func binaryCrossEntropySum(logits: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>,
                                             count n: Int, gradient: UnsafeMutableBufferPointer<Float>) -> Double {
        crossEntropy(logits: logits, labels: labels, count: n, gradientFactor: 1, gradient: gradient)
    }

    private static func crossEntropy(logits: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>, count n: Int,
                                     gradientFactor inverse: Float, gradient: UnsafeMutableBufferPointer<Float>?) -> Double {
        precondition(n > 0 && logits.count >= n && labels.count >= n, "BCE buffers too small")
        guard let x = logits.baseAddress, let y = labels.baseAddress else { return 0 }
        let g = gradient?.baseAddress
        if g != nil { precondition(gradient?.count ?? 0 >= n, "BCE gradient buffer too small") }
        var sum = 0.0
        for i in 0..<n {
            let xi = x[i], yi = y[i]
            let e = Foundation.exp(-Swift.abs(xi))
            sum += Double(Swift.max(xi, 0) - xi * yi + Foundation.log1p(e))
            if let g {
                let sigma = xi >= 0 ? 1 / (1 + e) : e / (1 + e)
                g[i] = (sigma - yi) * inverse
            }
        }
        return sum
    }
}
