import Foundation
import Support

/// Elementary samplers on one Philox stream. Every draw is a pure function of the stream, so an
/// event is reproducible from (seed, event index, attempt) alone.
enum Sampling {
    /// Uniform in the open interval (0, 1) from one 32-bit draw (half the Philox cost of
    /// `Philox.uniform()`, ample resolution for the generator).
    @inline(__always)
    static func uniform(_ g: inout Philox) -> Double {
        (Double(g.nextUInt32()) + 0.5) * 0x1p-32
    }

    /// Two independent standard normals by Box–Muller (both partners used).
    @inline(__always)
    static func normalPair(_ g: inout Philox) -> (Double, Double) {
        let r = (-2 * Foundation.log(uniform(&g))).squareRoot()
        let a = 2 * Double.pi * uniform(&g)
        return (r * Foundation.cos(a), r * Foundation.sin(a))
    }

    /// cosθ distributed as (1 + cos²θ) on [−1, 1] by exact inversion: F(c) = (c³/3 + c + 4/3)·3/8,
    /// so c solves the depressed cubic c³ + 3c + 4 − 8u = 0, whose one real root is t − 1/t with
    /// t = ∛(s + √(s² + 1)), s = 4u − 2.
    @inline(__always)
    static func cosThetaOnePlusCosSquared(_ u: Double) -> Double {
        let s = 4 * u - 2
        let t = Foundation.cbrt(s + (s * s + 1).squareRoot())
        return t - 1 / t
    }

    /// Relativistic Breit–Wigner in m² restricted to the model's mass window.
    @inline(__always)
    static func breitWignerMass(_ u: Double, _ model: ProcessModel) -> Double {
        let theta = model.bwThetaLow + u * model.bwThetaSpan
        let m2 = ProcessModel.zMass * ProcessModel.zMass
            + ProcessModel.zMass * ProcessModel.zWidth * Foundation.tan(theta)
        return m2.squareRoot()
    }

    /// Mass from the γ* continuum, density ∝ 1/m² on [massLow, massHigh].
    @inline(__always)
    static func continuumMass(_ u: Double) -> Double {
        let a = 1 / ProcessModel.massLow, b = 1 / ProcessModel.massHigh
        return 1 / (a - u * (a - b))
    }

    /// Sum of `count` soft-particle pTs, each `threshold` + Exp(mean `scale`); one log per
    /// batch of uniforms instead of one per particle.
    @inline(__always)
    static func softSum(_ count: Int, threshold: Double, scale: Double, _ g: inout Philox) -> Double {
        if count == 0 { return 0 }
        var logProduct = 0.0, product = 1.0
        for _ in 0..<count {
            product *= uniform(&g)
            if product < 1e-250 { logProduct += Foundation.log(product); product = 1 }
        }
        logProduct += Foundation.log(product)
        return Double(count) * threshold - scale * logProduct
    }
}

/// Power-law pT above `minimum`: P(pT > x) = (minimum/x)^index, truncated at `maximum`.
struct ParetoPt: Sendable {
    let minimum: Double
    let floor: Double
    let power: Double

    init(minimum: Double, index: Double, maximum: Double = 1000) {
        precondition(minimum > 0 && index > 0 && maximum > minimum, "Pareto pT needs 0 < minimum < maximum, index > 0")
        self.minimum = minimum
        floor = Foundation.pow(minimum / maximum, index)
        power = -1 / index
    }

    @inline(__always)
    func sample(_ u: Double) -> Double {
        minimum * Foundation.pow(floor + u * (1 - floor), power)
    }
}
