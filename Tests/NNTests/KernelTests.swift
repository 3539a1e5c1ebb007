import XCTest
@testable import NN
@testable import Support

final class KernelTests: XCTestCase {
    static let activations: [Activation] = [.linear, .relu, .leakyReLU(0.2), .tanh, .sigmoid]

    func testFusedBiasActivationMatchesTwin() {
        let (rows, cols) = (5, 7)
        let bias = randomValues(cols, seed: 10)
        for activation in Self.activations {
            var fast = randomValues(rows * cols, seed: 11, low: -3, high: 3), slow = fast
            fast.withUnsafeMutableBufferPointer { Kernels.biasActivation($0.baseAddress!, bias: bias, rows: rows, cols: cols, activation: activation) }
            slow.withUnsafeMutableBufferPointer { Kernels.referenceBiasActivation($0.baseAddress!, bias: bias, rows: rows, cols: cols, activation: activation) }
            assertClose(fast, slow, absolute: 1e-7, relative: 1e-6, "forward \(activation)")
            if activation == .relu { XCTAssertTrue(fast.contains(0) && fast.allSatisfy { $0 >= 0 }) }
        }
    }

    func testFusedBackwardMatchesTwinWithAndWithoutBiasGradient() {
        let (rows, cols) = (6, 5)
        for activation in Self.activations {
            var y = randomValues(rows * cols, seed: 12, low: -2, high: 2)
            let bias = [Float](repeating: 0, count: cols)
            y.withUnsafeMutableBufferPointer { Kernels.referenceBiasActivation($0.baseAddress!, bias: bias, rows: rows, cols: cols, activation: activation) }
            let dy = randomValues(rows * cols, seed: 13)
            for accumulate in [false, true] {
                let start = randomValues(cols, seed: 14)
                var fastBias = start, slowBias = start
                var fast = [Float](repeating: 0, count: rows * cols), slow = fast
                fast.withUnsafeMutableBufferPointer { dz in
                    fastBias.withUnsafeMutableBufferPointer { bg in
                        Kernels.activationBackward(dy: dy, y: y, dz: dz.baseAddress!, rows: rows, cols: cols, activation: activation,
                                                   biasGradient: bg.baseAddress!, accumulate: accumulate)
                    }
                }
                slow.withUnsafeMutableBufferPointer { dz in
                    slowBias.withUnsafeMutableBufferPointer { bg in
                        Kernels.referenceActivationBackward(dy: dy, y: y, dz: dz.baseAddress!, rows: rows, cols: cols, activation: activation,
                                                            biasGradient: bg.baseAddress!, accumulate: accumulate)
                    }
                }
                assertClose(fast, slow, absolute: 1e-7, relative: 1e-6, "dz \(activation)")
                assertClose(fastBias, slowBias, absolute: 1e-6, relative: 1e-5, "bias \(activation) accumulate \(accumulate)")
            }
            // In place (dz == dy), no bias gradient.
            var inPlace = dy, slow = [Float](repeating: 0, count: rows * cols)
            inPlace.withUnsafeMutableBufferPointer { d in
                Kernels.activationBackward(dy: d.baseAddress!, y: y, dz: d.baseAddress!, rows: rows, cols: cols, activation: activation,
                                           biasGradient: nil, accumulate: false)
            }
            slow.withUnsafeMutableBufferPointer {
                Kernels.referenceActivationBackward(dy: dy, y: y, dz: $0.baseAddress!, rows: rows, cols: cols, activation: activation,
                                                    biasGradient: nil, accumulate: false)
            }
            assertClose(inPlace, slow, absolute: 1e-7, relative: 1e-6, "in place \(activation)")
        }
    }

    /// Scalar derivative-from-output against a finite difference of apply (the identity the
    /// output-only backward relies on).
    func testDerivativeFromOutputMatchesFiniteDifference() {
        for activation in Self.activations {
            for z in stride(from: -2.95, through: 2.95, by: 0.5) {
                let y = activation.apply(Float(z))
                let fd = (activation.applyDouble(z + 1e-6) - activation.applyDouble(z - 1e-6)) / 2e-6
                XCTAssertEqual(Double(activation.derivative(output: y)), fd, accuracy: 1e-5, "\(activation) at \(z)")
            }
        }
    }
}
