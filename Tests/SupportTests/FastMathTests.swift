import Foundation
import XCTest
@testable import Support

/// The vectorizable Float functions against Double libm, and the noise fillers against a plain
/// Double Box–Muller twin on the same Philox blocks.
final class FastMathTests: XCTestCase {
    func testSquareRoot() {
        var worst = 0.0
        var x: Float = 1.17549435e-38
        while x < 1e38 {
            for m: Float in [1, 1.37, 2.9, 7.77] {
                let v = x * m
                worst = max(worst, abs(Double(FastMath.squareRoot(v)) / Double(v).squareRoot() - 1))
            }
            x *= 3.1
        }
        XCTAssertLessThan(worst, 4e-7)
        XCTAssertEqual(FastMath.squareRoot(0), 0)
    }

    func testLogarithm() {
        var worst = 0.0
        var rng = Philox(seed: 4, stream: 4)
        for _ in 0..<100_000 {
            let u = Philox.unit(rng.nextUInt32())
            worst = max(worst, abs(Double(FastMath.log(u)) - Foundation.log(Double(u))))
        }
        for x: Float in [1e-30, 0.5, 0.7071, 0.70711, 1, 1.5, 2, 1e30] {
            XCTAssertEqual(Double(FastMath.log(x)), Foundation.log(Double(x)), accuracy: 3e-7 * max(1, abs(Foundation.log(Double(x)))), "\(x)")
        }
        XCTAssertLessThan(worst, 1e-6)
    }

    func testSinCosTurns() {
        var worst = 0.0
        for i in 0...100_000 {
            let t = Float(i) / 100_000
            let (s, c) = FastMath.sinCosTurns(t)
            let angle = 2 * Double.pi * Double(t)
            worst = max(worst, abs(Double(s) - sin(angle)), abs(Double(c) - cos(angle)))
        }
        XCTAssertLessThan(worst, 5e-7)
    }

    /// Same blocks, Double math: values agree to 2e-6, and the counter advances ⌈n/4⌉ blocks.
    func testFillNormalMatchesDoubleTwin() {
        for n in [1, 2, 3, 4, 5, 7, 64, 1001] {
            var rng = Philox(seed: 9, stream: 3)
            let start = rng.counter.0
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            defer { buffer.deallocate() }
            rng.fillNormal(buffer, mean: 0.5, std: 2)
            XCTAssertEqual(rng.counter.0 - start, UInt32((n + 3) / 4))
            var twin = Philox(seed: 9, stream: 3)
            var expected: [Double] = []
            while expected.count < n {
                let b = Philox.block(twin.counter, twin.key)
                twin.counter.0 &+= 1
                for (u1, u2) in [(b.0, b.1), (b.2, b.3)] {
                    let r = (-2 * Foundation.log(Double(Philox.unit(u1)))).squareRoot()
                    let angle = 2 * Double.pi * Double(Philox.unit(u2))
                    expected += [0.5 + 2 * r * cos(angle), 0.5 + 2 * r * sin(angle)]
                }
            }
            for (i, (got, want)) in zip(buffer, expected.prefix(n)).enumerated() {
                XCTAssertLessThanOrEqual(abs(Double(got) - want), 1e-5 + 1e-6 * abs(want), "fillNormal n=\(n) index \(i)")
            }
        }
    }

    func testFillNormalMomentsAndUniformRange() {
        let n = 200_000
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { buffer.deallocate() }
        var rng = Philox(seed: 1, stream: 0)
        rng.fillNormal(buffer)
        let values = buffer.map(Double.init)
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let kurtosis = values.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n) / (variance * variance)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.015)
        XCTAssertEqual(kurtosis, 3, accuracy: 0.05)
        rng.fillUniform(buffer, low: -2, high: 3)
        XCTAssertTrue(buffer.allSatisfy { $0 > -2 && $0 < 3 })
        XCTAssertEqual(buffer.reduce(0) { $0 + Double($1) } / Double(n), 0.5, accuracy: 0.02)
    }
}
