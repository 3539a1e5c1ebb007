import XCTest
@testable import Support

final class PhiloxTests: XCTestCase {
    /// Known-answer vectors from Random123's kat_vectors (philox4x32, 10 rounds).
    func testKnownAnswerVectors() {
        let zero = Philox.block((0, 0, 0, 0), (0, 0))
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox.block((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff))
        XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox.block((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0))
        XCTAssertEqual([pi.0, pi.1, pi.2, pi.3], [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    func testStreamsAreIndependentOfOrder() {
        var a = Philox(seed: 42, stream: 7)
        let first = (0..<10).map { _ in a.nextUInt32() }
        var b = Philox(seed: 42, stream: 7)
        XCTAssertEqual((0..<10).map { _ in b.nextUInt32() }, first)
        var c = Philox(seed: 42, stream: 8)
        XCTAssertNotEqual((0..<10).map { _ in c.nextUInt32() }, first)
    }

    func testUniformAndNormalMoments() {
        var g = Philox(seed: 1, stream: 0)
        let n = 200_000
        var s = 0.0, s2 = 0.0, u = 0.0
        for _ in 0..<n { let x = g.normal(); s += x; s2 += x * x; u += g.uniform() }
        XCTAssertEqual(s / Double(n), 0, accuracy: 0.01)
        XCTAssertEqual(s2 / Double(n), 1, accuracy: 0.015)
        XCTAssertEqual(u / Double(n), 0.5, accuracy: 0.003)
        var p = 0.0
        for _ in 0..<n { p += Double(g.poisson(20)) }
        XCTAssertEqual(p / Double(n), 20, accuracy: 0.05)
    }
}
