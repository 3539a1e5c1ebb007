import Foundation
import NN
import Support

/// Features a reducer carries into its latent space unchanged (the `keep` option). A latent row is
/// the learned codes followed by the kept features' preprocessed values. An autoencoder's decoder
/// takes the whole row, kept features included (its bottleneck is overwritten with them during
/// training, MLP.InputCopy), so the codes need not encode them and what the decoder produces is
/// conditioned on their exact values; a PCA reducer decodes from the codes alone. Either way the
/// decoded kept features are then replaced by the latent row's own values.
///
/// Why: a narrow resonance is a thin surface in an autoencoder's codes. With pair_mass the
/// decoder reproduces the dimuon mass of encoded events (KS 0.002–0.004), but a latent GAN has to
/// find that surface, and its mll stayed at KS ≥ 0.040 where a full-space GAN reaches 0.017. Kept
/// as a latent coordinate, the mass is a marginal the GAN learns directly, as in full space.
/// The map stays invertible on the latent space: decode(encode(x)) restores a kept feature exactly.
///
/// The kernels work on row-major buffers; `codes` is the learned width, `indices` the kept
/// features' positions in a feature row (latent columns codes, codes + 1, … in that order).
public struct KeptFeatures: Equatable {
    public let codes: Int
    public let indices: [Int]

    public init(codes: Int, indices: [Int] = []) {
        self.codes = codes
        self.indices = indices
    }

    /// n latent columns keeping the named features (names that are not features are checked
    /// before: `Reduce.checkLatent`, `Reducer.load`).
    public init(latent: Int, keep: [String], features: [String]) {
        self.init(codes: latent - keep.count, indices: keep.compactMap { features.firstIndex(of: $0) })
    }

    /// Latent width n: codes plus kept features.
    public var latent: Int { codes + indices.count }
    public var isEmpty: Bool { indices.isEmpty }
    /// Self, or nil when nothing is kept (the paths that skip the kept-feature work test for nil).
    public var nonEmpty: KeptFeatures? { isEmpty ? nil : self }

    /// Writes the kept features (rows × k) into their latent columns of `z` (rows × n).
    public func insert(features f: UnsafeBufferPointer<Float>, featureWidth k: Int, rows: Int, into z: UnsafeMutableBufferPointer<Float>) {
        let n = latent
        for r in 0..<rows {
            for (i, j) in indices.enumerated() { z[r * n + codes + i] = f[r * k + j] }
        }
    }

    /// codes (rows × codes) and the preprocessed features (rows × k) → latent rows (rows × n).
    public func assemble(codes c: UnsafeBufferPointer<Float>, features f: UnsafeBufferPointer<Float>, featureWidth k: Int,
                  rows: Int, into z: UnsafeMutableBufferPointer<Float>) {
        let n = latent
        for r in 0..<rows {
            for j in 0..<codes { z[r * n + j] = c[r * codes + j] }
        }
        insert(features: f, featureWidth: k, rows: rows, into: z)
    }

    /// Latent rows (rows × n) → the codes alone (rows × codes), a PCA decoder's input.
    public func codes(of z: UnsafeBufferPointer<Float>, rows: Int, into c: UnsafeMutableBufferPointer<Float>) {
        let n = latent
        for r in 0..<rows {
            for j in 0..<codes { c[r * codes + j] = z[r * n + j] }
        }
    }

    /// Decoded features (rows × k): the kept ones are replaced by the latent rows' values.
    public func restore(_ f: UnsafeMutableBufferPointer<Float>, featureWidth k: Int, from z: UnsafeBufferPointer<Float>, rows: Int) {
        let n = latent
        for r in 0..<rows {
            for (i, j) in indices.enumerated() { f[r * k + j] = z[r * n + codes + i] }
        }
    }

    /// The gradient's way back through `restore`: the kept features' gradient goes to their latent
    /// columns (`zGradient`, rows × n) and is cleared in `featureGradient`, because the decoder's own
    /// output for those features is discarded. The caller adds the decoder's input gradient.
    public func pullBack(_ featureGradient: UnsafeMutableBufferPointer<Float>, featureWidth k: Int, rows: Int,
                  into zGradient: UnsafeMutableBufferPointer<Float>) {
        let n = latent
        for r in 0..<rows {
            for (i, j) in indices.enumerated() {
                zGradient[r * n + codes + i] = featureGradient[r * k + j]
                featureGradient[r * k + j] = 0
            }
        }
    }

    /// The autoencoder's bottleneck overwrite during training: kept input features → the last
    /// latent columns of layer `layer`.
    public func inputCopy(layer: Int) -> InputCopy {
        InputCopy(layer: layer, inputs: indices, outputs: Array(codes..<latent))
    }
}
