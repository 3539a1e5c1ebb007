import Support

/// The paper's Gaussian smearing of integer columns, made exactly invertible by a floor:
/// y = x + 0.5 + ε with ε ~ N(0, σ²) resampled until y − x lies in [guardBand, 1 − guardBand]
/// (ε truncated to (−0.5, 0.5), less a 2⁻¹⁰ guard band so the integer part survives the float32
/// rounding of later scaling steps). Row r's noise comes from its own Philox stream
/// `(seed, firstRow + r, substream)`, so results never depend on how rows are split across ranks.
enum IntegerSmearing {
    /// Largest |integer| accepted: below 2²⁰ float32 still resolves steps of 1/8.
    static let limit: Float = 1_048_576
    /// Distance kept from both integer edges, in units of 1.
    static let guardBand = 1.0 / 1024
    /// Above this the truncated normal is nearly flat and resampling wastes draws.
    static let maximumSigma = 10.0

    static func check(_ x: Float, row: Int, column: String) throws {
        guard x.rounded(.down) == x else { throw PreprocessingError.notInteger(x, row: row, column: column) }
        guard abs(x) <= limit else { throw PreprocessingError.integerTooLarge(x, row: row, column: column) }
    }

    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, firstRow: Int,
                        indices: [Int], sigma: Double, seed: UInt64, substream: UInt32, columns: [String]) throws {
        for r in 0..<rows {
            var generator = Philox(seed: seed, stream: UInt64(firstRow + r), substream: substream)
            let base = r * width
            for c in indices {
                let x = buffer[base + c]
                try check(x, row: firstRow + r, column: columns[c])
                buffer[base + c] = smear(x, sigma: sigma, &generator)
            }
        }
    }

    /// One smeared value of the integer `x` (|x| ≤ `limit`), drawing from `generator`.
    @inline(__always)
    static func smear(_ x: Float, sigma: Double, _ generator: inout Philox) -> Float {
        let exact = Double(x)
        while true {
            let epsilon = sigma * generator.normal()
            guard epsilon > -0.5, epsilon < 0.5 else { continue }
            let y = Float(exact + 0.5 + epsilon)
            let fraction = Double(y) - exact
            if fraction >= guardBand, fraction <= 1 - guardBand { return y }
        }
    }
}
