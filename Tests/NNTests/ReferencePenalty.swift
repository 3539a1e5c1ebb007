import Foundation
@testable import NN
@testable import Support

/// Double-precision twin of `GradientPenalty` written row by row with plain loops over the
/// pre-activations of `ReferenceMLP` (slopes from `derivativeDouble(z)`), independent of the
/// engine's batched sgemm chain.
struct ReferencePenalty {
    let widths: [Int]
    let activations: [Activation]
    let reference: ReferenceMLP

    init(_ model: MLP) {
        widths = model.widths
        activations = model.activations
        reference = ReferenceMLP(model)
    }

    private var offsets: [Int] {
        var result: [Int] = [], offset = 0
        for l in activations.indices {
            result.append(offset)
            offset += widths[l] * widths[l + 1] + widths[l + 1]
        }
        return result
    }

    /// Per row: slopes s_l, D_l = ∂D/∂z_l, and g = ∂D/∂x.
    private func chain(_ p: [Double], _ zs: [[Double]], row r: Int) -> (slopes: [[Double]], deltas: [[Double]], g: [Double]) {
        let offs = offsets, layers = activations.count
        let slopes = (0..<layers).map { l in (0..<widths[l + 1]).map { activations[l].derivativeDouble(zs[l][r * widths[l + 1] + $0]) } }
        var deltas = [[Double]](repeating: [], count: layers)
        deltas[layers - 1] = slopes[layers - 1]
        var g: [Double] = []
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let nIn = widths[l], nOut = widths[l + 1]
            var back = [Double](repeating: 0, count: nIn)
            for i in 0..<nIn {
                for o in 0..<nOut { back[i] += p[offs[l] + i * nOut + o] * deltas[l][o] }
            }
            if l > 0 { deltas[l - 1] = zip(back, slopes[l - 1]).map { $0 * $1 } } else { g = back }
        }
        return (slopes, deltas, g)
    }

    /// g rows (batch × inputWidth).
    func inputGradients(_ p: [Double], _ x: [Double], batch: Int) -> [Double] {
        let zs = reference.forward(p, x, batch: batch).z
        return (0..<batch).flatMap { chain(p, zs, row: $0).g }
    }

    /// Σ_i λ(‖g_i‖ − 1)².
    func penalty(_ p: [Double], _ x: [Double], batch: Int, lambda: Double) -> Double {
        let g = inputGradients(p, x, batch: batch), n = widths[0]
        return (0..<batch).reduce(0) { sum, r in
            let norm = (0..<n).reduce(0) { $0 + g[r * n + $1] * g[r * n + $1] }.squareRoot()
            return sum + lambda * (norm - 1) * (norm - 1)
        }
    }

    /// Analytic ∂penalty/∂parameters: u = 2λ(‖g‖ − 1)g/‖g‖ pushed forward as the tangent,
    /// outer products t_{l−1} ⊗ D_l into the weights, nothing into the biases.
    func parameterGradient(_ p: [Double], _ x: [Double], batch: Int, lambda: Double) -> [Double] {
        let zs = reference.forward(p, x, batch: batch).z, offs = offsets
        var gp = [Double](repeating: 0, count: p.count)
        for r in 0..<batch {
            let (slopes, deltas, g) = chain(p, zs, row: r)
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var t = g.map { 2 * lambda * (norm - 1) / norm * $0 }
            for l in activations.indices {
                let nIn = widths[l], nOut = widths[l + 1]
                var next = [Double](repeating: 0, count: nOut)
                for i in 0..<nIn {
                    for o in 0..<nOut {
                        gp[offs[l] + i * nOut + o] += t[i] * deltas[l][o]
                        next[o] += t[i] * p[offs[l] + i * nOut + o]
                    }
                }
                t = zip(next, slopes[l]).map { $0 * $1 }
            }
        }
        return gp
    }
}
