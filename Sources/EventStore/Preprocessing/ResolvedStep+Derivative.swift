import Foundation
import Support

/// The derivative kernels of the elementwise inverse steps, for gradients that must flow from
/// physical units back to the preprocessed space a network works in.
extension ResolvedStep {
    /// Whether the inverse maps each value on its own (`PreprocessingStep.Kind.isElementwise`).
    var isElementwise: Bool { kind.isElementwise }

    /// Multiplies `derivative` by this step's inverse derivative at the values in `buffer` (the
    /// step's inverse input, before `inverse` overwrites them): chain rule from the last step
    /// inwards. Columns the step does not list keep their factor. Elementwise steps only.
    func chainInverseDerivative(_ buffer: UnsafeMutableBufferPointer<Float>,
                                derivative: UnsafeMutableBufferPointer<Float>, rows: Int) {
        let w = outputWidth
        switch operation {
        case let .affine(indices, _, scale):
            // x = y·scale + shift.
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count {
                    let i = base + indices[k]
                    derivative[i] = Float(Double(derivative[i]) * scale[k])
                }
            }
        case let .log1p(indices):
            // x = expm1(y): dx/dy = exp(y).
            for r in 0..<rows {
                let base = r * w
                for c in indices {
                    derivative[base + c] = Float(Double(derivative[base + c]) * Foundation.exp(Double(buffer[base + c])))
                }
            }
        case let .smear(indices, _, _):
            // x = floor(y): piecewise constant, so integer columns get no gradient.
            for r in 0..<rows {
                let base = r * w
                for c in indices { derivative[base + c] = 0 }
            }
        case let .zeroSpike(indices, start, gap):
            // x = y + t above the continuum's start, t·(1 + y/G) in the stretched gap.
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count {
                    let i = base + indices[k]
                    if buffer[i] < 0 { derivative[i] = Float(Double(derivative[i]) * start[k] / gap[k]) }
                }
            }
        case let .quantile(indices, curves, _):
            QuantileTransform.chainDerivative(buffer, derivative: derivative, width: w, rows: rows, indices: indices,
                                              curves: curves)
        case .rotate, .pairMass, .pairPt, .ordered:
            preconditionFailure("\(label) is not elementwise; Preprocessor.inverseWithDerivative refuses it")
        }
    }
}
