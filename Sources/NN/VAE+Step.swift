import Support
extension VAE {
    /// One forward/backward pass on `batch` rows of x (batch × features); gradients of
    ///   scale · (1/batch) Σ_rows [ Σ_features (x̂ − x)² + β · KL_row ]
    /// OVERWRITE `encoder.gradients` and `decoder.gradients`. Data-parallel use: pass
    /// scale = local batch / global batch and allreduce-sum both gradient buffers, which then hold
    /// the gradient of the global mean. ε comes from exactly one `noise.fillNormal` of
    /// batch × latent values (so a replayed stream reproduces the step bit for bit).
    ///
    /// - Returns: local sums over the batch rows, unscaled: Σ_rows Σ_features (x̂ − x)² and
    ///   Σ_rows KL_row (without β). Allreduce them and divide by the global batch for per-row means.
    @discardableResult
    public func step(_ x: UnsafeBufferPointer<Float>, batch: Int, noise: inout Philox, scale: Float) -> (reconstruction: Double, kl: Double) {
        precondition(batch > 0 && batch <= maxBatch, "VAE batch \(batch) outside 1...\(maxBatch)")
        noise.fillNormal(epsilon(batch: batch))
        return step(x, batch: batch, scale: scale)
    }

    /// ε of the next `step(_:batch:scale:)`: batch × latent values the caller writes (e.g. one
    /// Philox stream per training row, so a row's ε does not depend on the rank that trains it).
    public func epsilon(batch: Int) -> UnsafeMutableBufferPointer<Float> { epsilonStorage.view(0, batch * latent) }

    /// `step` with ε already written to `epsilon(batch:)`. scale = batch gives the gradient of the
    /// per-row sum Σ_rows [Σ_features (x̂ − x)² + β · KL_row] (the form `GradientRule` sums).
    @discardableResult
    public func step(_ x: UnsafeBufferPointer<Float>, batch: Int, scale: Float) -> (reconstruction: Double, kl: Double) {
        precondition(batch > 0 && batch <= maxBatch, "VAE batch \(batch) outside 1...\(maxBatch)")
        precondition(x.count >= batch * features, "VAE input holds \(x.count) values, need \(batch * features)")
        let stats = UnsafeBufferPointer(encoder.forward(x, batch: batch))
        let epsilon = epsilonStorage.view(0, batch * latent)
        Reparameterization.sample(meanAndLogVariance: stats, noise: UnsafeBufferPointer(epsilon), batch: batch, latent: latent,
                                  z: decoder.input(batch: batch))
        let reconstruction = reconstructionGradient(target: x, batch: batch, scale: scale)
        decoder.backward(batch: batch, parameterGradients: .overwrite, inputGradient: true)
        let statsGradient = encoder.outputGradient(batch: batch)
        Reparameterization.backward(meanAndLogVariance: stats, noise: UnsafeBufferPointer(epsilon),
                                    zGradient: UnsafeBufferPointer(decoder.inputGradient(batch: batch)), batch: batch, latent: latent,
                                    gradient: statsGradient)
        // Two KL calls: the value unweighted (β or scale may be 0), the gradient with β·scale.
        let klMean = Loss.gaussianKL(meanAndLogVariance: stats, batch: batch, latent: latent)
        if beta * scale != 0 {
            _ = Loss.gaussianKL(meanAndLogVariance: stats, batch: batch, latent: latent, weight: beta * scale,
                                gradient: statsGradient, accumulate: true)
        }
        encoder.backward(batch: batch, parameterGradients: .overwrite)
        return (reconstruction, Double(klMean) * Double(batch))
    }

    /// Runs the decoder on the z rows already in its input and writes
    /// d/dx̂ of scale/batch · Σ (x̂ − x)² to its output gradient; returns Σ (x̂ − x)².
    private func reconstructionGradient(target x: UnsafeBufferPointer<Float>, batch: Int, scale: Float) -> Double {
        decoder.forward(batch: batch)
        let y = UnsafePointer(decoder.outputStorage.start + decoder.outputOffsets[decoder.layers.count - 1])
        let g = decoder.outputGradientStorage.start
        guard let t = x.baseAddress else { return 0 }
        let factor = 2 * scale / Float(batch)
        var sum = 0.0
        for r in 0..<batch {
            var rowSum: Float = 0
            for c in r * features ..< (r + 1) * features {
                let d = y[c] - t[c]
                g[c] = factor * d
                rowSum += d * d
            }
            sum += Double(rowSum)
        }
        return sum
    }
}
