import Foundation
import Support

/// Variational pieces for an encoder whose output rows are [μ (latent) | log σ² (latent)].
extension Loss {
    /// KL(N(μ, σ²) ‖ N(0, 1)) summed over latent dimensions, mean over the batch, times `weight`:
    ///   L = −weight/(2B) Σ_b Σ_j (1 + logσ² − μ² − σ²)
    ///   dL/dμ = weight·μ/B,  dL/dlogσ² = weight·(σ² − 1)/(2B)
    /// The gradient (batch × 2·latent, same layout) is written, or added with `accumulate`
    /// (e.g. on top of the reparameterisation gradient).
    public static func gaussianKL(meanAndLogVariance: UnsafeBufferPointer<Float>, batch: Int, latent: Int,
                                  weight: Float = 1,
                                  gradient: UnsafeMutableBufferPointer<Float>? = nil, accumulate: Bool = false) -> Float {
        let width = 2 * latent
        precondition(batch > 0 && latent > 0 && meanAndLogVariance.count >= batch * width, "KL buffer too small")
        guard let s = meanAndLogVariance.baseAddress else { return 0 }
        let g = gradient?.baseAddress
        if g != nil { precondition(gradient?.count ?? 0 >= batch * width, "KL gradient buffer too small") }
        let perRow = weight / Float(batch)
        var sum = 0.0
        for b in 0..<batch {
            let row = s + b * width
            for j in 0..<latent {
                let mu = row[j], logVar = row[latent + j]
                let variance = Foundation.exp(logVar)
                sum += Double(1 + logVar - mu * mu - variance)
                if let g {
                    let gMu = perRow * mu, gLogVar = 0.5 * perRow * (variance - 1)
                    let o = b * width + j
                    if accumulate { g[o] += gMu; g[o + latent] += gLogVar } else { g[o] = gMu; g[o + latent] = gLogVar }
                }
            }
        }
        return Float(-0.5 * Double(weight) * sum / Double(batch))
    }
}

/// z = μ + exp(½ logσ²) ⊙ ε, the VAE reparameterisation, on [μ | logσ²] rows.
public enum Reparameterization {
    /// Writes z (batch × latent) from the encoder output and standard-normal noise ε (batch × latent).
    public static func sample(meanAndLogVariance: UnsafeBufferPointer<Float>, noise: UnsafeBufferPointer<Float>,
                              batch: Int, latent: Int, z: UnsafeMutableBufferPointer<Float>) {
        let n = batch * latent
        precondition(meanAndLogVariance.count >= 2 * n && noise.count >= n && z.count >= n, "reparameterisation buffers too small")
        guard let s = meanAndLogVariance.baseAddress, let e = noise.baseAddress, let out = z.baseAddress else { return }
        for b in 0..<batch {
            for j in 0..<latent {
                let o = b * latent + j
                out[o] = s[2 * b * latent + j] + Foundation.exp(0.5 * s[2 * b * latent + latent + j]) * e[o]
            }
        }
    }

    /// From dL/dz: dL/dμ = dz, dL/dlogσ² = ½ dz ⊙ exp(½ logσ²) ⊙ ε, written to (or, with
    /// `accumulate`, added to) `gradient` (batch × 2·latent).
    public static func backward(meanAndLogVariance: UnsafeBufferPointer<Float>, noise: UnsafeBufferPointer<Float>,
                                zGradient: UnsafeBufferPointer<Float>, batch: Int, latent: Int,
                                gradient: UnsafeMutableBufferPointer<Float>, accumulate: Bool = false) {
        let n = batch * latent
        precondition(meanAndLogVariance.count >= 2 * n && noise.count >= n && zGradient.count >= n && gradient.count >= 2 * n,
                     "reparameterisation buffers too small")
        guard let s = meanAndLogVariance.baseAddress, let e = noise.baseAddress,
              let dz = zGradient.baseAddress, let g = gradient.baseAddress else { return }
        for b in 0..<batch {
            for j in 0..<latent {
                let o = b * latent + j, m = 2 * b * latent + j
                let gMu = dz[o]
                let gLogVar = 0.5 * dz[o] * Foundation.exp(0.5 * s[m + latent]) * e[o]
                if accumulate { g[m] += gMu; g[m + latent] += gLogVar } else { g[m] = gMu; g[m + latent] = gLogVar }
            }
        }
    }
}
