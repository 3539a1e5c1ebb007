/// Elementary functions written as plain Float arithmetic so that loops over them vectorize.
///
/// On Linux, Swift's `Float.squareRoot()` lowers to sqrtss plus an errno-setting `sqrtf`
/// fallback call, and `log`/`sin`/`cos` are libm calls; either keeps a loop scalar (Adam,
/// Adadelta, noise generation). These versions are also bit-identical on every x86-64
/// machine, independent of the libm build. Polynomials: Cephes single precision.
public enum FastMath {
    /// √x for x ≥ 0: bit-trick 1/√x, three Newton steps, times x. Relative error ≲ 3e-7 for
    /// normal x; √0 = 0; subnormal x is only approximated (irrelevant next to any ε).
    @inline(__always)
    public static func squareRoot(_ x: Float) -> Float {
        var r = Float(bitPattern: 0x5F37_5A86 &- (x.bitPattern >> 1))
        let half = 0.5 * x
        r = r * (1.5 - half * r * r)
        r = r * (1.5 - half * r * r)
        r = r * (1.5 - half * r * r)
        return x * r
    }

    /// ln x for normal x > 0 (relative error ≈ 1e-7); not for 0, subnormals, inf or NaN.
    @inline(__always)
    public static func log(_ x: Float) -> Float {
        let bits = x.bitPattern
        // x = m·2^e with m in [√½, √2).
        var e = Int32(bitPattern: (bits >> 23) & 0xFF) &- 126
        var m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000)   // [0.5, 1)
        let small = m < 0.707_106_77
        e = small ? e &- 1 : e
        m = small ? m + m : m
        let f = m - 1
        let z = f * f
        var p: Float = 7.037_683_6e-2
        p = p * f - 1.151_461_0e-1
        p = p * f + 1.167_699_9e-1
        p = p * f - 1.242_014_1e-1
        p = p * f + 1.424_932_3e-1
        p = p * f - 1.666_805_8e-1
        p = p * f + 2.000_071_5e-1
        p = p * f - 2.499_999_4e-1
        p = p * f + 3.333_333_1e-1
        let fe = Float(e)
        var y = f * z * p
        y += fe * -2.121_944_4e-4
        y += -0.5 * z
        return f + y + fe * 0.693_359_375
    }

    /// (sin 2πt, cos 2πt) for 0 ≤ t < 2²⁰ (t in turns), absolute error ≈ 1e-7.
    @inline(__always)
    public static func sinCosTurns(_ t: Float) -> (Float, Float) {
        // Nearest quarter turn q, remainder x in [−π/4, π/4]. Adding 1.5·2²³ rounds to an
        // integer held in the low mantissa bits (no trapping Float → Int conversion).
        let quarters = 4 * t
        let shifted = quarters + 12_582_912
        let q = Int32(bitPattern: shifted.bitPattern)
        let x = (quarters - (shifted - 12_582_912)) * (Float.pi / 2)
        let z = x * x
        let s = x + x * z * ((-1.951_529_6e-4 * z + 8.332_160_9e-3) * z - 1.666_665_5e-1)
        let c = 1 - 0.5 * z + z * z * ((2.443_315_7e-5 * z - 1.388_731_6e-3) * z + 4.166_664_6e-2)
        let swap = q & 1 != 0
        let sine = swap ? c : s, cosine = swap ? s : c
        // Quadrants 2, 3 negate sine; quadrants 1, 2 negate cosine.
        let sineSign = UInt32(bitPattern: q & 2) << 30
        let cosineSign = UInt32(bitPattern: (q &+ 1) & 2) << 30
        return (Float(bitPattern: sine.bitPattern ^ sineSign), Float(bitPattern: cosine.bitPattern ^ cosineSign))
    }
}
