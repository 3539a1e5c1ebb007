import Support
/// Rows of the k features ↔ rows of the rotation frame (the features, then zero columns for what
/// the frame step dropped: mu2_py), for losses on derived quantities whose gradient is pulled back
/// to the preprocessed features (RegressionPath for the GAN, DerivedLoss for the autoencoder).
public enum FrameRows {
    /// frame[r, j] = features[r, j] for j < k, 0 for k ≤ j < w.
    public static func pad(_ features: UnsafeMutableBufferPointer<Float>, width k: Int, into frame: UnsafeMutableBufferPointer<Float>,
                    width w: Int, rows: Int) {
        for r in 0..<rows {
            for j in 0..<k { frame[r * w + j] = features[r * k + j] }
            for j in k..<w { frame[r * w + j] = 0 }
        }
    }

    /// out[r, j] = frameGradient[r, j] · derivative[r, j] for the k features. Where no quantity reads
    /// a column its gradient is 0 and so is the product, even if the inverse preprocessing's
    /// derivative overflowed there (expm1 of a wild early output): 0 · ∞ would be NaN.
    public static func pullBack(_ frameGradient: UnsafeMutableBufferPointer<Float>, width w: Int,
                         derivative: UnsafeMutableBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                         width k: Int, rows: Int) {
        for r in 0..<rows {
            for j in 0..<k {
                let g = frameGradient[r * w + j]
                out[r * k + j] = g == 0 ? 0 : g * derivative[r * k + j]
            }
        }
    }
}
