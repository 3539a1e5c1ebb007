import Foundation
import XCTest
@testable import NN
@testable import Support

/// The MMD kernel against its plain Double twin, the twin's gradient against central differences,
/// and the row split (ranks) leaving every row's gradient bit for bit.
final class MixtureMMDTests: XCTestCase {
    /// Column-major padded copy of row-major points (`MixtureMMD`'s layout).
    func columns(_ rows: [Double], d: Int) -> [Float] {
        let n = rows.count / d, stride = MixtureMMD.stride(n)
        var out = [Float](repeating: MixtureMMD.padding, count: stride * d)
        for i in 0..<n { for a in 0..<d { out[a * stride + i] = Float(rows[i * d + a]) } }
        return out
    }

    func testKernelMatchesItsTwinAndTheTwinMatchesFiniteDifferences() {
        let d = 3, n = 13, m = 11
        var rng = Philox(seed: 5, stream: 2)
        let x = (0..<(n * d)).map { _ in rng.normal() + 0.4 }, y = (0..<(m * d)).map { _ in 1.3 * rng.normal() }
        // nil: the additive (joint false) or joint kernel; else blocks (one quantity alone, two together: mmd_columns).
        let cases: [(Int, Bool, [Range<Int>]?)] = [(1, false, nil), (4, false, nil), (1, true, nil), (4, true, nil),
                                                   (1, false, [0..<1, 1..<3]), (4, false, [0..<2, 2..<3])]
        for (kernels, joint, blocks) in cases {
            let reference = MixtureMMD.reference(generated: x, real: y, dimensions: d, bandwidth: 1.5, kernels: kernels, joint: joint,
                                                 blocks: blocks)
            XCTAssertGreaterThan(reference.value, 1e-3, "the samples differ")
            // The twin's gradient against central differences of its value (Double: tight).
            var worst = 0.0
            for i in x.indices {
                var up = x, down = x
                up[i] += 1e-5
                down[i] -= 1e-5
                let numeric = (MixtureMMD.reference(generated: up, real: y, dimensions: d, bandwidth: 1.5, kernels: kernels, joint: joint,
                                                    blocks: blocks).value
                    - MixtureMMD.reference(generated: down, real: y, dimensions: d, bandwidth: 1.5, kernels: kernels, joint: joint,
                                           blocks: blocks).value) / 2e-5
                worst = max(worst, abs(numeric - reference.gradient[i]))
            }
            XCTAssertLessThan(worst, 1e-8 + 1e-6 * (reference.gradient.map(abs).max() ?? 0))
            // The SIMD kernel, whole and split in three row ranges (as over three ranks).
            let kernel = blocks.map { MixtureMMD(dimensions: d, bandwidth: 1.5, kernels: kernels, blocks: $0) }
                ?? MixtureMMD(dimensions: d, bandwidth: 1.5, kernels: kernels, joint: joint)
            let xc = columns(x, d: d), yc = columns(y, d: d)
            func run(_ rows: Range<Int>, _ realRows: Range<Int>) -> (Double, [Float]) {
                var g = [Float](repeating: .nan, count: rows.count * d)
                let v = xc.withUnsafeBufferPointer { xb in
                    yc.withUnsafeBufferPointer { yb in
                        g.withUnsafeMutableBufferPointer {
                            kernel.evaluate(generated: xb.baseAddress!, count: n, real: yb.baseAddress!, count: m, rows: rows,
                                            realRows: realRows, gradient: $0)
                        }
                    }
                }
                return (v, g)
            }
            let whole = run(0..<n, 0..<m)
            let parts = [run(0..<4, 0..<3), run(4..<9, 3..<7), run(9..<n, 7..<m)]
            XCTAssertEqual(whole.1.map(\.bitPattern), parts.flatMap { $0.1 }.map(\.bitPattern), "a row's gradient does not depend on the split")
            XCTAssertEqual(parts.reduce(0) { $0 + $1.0 }, whole.0, accuracy: 1e-12 + 1e-9 * whole.0)
            XCTAssertEqual(whole.0, reference.value, accuracy: 2e-6 * Double(kernels * d))
            let scale = reference.gradient.map(abs).max() ?? 0
            for i in x.indices {
                XCTAssertEqual(Double(whole.1[i]), reference.gradient[i], accuracy: 2e-5 * scale,
                               "entry \(i), \(kernels) kernels, joint \(joint), blocks \(String(describing: blocks))")
            }
            // The blocks form of the additive and the joint kernel gives their bits (the general loop is not taken).
            if blocks == nil {
                let same = MixtureMMD(dimensions: d, bandwidth: 1.5, kernels: kernels, blocks: joint ? [0..<d] : (0..<d).map { $0..<($0 + 1) })
                var g = [Float](repeating: .nan, count: n * d)
                let v = xc.withUnsafeBufferPointer { xb in
                    yc.withUnsafeBufferPointer { yb in
                        g.withUnsafeMutableBufferPointer {
                            same.evaluate(generated: xb.baseAddress!, count: n, real: yb.baseAddress!, count: m, rows: 0..<n,
                                          realRows: 0..<m, gradient: $0)
                        }
                    }
                }
                XCTAssertEqual(v.bitPattern, whole.0.bitPattern)
                XCTAssertEqual(g.map(\.bitPattern), whole.1.map(\.bitPattern))
            }
        }
        // One block holding every dimension is the joint kernel; blocks of 1 the additive one (twin values).
        let joint = MixtureMMD.reference(generated: x, real: y, dimensions: d, bandwidth: 1.5, kernels: 3, joint: true)
        let one = MixtureMMD.reference(generated: x, real: y, dimensions: d, bandwidth: 1.5, kernels: 3, blocks: [0..<d])
        XCTAssertEqual(joint.value, one.value)
        XCTAssertEqual(joint.gradient, one.gradient)
    }

    /// Identical samples: MMD² = 0 up to float rounding, and no pull.
    func testIdenticalSamplesGiveZero() {
        let d = 2, n = 9
        var rng = Philox(seed: 8, stream: 1)
        let x = (0..<(n * d)).map { _ in rng.normal() }
        let kernel = MixtureMMD(dimensions: d, bandwidth: 2, kernels: 5, joint: true)
        let c = columns(x, d: d)
        var g = [Float](repeating: .nan, count: n * d)
        let v = c.withUnsafeBufferPointer { cb in
            g.withUnsafeMutableBufferPointer {
                kernel.evaluate(generated: cb.baseAddress!, count: n, real: cb.baseAddress!, count: n, rows: 0..<n, realRows: 0..<n,
                                gradient: $0)
            }
        }
        XCTAssertEqual(v, 0, accuracy: 1e-6)
        XCTAssertLessThan(g.map { abs($0) }.max() ?? 1, 1e-6)
    }

    /// The kernel's exp against Foundation's, down to where it flushes to 0.
    func testFastExp() {
        var worst = 0.0
        for i in 0..<950 {
            let x = -Float(i) * 0.09
            let exact = Foundation.exp(Double(x))
            let lanes = MixtureMMD.exp(SIMD8(repeating: x))
            worst = max(worst, abs(Double(lanes[0]) - exact) / exact)
            XCTAssertEqual(lanes[0], lanes[7])
        }
        XCTAssertLessThan(worst, 5e-7)
        XCTAssertLessThan(MixtureMMD.exp(SIMD8(repeating: -1e30))[2], 2e-38, "held at e^-87")
        XCTAssertEqual(MixtureMMD.exp(SIMD8(repeating: -0.0))[2], 1)
    }
}
