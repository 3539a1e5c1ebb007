import Foundation

/// Features a reducer carries into its latent space unchanged (the `keep` option). A latent row is
/// the model's learned codes followed by the kept features' preprocessed values; decoding runs the
/// model on the codes and then overwrites the kept features with the latent row's own values.
///
/// Why: a narrow resonance is a thin surface in the autoencoder's codes. With pair_mass the
/// decoder reproduces the dimuon mass of encoded events (KS 0.002–0.004), but a latent GAN has to
/// find that surface, and its mll stayed at KS ≥ 0.040 where a full-space GAN reaches 0.017. Kept
/// as a latent coordinate, the mass is a marginal the GAN learns directly, like in full space,
/// while the other features still go through the learned n − |keep| codes. The map stays
/// invertible on the latent space: decode(encode(x)) restores a kept feature exactly.
///
/// The kernels work on row-major buffers; `codes` is the model's width, `indices` the kept
/// features' positions in a feature row (latent columns codes, codes + 1, … in that order).
struct KeptFeatures: Equatable {
    let codes: Int
    let indices: [Int]

    init(codes: Int, indices: [Int] = []) {
        self.codes = codes
        self.indices = indices
    }

    /// Latent width n: codes plus kept features.
    var latent: Int { codes + indices.count }
    var isEmpty: Bool { indices.isEmpty }

    /// codes (rows × codes) and the preprocessed features (rows × k) → latent rows (rows × n).
    func assemble(codes c: UnsafeBufferPointer<Float>, features f: UnsafeBufferPointer<Float>, featureWidth k: Int,
                  rows: Int, into z: UnsafeMutableBufferPointer<Float>) {
        let n = latent
        for r in 0..<rows {
            for j in 0..<codes { z[r * n + j] = c[r * codes + j] }
            for (i, j) in indices.enumerated() { z[r * n + codes + i] = f[r * k + j] }
        }
    }

    /// Latent rows (rows × n) → the model's input, the codes alone (rows × codes).
    func codes(of z: UnsafeBufferPointer<Float>, rows: Int, into c: UnsafeMutableBufferPointer<Float>) {
        let n = latent
        for r in 0..<rows {
            for j in 0..<codes { c[r * codes + j] = z[r * n + j] }
        }
    }

    /// Decoded features (rows × k): the kept ones are replaced by the latent rows' values.
    func restore(_ f: UnsafeMutableBufferPointer<Float>, featureWidth k: Int, from z: UnsafeBufferPointer<Float>, rows: Int) {
        let n = latent
        for r in 0..<rows {
            for (i, j) in indices.enumerated() { f[r * k + j] = z[r * n + codes + i] }
        }
    }

    /// The gradient's way back through `restore`: the kept features' gradient goes to their latent
    /// columns (`zGradient`, rows × n) and is cleared in `featureGradient`, because the decoder's own
    /// output for those features is discarded. The codes' part of `zGradient` is left to the caller.
    func pullBack(_ featureGradient: UnsafeMutableBufferPointer<Float>, featureWidth k: Int, rows: Int,
                  into zGradient: UnsafeMutableBufferPointer<Float>) {
        let n = latent
        for r in 0..<rows {
            for (i, j) in indices.enumerated() {
                zGradient[r * n + codes + i] = featureGradient[r * k + j]
                featureGradient[r * k + j] = 0
            }
        }
    }
}
