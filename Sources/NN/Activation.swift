import Foundation
import Support

/// Elementwise activation applied after a dense layer's affine map.
///
/// Backward passes use the derivative expressed through the layer *output* y = f(z), so only
/// outputs are stored: ReLU/LeakyReLU use sign(y) (valid for slope α ≥ 0), tanh 1 − y²,
/// sigmoid y(1 − y).
public enum Activation: Sendable, Equatable, CustomStringConvertible {
    case linear
    case relu
    /// max-like: z for z > 0, α·z otherwise; requires α ≥ 0.
    case leakyReLU(Float)
    case tanh
    case sigmoid

    /// ReLU-family layers get He initialisation, the others Xavier.
    public var isReLUFamily: Bool {
        switch self {
        case .relu, .leakyReLU: return true
        case .linear, .tanh, .sigmoid: return false
        }
    }

    public var description: String {
        switch self {
        case .linear: return "linear"
        case .relu: return "relu"
        case .leakyReLU(let a): return "leakyReLU(\(a))"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        }
    }

    /// f(z), scalar reference.
    @inline(__always)
    public func apply(_ z: Float) -> Float {
        switch self {
        case .linear: return z
        case .relu: return z > 0 ? z : 0
        case .leakyReLU(let a): return z > 0 ? z : a * z
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        }
    }

    /// f'(z) written as a function of y = f(z), scalar reference.
    @inline(__always)
    public func derivative(output y: Float) -> Float {
        switch self {
        case .linear: return 1
        case .relu: return y > 0 ? 1 : 0
        case .leakyReLU(let a): return y > 0 ? 1 : a
        case .tanh: return 1 - y * y
        case .sigmoid: return y * (1 - y)
        }
    }
}
