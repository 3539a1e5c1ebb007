import Foundation
import Support

/// The elementwise passes of a dense layer, each fused into one sweep over a batch × width
/// row-major block, with plain reference twins (`Kernels+Reference.swift`) for the tests.
enum Kernels {
    /// y ← f(y + bias) row by row (y holds x·W on entry).
    static func biasActivation(_ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
                               rows: Int, cols: Int, activation: Activation) {
        switch activation {
        case .linear: mapRows(y, bias, rows, cols) { $0 }
        case .relu: mapRows(y, bias, rows, cols) { $0 > 0 ? $0 : 0 }
        case .leakyReLU(let slope): mapRows(y, bias, rows, cols) { $0 > 0 ? $0 : slope * $0 }
        case .tanh: mapRows(y, bias, rows, cols) { Foundation.tanh($0) }
        case .sigmoid: mapRows(y, bias, rows, cols) { 1 / (1 + Foundation.exp(-$0)) }
        }
    }

    /// dz ← dy ⊙ f'(z) (through the stored output y); dz may be dy itself, but only distinct
    /// buffers vectorize (the aliasing check fails for in-place calls). With a bias gradient,
    /// also bias ← (accumulate ? bias : 0) + Σ_rows dz in the same sweep.
    static func activationBackward(dy: UnsafePointer<Float>, y: UnsafePointer<Float>,
                                   dz: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                   activation: Activation,
                                   biasGradient: UnsafeMutablePointer<Float>?, accumulate: Bool) {
        if let bias = biasGradient, !accumulate { bias.update(repeating: 0, count: cols) }
        switch activation {
        case .linear:
            backwardRows(dy, y, dz, rows, cols, biasGradient) { g, _ in g }
        case .relu:
            backwardRows(dy, y, dz, rows, cols, biasGradient) { g, out in out > 0 ? g : 0 }
        case .leakyReLU(let slope):
            backwardRows(dy, y, dz, rows, cols, biasGradient) { g, out in out > 0 ? g : slope * g }
        case .tanh:
            backwardRows(dy, y, dz, rows, cols, biasGradient) { g, out in g * (1 - out * out) }
        case .sigmoid:
            backwardRows(dy, y, dz, rows, cols, biasGradient) { g, out in g * (out * (1 - out)) }
        }
    }

    @inline(__always)
    private static func mapRows(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>,
                                _ rows: Int, _ cols: Int, _ f: (Float) -> Float) {
        for r in 0..<rows {
            let row = y + r * cols
            for c in 0..<cols { row[c] = f(row[c] + bias[c]) }
        }
    }

    @inline(__always)
    private static func backwardRows(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                     _ dz: UnsafeMutablePointer<Float>, _ rows: Int, _ cols: Int,
                                     _ biasGradient: UnsafeMutablePointer<Float>?,
                                     _ f: (Float, Float) -> Float) {
        if let bias = biasGradient {
            for r in 0..<rows {
                let o = r * cols
                let gIn = dy + o, out = y + o, gOut = dz + o
                for c in 0..<cols {
                    let d = f(gIn[c], out[c])
                    gOut[c] = d
                    bias[c] += d
                }
            }
        } else {
            for i in 0..<rows * cols { dz[i] = f(dy[i], y[i]) }
        }
    }
}

extension Kernels {
    /// y ← f(y) (no bias): the activation alone, after a pass that already added the bias.
    static func activate(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, activation: Activation) {
        guard activation != .linear else { return }
        for i in 0..<(rows * cols) { y[i] = activation.apply(y[i]) }
    }
}
