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
                for k in 0..<indices.count {   // by index: no iterator (it allocates in debug builds; this runs every step)
                    let c = indices[k]
                    derivative[base + c] = Float(Double(derivative[base + c]) * Foundation.exp(Double(buffer[base + c])))
                }
            }
        case let .smear(indices, _, _):
            // x = floor(y): piecewise constant, so integer columns get no gradient.
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count { derivative[base + indices[k]] = 0 }
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
            preconditionFailure("\(label) is not elementwise; Preprocessor.inverseWithDerivative keeps its partials instead")
        }
    }

    /// Whether the inverse mixes a row's columns with a derivative `pullBackMixing` applies (the pair
    /// steps and `ordered`).
    var isPairStep: Bool {
        switch operation {
        case .pairMass, .pairPt, .ordered: return true
        default: return false
        }
    }

    /// Floats per row `keepMixingPartials` stores: E₁'s partials (m, Px, Py, Pz)/R of `pairMass`; none for
    /// `pairPt`, whose inverse is linear; ∂x_k/∂y_k and ∂x_k/∂x_{k−1} for each later column of `ordered`.
    var mixingWidth: Int {
        switch operation {
        case .pairMass: return 4
        case let .ordered(indices, _, _, _): return 2 * (indices.count - 1)
        default: return 0
        }
    }

    /// Stores, at the step's inverse input in `buffer` (before `inverse` overwrites it), the per-row
    /// partials of its inverse: `pairMass`'s E₁ = R − E₂ with R = √(m² + |P|²), P = p₁ + p₂, has
    /// ∂E₁/∂m = m/R, ∂E₁/∂p₁ₖ = ∂E₁/∂p₂ₖ = Pₖ/R and ∂E₁/∂E₂ = −1 (every other output is its input).
    /// `partials` holds `rows × stride` floats; this step's `mixingWidth` go at `offset` of each row.
    func keepMixingPartials(_ buffer: UnsafeMutableBufferPointer<Float>, partials: UnsafeMutableBufferPointer<Float>,
                            stride: Int, offset: Int, rows: Int) {
        if case let .ordered(indices, t, _, _) = operation {
            OrderedSequence.keepPartials(buffer, width: outputWidth, rows: rows, indices: indices, threshold: t, partials: partials,
                                         stride: stride, offset: offset)
            return
        }
        guard case let .pairMass(c) = operation else { return }
        let w = outputWidth
        @inline(__always) func value(_ r: Int, _ i: Int) -> Double { i < 0 ? 0 : Double(buffer[r * w + i]) }
        for r in 0..<rows {
            let m = value(r, c[0])
            let p = (value(r, c[1]) + value(r, c[5]), value(r, c[2]) + value(r, c[6]), value(r, c[3]) + value(r, c[7]))
            let big = (m * m + p.0 * p.0 + p.1 * p.1 + p.2 * p.2).squareRoot()
            let inverse = big > 0 ? 1 / big : 0
            let out = r * stride + offset
            partials[out] = Float(m * inverse)
            partials[out + 1] = Float(p.0 * inverse)
            partials[out + 2] = Float(p.1 * inverse)
            partials[out + 3] = Float(p.2 * inverse)
        }
    }

    /// gradient ← Jᵀ·gradient in place for this pair step's inverse (`gradient`: rows × width, w.r.t.
    /// the inverse's output on entry, its input on return), with the partials `keepMixingPartials` stored.
    func pullBackMixing(_ gradient: UnsafeMutableBufferPointer<Float>, partials: UnsafeBufferPointer<Float>,
                        stride: Int, offset: Int, rows: Int) {
        let w = outputWidth
        switch operation {
        case let .pairMass(c):
            for r in 0..<rows {
                let row = r * w, g = gradient[row + c[0]]
                guard g != 0 else { continue }
                let k = r * stride + offset
                gradient[row + c[0]] = g * partials[k]
                for j in 1..<4 {
                    let d = g * partials[k + j]
                    if c[j] >= 0 { gradient[row + c[j]] += d }
                    if c[j + 4] >= 0 { gradient[row + c[j + 4]] += d }
                }
                gradient[row + c[4]] -= g
            }
        case let .pairPt(c):
            // x₁ = u₁ − u₂ for px and py (when both are present), x₂ = u₂.
            for r in 0..<rows {
                let row = r * w
                for k in 1..<3 where c[k] >= 0 && c[k + 4] >= 0 { gradient[row + c[k + 4]] -= gradient[row + c[k]] }
            }
        case let .ordered(indices, _, _, _):
            OrderedSequence.pullBack(gradient, width: w, rows: rows, indices: indices, partials: partials, stride: stride, offset: offset)
        default:
            preconditionFailure("\(label) is no pair step")
        }
    }
}
