import Foundation
@testable import NN
@testable import Support

/// Double-precision twin of `MLP` with the same parameter layout (W[i][o] row-major, then b),
/// written as plain loops over pre-activations, independent of the engine's code paths.
struct ReferenceMLP {
    let widths: [Int]
    let activations: [Activation]
    /// Input columns written over a hidden layer's outputs (MLP.InputCopy).
    let copy: InputCopy?

    init(_ model: MLP) {
        widths = model.widths
        activations = model.activations
        copy = model.inputCopy
    }

    private func offsets() -> [Int] {
        var result: [Int] = [], offset = 0
        for l in 0..<activations.count {
            result.append(offset)
            offset += widths[l] * widths[l + 1] + widths[l + 1]
        }
        return result
    }

    /// Pre-activations z and outputs y of every layer; y[0] is the input.
    func forward(_ p: [Double], _ x: [Double], batch: Int) -> (z: [[Double]], y: [[Double]]) {
        var zs: [[Double]] = [], ys: [[Double]] = [x]
        let offs = offsets()
        for l in 0..<activations.count {
            let nIn = widths[l], nOut = widths[l + 1], w = offs[l], b = w + nIn * nOut
            var z = [Double](repeating: 0, count: batch * nOut)
            for r in 0..<batch {
                for o in 0..<nOut {
                    var s = p[b + o]
                    for i in 0..<nIn { s += ys[l][r * nIn + i] * p[w + i * nOut + o] }
                    z[r * nOut + o] = s
                }
            }
            zs.append(z)
            var y = z.map { activations[l].applyDouble($0) }
            if let copy, copy.layer == l {
                for r in 0..<batch {
                    for (i, o) in zip(copy.inputs, copy.outputs) { y[r * nOut + o] = x[r * widths[0] + i] }
                }
            }
            ys.append(y)
        }
        return (zs, ys)
    }

    func output(_ p: [Double], _ x: [Double], batch: Int) -> [Double] {
        forward(p, x, batch: batch).y.last ?? []
    }

    /// Analytic gradients of Σ output ⊙ dOut with respect to parameters and input.
    func backward(_ p: [Double], _ x: [Double], batch: Int, outputGradient: [Double]) -> (parameters: [Double], input: [Double]) {
        let (zs, ys) = forward(p, x, batch: batch)
        let offs = offsets()
        var gp = [Double](repeating: 0, count: p.count)
        var dy = outputGradient
        var copied = [Double](repeating: 0, count: batch * widths[0])
        for l in stride(from: activations.count - 1, through: 0, by: -1) {
            let nIn = widths[l], nOut = widths[l + 1], w = offs[l], b = w + nIn * nOut
            if let copy, copy.layer == l {
                // A copied output is the input itself: its gradient belongs to the input, not to layer l.
                for r in 0..<batch {
                    for (i, o) in zip(copy.inputs, copy.outputs) {
                        copied[r * widths[0] + i] += dy[r * nOut + o]
                        dy[r * nOut + o] = 0
                    }
                }
            }
            let dz = dy.indices.map { dy[$0] * activations[l].derivativeDouble(zs[l][$0]) }
            var dx = [Double](repeating: 0, count: batch * nIn)
            for r in 0..<batch {
                for o in 0..<nOut {
                    let d = dz[r * nOut + o]
                    gp[b + o] += d
                    for i in 0..<nIn {
                        gp[w + i * nOut + o] += ys[l][r * nIn + i] * d
                        dx[r * nIn + i] += p[w + i * nOut + o] * d
                    }
                }
            }
            dy = dx
        }
        return (gp, zip(dy, copied).map { $0 + $1 })
    }

    /// Smallest |z| over the layers whose activation has a kink (finite differences across a
    /// kink would not match the a.e. gradient).
    func kinkDistance(_ p: [Double], _ x: [Double], batch: Int) -> Double {
        let zs = forward(p, x, batch: batch).z
        var smallest = Double.infinity
        for (l, z) in zs.enumerated() where activations[l] != .linear {
            smallest = min(smallest, z.map(abs).min() ?? .infinity)
        }
        return smallest
    }
}
