import Support
extension GradientPenalty {
    /// x̂ = ε·real + (1 − ε)·fake row by row, ε ~ U(0, 1) drawn once per row (one
    /// `rng.uniformFloat()` each, in row order), as in WGAN-GP: the penalty is enforced on
    /// random points of the segments between real and generated samples. `into` may be exactly
    /// `real` or `fake` (each value is read before its own slot is written), e.g. the critic's
    /// input block still holding [real | fake] rows; any other overlap is an error. Allocation-free.
    public static func interpolate(real: UnsafeBufferPointer<Float>, fake: UnsafeBufferPointer<Float>,
                                   into output: UnsafeMutableBufferPointer<Float>, rows: Int, width: Int,
                                   rng: inout Philox) {
        let count = rows * width
        precondition(rows >= 0 && width > 0, "interpolate: rows \(rows), width \(width)")
        precondition(real.count >= count && fake.count >= count && output.count >= count,
                     "interpolate: need \(count) values, have real \(real.count), fake \(fake.count), output \(output.count)")
        guard count > 0, let r = real.baseAddress, let f = fake.baseAddress, let x = output.baseAddress else { return }
        for row in 0..<rows {
            let epsilon = rng.uniformFloat(), complement = 1 - epsilon
            let o = row * width
            for c in o ..< o + width { x[c] = epsilon * r[c] + complement * f[c] }
        }
    }
}
