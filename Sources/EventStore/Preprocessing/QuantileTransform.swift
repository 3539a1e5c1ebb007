import Foundation
import Support

/// Maps a column through its training CDF onto a standard normal: y = Φ⁻¹(F(x)), with F the
/// piecewise-linear interpolation of `K` knots (the training quantiles at u = i/(K−1)). Every
/// marginal a network sees is then N(0, 1), however peaked, skewed or spiked the physics is
/// (the Z peak, falling jet spectra, isolation sums): the network spends its capacity on the
/// correlations, and the marginals come back through the exact inverse x = F⁻¹(Φ(y)).
///
/// Repeated knots (a spike of exact zeros, an integer column) are placed by the tie rule
/// (`Ties`, `QuantileCurve`): spread uniformly over their run from row r's Philox stream
/// `(seed, firstRow + r, substream)` like the integer smearing, or at the run's centre. u is kept
/// in [δ, 1 − δ] (|y| ≤ 5.2).
public enum QuantileTransform {
    /// Where a value equal to a run of knots (a spike) goes in u: `spread` uniformly over the
    /// run from the row's stream (a smooth N(0, 1) marginal: what a GAN learns best; exact
    /// inverse), `midpoint` to the run's centre (deterministic: an autoencoder need not encode a
    /// random position; F has no flat part, see `QuantileCurve`).
    public enum Ties: String, Codable, Sendable, CaseIterable {
        case spread, midpoint
    }

    static let defaultLevels = 1000   // PreprocessingStep.quantile's default
    static let margin = 1e-7

    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, firstRow: Int,
                        indices: [Int], curves: [QuantileCurve], seed: UInt64, substream: UInt32) {
        for r in 0..<rows {
            var generator = Philox(seed: seed, stream: UInt64(firstRow + r), substream: substream)
            let base = r * width
            for (k, c) in indices.enumerated() {
                buffer[base + c] = Float(normalQuantile(curves[k].cdf(Double(buffer[base + c]), &generator)))
            }
        }
    }

    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices: [Int],
                        curves: [QuantileCurve]) {
        for r in 0..<rows {
            let base = r * width
            for (k, c) in indices.enumerated() {
                buffer[base + c] = Float(curves[k].quantile(normalCDF(Double(buffer[base + c]))).x)
            }
        }
    }

    /// dx/dy = (dF⁻¹/du)·φ(y) at the values in `buffer` (the inverse's input).
    static func chainDerivative(_ buffer: UnsafeMutableBufferPointer<Float>, derivative: UnsafeMutableBufferPointer<Float>,
                                width: Int, rows: Int, indices: [Int], curves: [QuantileCurve]) {
        for r in 0..<rows {
            let base = r * width
            for (k, c) in indices.enumerated() {
                let y = Double(buffer[base + c])
                let slope = curves[k].quantile(normalCDF(y)).slope
                let density = exp(-0.5 * y * y) / (2 * Double.pi).squareRoot()
                derivative[base + c] = Float(Double(derivative[base + c]) * slope * density)
            }
        }
    }

    /// Φ(y) = ½ erfc(−y/√2).
    static func normalCDF(_ y: Double) -> Double { 0.5 * erfc(-y / 2.0.squareRoot()) }

    /// Φ⁻¹(u) for u in (0, 1): Acklam's rational approximation (relative error 1.2e-9) and one
    /// Halley step on Φ, which brings it to double precision.
    static func normalQuantile(_ u: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if u < low {
            let q = (-2 * Foundation.log(u)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if u <= 1 - low {
            let q = u - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * Foundation.log(1 - u)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = normalCDF(x) - u
        let step = e * (2 * Double.pi).squareRoot() * exp(0.5 * x * x)
        return x - step / (1 + 0.5 * x * step)
    }
}
