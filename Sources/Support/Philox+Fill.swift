extension Philox {
    /// Fills `buffer` with normal(mean, std) Floats for noise inputs (GAN latent vectors, VAE ε)
    /// inside training steps; allocation-free and vectorized.
    ///
    /// Box–Muller on both values of each pair: uniforms (b >> 8 + ½)·2⁻²⁴ from whole Philox
    /// blocks taken at `counter` (one block per 4 values, counter.0 += ⌈n/4⌉; values buffered
    /// by earlier `nextUInt32` calls stay pending), then z = √(−2 ln u₁)·(cos, sin)(2πu₂) with
    /// the polynomial `FastMath` log/sincos (|z| < 5.8, ≈1e-6 absolute agreement with libm).
    /// Bit-identical on every x86-64 machine.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
        guard let out = buffer.baseAddress else { return }
        let n = buffer.count
        let whole = n & ~3
        var i = 0
        // Eight blocks per step in SIMD lanes (the same words as `block`, ≈ 4× faster than one
        // block at a time), then single blocks for the rest.
        while i + 32 <= whole {
            let c0 = (SIMD8<UInt64>(repeating: UInt64(counter.0)) &+ SIMD8(0, 1, 2, 3, 4, 5, 6, 7)) & SIMD8(repeating: 0xFFFF_FFFF)
            let b = Philox.blocks8(c0, SIMD8(repeating: UInt64(counter.1)), SIMD8(repeating: UInt64(counter.2)),
                                   SIMD8(repeating: UInt64(counter.3)), key)
            counter.0 &+= 8
            let u0 = Philox.unit8(b.0), u1 = Philox.unit8(b.1), u2 = Philox.unit8(b.2), u3 = Philox.unit8(b.3)
            for lane in 0..<8 {
                out[i + 4 * lane] = u0[lane]
                out[i + 4 * lane + 1] = u1[lane]
                out[i + 4 * lane + 2] = u2[lane]
                out[i + 4 * lane + 3] = u3[lane]
            }
            i += 32
        }
        while i < whole {
            let b = Philox.block(counter, key)
            counter.0 &+= 1
            out[i] = Philox.unit(b.0)
            out[i + 1] = Philox.unit(b.1)
            out[i + 2] = Philox.unit(b.2)
            out[i + 3] = Philox.unit(b.3)
            i += 4
        }
        for pair in 0..<whole / 2 {
            let (c, s) = Philox.boxMuller(out[2 * pair], out[2 * pair + 1])
            out[2 * pair] = mean + std * c
            out[2 * pair + 1] = mean + std * s
        }
        if whole < n {
            let b = Philox.block(counter, key)
            counter.0 &+= 1
            let first = Philox.boxMuller(Philox.unit(b.0), Philox.unit(b.1))
            out[whole] = mean + std * first.0
            if whole + 1 < n { out[whole + 1] = mean + std * first.1 }
            if whole + 2 < n { out[whole + 2] = mean + std * Philox.boxMuller(Philox.unit(b.2), Philox.unit(b.3)).0 }
        }
    }

    /// Fills `buffer` with uniforms on (low, high), one block per 4 values as in `fillNormal`.
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Float = 0, high: Float = 1) {
        guard let out = buffer.baseAddress else { return }
        let width = high - low
        var i = 0
        while i < buffer.count {
            let b = Philox.block(counter, key)
            counter.0 &+= 1
            let values = (b.0, b.1, b.2, b.3)
            let count = min(4, buffer.count - i)
            withUnsafeBytes(of: values) { raw in
                for j in 0..<count { out[i + j] = low + width * Philox.unit(raw.load(fromByteOffset: 4 * j, as: UInt32.self)) }
            }
            i += 4
        }
    }

    /// Eight Philox4x32-10 blocks at once: lane j is `block((c0[j], c1[j], c2[j], c3[j]), key)`.
    /// Every counter word may differ per lane, so the lanes can be consecutive blocks of one
    /// stream (`fillNormal`) or the same block of eight streams (`fillNormalRows`).
    ///
    /// The 32-bit words travel in 64-bit lanes (inputs must be below 2³², and so are the
    /// outputs): the 32×32→64-bit products are then plain vector multiplies (vpmuludq) and the
    /// halves a shift and a mask, with no lane-width conversion inside the rounds (converting
    /// SIMD8<UInt32> ↔ SIMD8<UInt64> there costs an out-of-line stdlib call each time).
    @inline(never)
    static func blocks8(_ c0: SIMD8<UInt64>, _ c1: SIMD8<UInt64>, _ c2: SIMD8<UInt64>, _ c3: SIMD8<UInt64>,
                        _ key: (UInt32, UInt32)) -> (SIMD8<UInt64>, SIMD8<UInt64>, SIMD8<UInt64>, SIMD8<UInt64>) {
        var (x0, x1, x2, x3) = (c0, c1, c2, c3)
        var (k0, k1) = key
        let m0 = SIMD8<UInt64>(repeating: 0xD251_1F53), m1 = SIMD8<UInt64>(repeating: 0xCD9E_8D57)
        let low = SIMD8<UInt64>(repeating: 0xFFFF_FFFF)
        for round in 0..<10 {
            if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            // The masks are free (vpmuludq reads only the low halves) but tell LLVM that the lanes
            // hold 32-bit values; without them the loop-carried lanes get a full 64-bit multiply.
            let p0 = m0 &* (x0 & low)
            let p1 = m1 &* (x2 & low)
            let n0 = (p1 &>> 32) ^ x1 ^ SIMD8<UInt64>(repeating: UInt64(k0))
            let n1 = p1 & low
            let n2 = (p0 &>> 32) ^ x3 ^ SIMD8<UInt64>(repeating: UInt64(k1))
            let n3 = p0 & low
            (x0, x1, x2, x3) = (n0, n1, n2, n3)
        }
        return (x0, x1, x2, x3)
    }

    /// `unit` on eight words held in 64-bit lanes (exact in any order: a 24-bit integer, + ½, × 2⁻²⁴).
    @inline(__always)
    static func unit8(_ bits: SIMD8<UInt64>) -> SIMD8<Float> {
        (SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: bits &>> 8)) + 0.5) * (1.0 / 16_777_216.0)
    }

    /// 24-bit uniform in (0, 1).
    @inline(__always)
    static func unit(_ bits: UInt32) -> Float {
        (Float(bits >> 8) + 0.5) * (1.0 / 16_777_216.0)
    }

    /// (r cos θ, r sin θ) with r = √(−2 ln u₁), θ = 2πu₂.
    @inline(__always)
    static func boxMuller(_ u1: Float, _ u2: Float) -> (Float, Float) {
        let r = FastMath.squareRoot(-2 * FastMath.log(u1))
        let (s, c) = FastMath.sinCosTurns(u2)
        return (r * c, r * s)
    }
}
