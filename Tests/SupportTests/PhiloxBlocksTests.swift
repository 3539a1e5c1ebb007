import XCTest
@testable import Support

/// The eight-lane Philox kernel against its plain twin, the scalar `Philox.block`: the noise of
/// every generated event and training step must not change by a single bit when it is vectorised.
final class PhiloxBlocksTests: XCTestCase {
    func testBlocks8LanesEqualScalarBlocksIncludingCounterWrap() {
        for (c0, key) in [(UInt32(0), (UInt32(1), UInt32(0))), (0xFFFF_FFFC, (0xDEAD_BEEF, 0x0123_4567)), (12345, (7, 9))] {
            let lanes = SIMD8<UInt64>(truncatingIfNeeded: SIMD8<UInt32>(repeating: c0) &+ SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7))
            let b = Philox.blocks8(lanes, SIMD8(repeating: 0x47454E), SIMD8(repeating: 77), SIMD8(repeating: 3), key)
            for j in 0..<8 {
                let s = Philox.block((c0 &+ UInt32(j), 0x47454E, 77, 3), key)
                XCTAssertEqual([b.0[j], b.1[j], b.2[j], b.3[j]], [s.0, s.1, s.2, s.3].map(UInt64.init), "c0 \(c0) lane \(j)")
            }
        }
    }

    /// Lanes that differ in every counter word (the layout of `fillNormalRows`: one stream per lane).
    func testBlocks8LanesMayDifferInEveryCounterWord() {
        let c0 = SIMD8<UInt64>(0, 1, 5, 0xFFFF_FFFF, 9, 2, 3, 7), c1 = SIMD8<UInt64>(7, 0, 0x47454E, 1, 1, 2, 3, 4)
        let c2 = SIMD8<UInt64>(0xFFFF_FFFE, 0xFFFF_FFFF, 0, 1, 2, 3, 4, 5), c3 = SIMD8<UInt64>(0, 0, 1, 1, 1, 9, 0xFFFF_FFFF, 6)
        let key = (UInt32(0x9E37_79B9), UInt32(42))
        let b = Philox.blocks8(c0, c1, c2, c3, key)
        for j in 0..<8 {
            let s = Philox.block((UInt32(c0[j]), UInt32(c1[j]), UInt32(c2[j]), UInt32(c3[j])), key)
            XCTAssertEqual([b.0[j], b.1[j], b.2[j], b.3[j]], [s.0, s.1, s.2, s.3].map(UInt64.init), "lane \(j)")
        }
    }

    /// fillNormal is bitwise the one-block-at-a-time algorithm (units, then Box–Muller on pairs)
    /// for lengths around the 32-value vector step, mean/std included, and leaves the same counter.
    func testFillNormalIsBitwiseTheScalarAlgorithm() {
        for n in [1, 3, 4, 31, 32, 33, 63, 64, 65, 96, 101] {
            var rng = Philox(seed: 0xABCDEF, stream: 42, substream: 5)
            rng.counter.0 = 0xFFFF_FFF0   // wraps inside the buffer for n > 64
            var twin = rng
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            defer { buffer.deallocate() }
            rng.fillNormal(buffer, mean: 0.25, std: 1.5)
            var expected: [Float] = []
            while expected.count < n {
                let b = Philox.block(twin.counter, twin.key)
                twin.counter.0 &+= 1
                for (u1, u2) in [(b.0, b.1), (b.2, b.3)] {
                    let (c, s) = Philox.boxMuller(Philox.unit(u1), Philox.unit(u2))
                    expected += [0.25 + 1.5 * c, 0.25 + 1.5 * s]
                }
            }
            // The scalar tail draws only the pairs it needs; its third value is the cosine of pair 2.
            XCTAssertEqual(Array(buffer).map(\.bitPattern), expected.prefix(n).map(\.bitPattern), "n \(n)")
            XCTAssertEqual(rng.counter.0, twin.counter.0, "n \(n)")
        }
    }
}
