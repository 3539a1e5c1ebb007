import XCTest
@testable import NN
@testable import Support

/// Deterministic test values in (low, high).
func randomValues(_ count: Int, seed: UInt64, low: Double = -1, high: Double = 1) -> [Float] {
    var rng = Philox(seed: seed, stream: 12_345)
    return (0..<count).map { _ in Float(low + (high - low) * rng.uniform()) }
}

/// |a − b| ≤ absolute + relative·|b| elementwise, with the worst index in the message.
func assertClose(_ actual: [Float], _ expected: [Double], absolute: Double = 1e-5, relative: Double = 1e-3,
                 _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): count", file: file, line: line)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(actual.count, expected.count) {
        let excess = abs(Double(actual[i]) - expected[i]) - (absolute + relative * abs(expected[i]))
        if excess > worst { worst = excess; worstIndex = i }
    }
    if worstIndex >= 0 {
        XCTFail("\(what): index \(worstIndex) got \(actual[worstIndex]) expected \(expected[worstIndex])", file: file, line: line)
    }
}

func assertClose(_ actual: [Float], _ expected: [Float], absolute: Double = 1e-5, relative: Double = 1e-3,
                 _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual, expected.map(Double.init), absolute: absolute, relative: relative, what, file: file, line: line)
}

/// Central finite difference of `f` with respect to every coordinate of `x` (Double).
func finiteDifference(_ x: [Double], step h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var probe = x
    return x.indices.map { i in
        probe[i] = x[i] + h
        let up = f(probe)
        probe[i] = x[i] - h
        let down = f(probe)
        probe[i] = x[i]
        return (up - down) / (2 * h)
    }
}

extension Activation {
    /// Double-precision f(z) for the reference model.
    func applyDouble(_ z: Double) -> Double {
        switch self {
        case .linear: return z
        case .relu: return max(z, 0)
        case .leakyReLU(let a): return z > 0 ? z : Double(a) * z
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        }
    }

    /// Double-precision f'(z) from the pre-activation z.
    func derivativeDouble(_ z: Double) -> Double {
        switch self {
        case .linear: return 1
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU(let a): return z > 0 ? 1 : Double(a)
        case .tanh: let t = Foundation.tanh(z); return 1 - t * t
        case .sigmoid: let s = 1 / (1 + Foundation.exp(-z)); return s * (1 - s)
        }
    }
}

extension UnsafeMutableBufferPointer where Element == Float {
    /// The first `count` values as an array (test convenience).
    func prefixArray(_ count: Int) -> [Float] { Array(self[0..<count]) }
}
