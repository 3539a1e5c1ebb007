/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
/// counter-based generator behind every random stream in latentsim. A stream is a pure function
/// of (key, counter): event i of a table, or sample i of a generation job, gets its own stream
/// `Philox(seed:, stream:)`, so results never depend on which rank produced them.
public struct Philox: Sendable {
    public var key: (UInt32, UInt32)
    public var counter: (UInt32, UInt32, UInt32, UInt32)
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var available = 0

    /// Raw generator on an explicit key and counter.
    public init(key: (UInt32, UInt32), counter: (UInt32, UInt32, UInt32, UInt32)) {
        self.key = key
        self.counter = counter
    }

    /// Stream `stream` (e.g. an event index) of `seed`; `substream` separates independent uses
    /// (retries, purposes) of the same stream index.
    public init(seed: UInt64, stream: UInt64, substream: UInt32 = 0) {
        self.init(key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)),
                  counter: (0, substream, UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)))
    }

    /// One Philox4x32-10 block for the given counter and key (no state change).
    @inline(__always)
    public static func block(_ c: (UInt32, UInt32, UInt32, UInt32), _ k: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = c
        var (k0, k1) = k
        for round in 0..<10 {
            if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n1 = UInt32(truncatingIfNeeded: p1)
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            let n3 = UInt32(truncatingIfNeeded: p0)
            (c0, c1, c2, c3) = (n0, n1, n2, n3)
        }
        return (c0, c1, c2, c3)
    }

    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        if available == 0 {
            buffer = Philox.block(counter, key)
            counter.0 &+= 1
            available = 4
        }
        available -= 1
        switch available {
        case 3: return buffer.0
        case 2: return buffer.1
        case 1: return buffer.2
        default: return buffer.3
        }
    }

    @inline(__always)
    public mutating func nextUInt64() -> UInt64 {
        UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
    }

    /// Uniform in the open interval (0, 1), 53-bit resolution; never exactly 0 or 1.
    @inline(__always)
    public mutating func uniform() -> Double {
        (Double(nextUInt64() >> 11) + 0.5) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in (0, 1) at float resolution (24 bits), from a single 32-bit draw.
    @inline(__always)
    public mutating func uniformFloat() -> Float {
        (Float(nextUInt32() >> 8) + 0.5) * (1.0 / 16_777_216.0)
    }

    /// Standard normal by Box–Muller (one value per call; the pair partner is discarded so the
    /// stream position stays a simple function of the number of calls).
    @inline(__always)
    public mutating func normal() -> Double {
        let u1 = uniform(), u2 = uniform()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }

    /// Exponential with mean 1.
    @inline(__always)
    public mutating func exponential() -> Double { -_log(uniform()) }

    /// Integer uniform in 0..<n (n > 0), by Lemire's multiply-shift (bias < 2^-32 · n).
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        Int((UInt64(nextUInt32()) &* UInt64(n)) >> 32)
    }

    /// Poisson(mean): inversion by sequential search for small means, normal approximation with
    /// continuity correction above 60 (not used by the built-in generators).
    public mutating func poisson(_ mean: Double) -> Int {
        if mean <= 0 { return 0 }
        if mean > 60 { return max(0, Int((mean + mean.squareRoot() * normal() + 0.5).rounded(.down))) }
        var k = 0
        var p = _exp(-mean)
        var cdf = p
        let u = uniform()
        while u > cdf && k < 10_000 {
            k += 1
            p *= mean / Double(k)
            cdf += p
        }
        return k
    }
}
