import EventStore
import NN
import Support

extension RowMapping {
    /// `physical` with the map's Jacobian kept for `backward`, for losses on physical quantities
    /// whose gradient is pulled back to the generator's (or decoder's) output: the GAN's regression
    /// terms and the autoencoder's derived-quantity terms. What differs from `physical`, on purpose:
    /// - only in the rotation frame (`Ending.rotationFrame`) and without zero calibration: the
    ///   random azimuth and the thresholds have no derivative (a mapping built otherwise is refused);
    /// - the preprocessing must be differentiable (`Preprocessor.inverseWithDerivative`: elementwise
    ///   steps after pair_mass and pair_pt; it throws for `ordered`); the integer floor is applied and
    ///   passes no gradient; the on_shell projection is not applied (the rows are those before it);
    /// - an MLP decoder runs through OpenBLAS, not the packed kernel: values equal `physical`'s up
    ///   to the last bits (another summation order), which keeps training bitwise what it was.
    /// No seed: these inverses draw no random numbers. Returns `rows × width` values.
    public func physicalWithDerivative(_ output: UnsafeBufferPointer<Float>, rows n: Int) throws -> UnsafeBufferPointer<Float> {
        guard case .rotationFrame = ending, zeros.isEmpty else {
            preconditionFailure("the derivative path runs in the rotation frame without zero calibration")
        }
        precondition(n >= 0 && n <= maxRows, "\(n) rows outside 0...\(maxRows)")
        let k = features.count, w = width
        let f = work.view(0, n * stride)
        if decoder != nil {
            let m = inputColumns.count
            let z = staged.view(0, n * m)
            _ = z.update(fromContentsOf: UnsafeBufferPointer(rebasing: output[0..<(n * m)]))
            try latentScaling?.inverseWithDerivative(z, derivative: latentDerivative.view(0, n * m), rows: n)
            decode(UnsafeBufferPointer(z), rows: n, into: f, packed: nil)
        } else {
            _ = f.update(fromContentsOf: UnsafeBufferPointer(rebasing: output[0..<(n * k)]))
        }
        try scaling.inverseWithDerivative(f, derivative: featureDerivative.view(0, n * k),
                                          mixing: featureMixing.view(0, n * scaling.mixingWidth), rows: n)
        let frame = staged.view(0, n * w)
        RowMapping.pad(UnsafeBufferPointer(f), width: k, into: frame, width: w, rows: n)
        return UnsafeBufferPointer(frame)
    }

    /// The gradient's way back from the rows of the last `physicalWithDerivative` (`frameGradient`,
    /// rows × width) to its output rows, added to `gradient` (rows × `inputColumns.count`): through
    /// the inverse preprocessing (`Preprocessor.pullBack`: pair steps, then the elementwise factors), and in latent space the kept features, the decoder and the latent
    /// standardisation (when there is one). The rotated-away columns carry nothing back.
    public func backward(_ frameGradient: UnsafeBufferPointer<Float>, rows n: Int, addingTo gradient: UnsafeMutableBufferPointer<Float>) {
        let k = features.count, w = width
        let gf = featureGradient.view(0, n * k)
        for r in 0..<n {
            for j in 0..<k { gf[r * k + j] = frameGradient[r * w + j] }
        }
        scaling.pullBack(gf, derivative: UnsafeBufferPointer(featureDerivative.view(0, n * k)),
                         mixing: UnsafeBufferPointer(featureMixing.view(0, n * scaling.mixingWidth)), rows: n)
        guard let decoder else {
            for i in 0..<(n * k) { gradient[i] += gf[i] }
            return
        }
        // Kept features: their restored values' gradient goes straight to their latent columns; the
        // decoder (which reads whole latent rows) adds its own input gradient on top.
        let m = inputColumns.count, codes = kept?.codes ?? m
        let gl = latentGradient.view(0, n * m)
        gl.update(repeating: 0)
        kept?.pullBack(gf, featureWidth: k, rows: n, into: gl)
        switch decoder {
        case .mlp(let mlp):
            guard n > 0 else { break }
            mlp.backward(UnsafeBufferPointer(gf), batch: n, parameterGradients: .skip, inputGradient: true)
            let gz = mlp.inputGradient(batch: n)
            for i in 0..<(n * m) { gl[i] += gz[i] }
        case .pca(let pca):
            for r in 0..<n {
                for c in 0..<codes {
                    var s = 0.0
                    for j in 0..<k { s += Double(gf[r * k + j]) * pca.axes[j * codes + c] }
                    gl[r * m + c] = Float(s)
                }
            }
        }
        guard latentScaling != nil else {
            for i in 0..<(n * m) { gradient[i] += gl[i] }
            return
        }
        let ld = latentDerivative.view(0, n * m)
        for i in 0..<(n * m) { gradient[i] += gl[i] * ld[i] }
    }
}
