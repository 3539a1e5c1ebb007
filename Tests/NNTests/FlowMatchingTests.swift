import Foundation
import XCTest
@testable import NN
@testable import Support

final class FlowMatchingTests: XCTestCase {
    /// Gradients of Σ_rows Σ_features (v − (x₁ − x₀))², v = net([(1 − t)x₀ + t·x₁, τ(t)]), against
    /// central finite differences of a Double twin (`ReferenceMLP` on the same inputs); also the
    /// returned sum, the network's input rows (the path point and `FlowTime`'s features) and the
    /// overwrite contract.
    func testGradientMatchesFiniteDifferences() throws {
        let (n, batch) = (3, 7)
        let flow = try FlowMatching(features: n, hidden: [6, 5], maxBatch: batch + 2, seed: 1)
        let p = randomValues(flow.network.parameterCount, seed: 81, low: -0.8, high: 0.8)
        try flow.network.restoreParameters(p)
        let x1 = randomValues(batch * n, seed: 82, low: -1.5, high: 1.5)
        let x0 = randomValues(batch * n, seed: 83, low: -2, high: 2)
        let t = randomValues(batch, seed: 84, low: 0, high: 1)
        _ = flow.noise(batch: batch).update(fromContentsOf: x0)
        _ = flow.times(batch: batch).update(fromContentsOf: t)
        flow.network.gradients.update(repeating: 42)
        let sum = x1.withUnsafeBufferPointer { flow.step($0, batch: batch) }

        let width = n + FlowTime.width
        let input = flow.network.input(batch: batch).prefixArray(batch * width)
        for r in 0..<batch {
            let tr = Double(t[r]), row = Array(input[r * width ..< (r + 1) * width]).map(Double.init)
            for j in 0..<n {
                XCTAssertEqual(row[j], (1 - tr) * Double(x0[r * n + j]) + tr * Double(x1[r * n + j]), accuracy: 1e-6, "x_t")
            }
            let features = [tr, sin(Double.pi * tr), cos(Double.pi * tr), sin(2 * Double.pi * tr), cos(2 * Double.pi * tr)]
            for k in 0..<FlowTime.width { XCTAssertEqual(row[n + k], features[k], accuracy: 1e-6, "time feature \(k)") }
        }
        let ref = ReferenceMLP(flow.network), xd = input.map(Double.init)
        let target = (0..<batch * n).map { Double(x1[$0]) - Double(x0[$0]) }
        func loss(_ p: [Double]) -> Double {
            zip(ref.output(p, xd, batch: batch), target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        let pd = p.map(Double.init)
        XCTAssertEqual(sum, loss(pd), accuracy: 1e-5 * loss(pd), "loss sum")
        XCTAssertGreaterThan(ref.kinkDistance(pd, xd, batch: batch), 1e-3, "pre-activation on a kink; pick other seeds")
        assertClose(Array(flow.network.gradients), finiteDifference(pd, loss), absolute: 2e-5, relative: 1e-4, "velocity network")
    }

    /// v(x, t) = a ⊙ x + b·t + c·sin πt (a linear velocity network: weights a on the state, b and c
    /// on the time features t and sin πt, nothing on the others) has the exact flow
    /// x(1) = (x₀ + b/a² − β)eᵃ − b/a − b/a² − β with β = −cπ/(π² + a²) (the sine's particular
    /// solution α sin πt + β cos πt, α = aβ/π). Halving the step from K = 8 to 16 to 32 must divide
    /// the error at t = 1 by ≈ 2 for Euler (first order) and ≈ 4 for midpoint and Heun (second
    /// order; the sine term tells them apart: they sample t differently); bounds [1.7, 2.3] and
    /// [3.4, 4.6] (measured when written: Euler 1.96, 1.98; midpoint 3.99, 3.99; Heun 3.94, 3.97; at
    /// K = 32 the errors are 0.095, 3.4e-4 and 1.4e-3). On the packed kernel and on OpenBLAS, and a row's
    /// result is bitwise the same alone as inside a batch.
    func testIntegratorOrdersOnAFlowWithAKnownSolution() throws {
        let d = 2, rows = 5
        let a: [Float] = [-1, 0.7], b: [Float] = [1, -2], c: [Float] = [1.5, -1]
        let x0 = randomValues(rows * d, seed: 85, low: -1.5, high: 1.5)
        func exact(_ r: Int, _ j: Int) -> Double {
            let aj = Double(a[j]), bj = Double(b[j]), q = bj / (aj * aj)
            let beta = -Double(c[j]) * Double.pi / (Double.pi * Double.pi + aj * aj)
            return (Double(x0[r * d + j]) + q - beta) * exp(aj) - bj / aj - q - beta
        }
        var finals: [FlowIntegrator: [Float]] = [:]
        for packedRun in [false, true] {
            for integrator in FlowIntegrator.allCases {
                var errors: [Double] = []
                for steps in [8, 16, 32] {
                    let net = try MLP(widths: [d + FlowTime.width, d], activations: [.linear], maxBatch: rows, seed: 1)
                    var p = [Float](repeating: 0, count: net.parameterCount)
                    for j in 0..<d {
                        p[j * d + j] = a[j]  // W[input j][output j]
                        p[d * d + j] = b[j]  // W[input d (the time feature t)][output j]
                        p[(d + 1) * d + j] = c[j]  // W[input d + 1 (sin πt)][output j]
                    }
                    try net.restoreParameters(p)
                    let sampler = try Sampler(network: net, kind: .flow(steps: steps, integrator: integrator))
                    let packed = packedRun ? PackedWeights(net) : nil
                    if packedRun && packed == nil { throw XCTSkip("no packed kernel on this CPU") }
                    _ = sampler.noise(batch: rows).update(fromContentsOf: x0)
                    let out = sampler.run(batch: rows, packed: packed).prefixArray(rows * d)
                    errors.append((0..<rows * d).map { abs(Double(out[$0]) - exact($0 / d, $0 % d)) }.max() ?? 0)
                    finals[integrator] = out
                    if packedRun {
                        for r in 0..<rows {  // row r alone
                            _ = sampler.noise(batch: 1).update(fromContentsOf: x0[r * d ..< (r + 1) * d])
                            let alone = sampler.run(batch: 1, packed: packed).prefixArray(d)
                            XCTAssertEqual(alone.map(\.bitPattern), out[r * d ..< (r + 1) * d].map(\.bitPattern), "\(integrator) row \(r)")
                        }
                    }
                }
                let ratios = [errors[0] / errors[1], errors[1] / errors[2]]
                print("\(integrator) packed \(packedRun): errors at K = 8, 16, 32: \(errors), ratios \(ratios)")
                let bounds = integrator == .euler ? 1.7...2.3 : 3.4...4.6
                for ratio in ratios { XCTAssertTrue(bounds.contains(ratio), "\(integrator): error ratio \(ratio) outside \(bounds)") }
                XCTAssertLessThan(errors[2], integrator == .euler ? 0.15 : 2e-3, "\(integrator) at 32 steps")
            }
            XCTAssertNotEqual(finals[.midpoint], finals[.heun], "midpoint and Heun sample t differently")
        }
    }

    /// Direct sampling is the network's forward pass on its own input block (GAN and VAE snapshots
    /// sample exactly as before), and a flow sampler refuses a network of the wrong shape.
    func testDirectSamplingIsTheForwardPassAndFlowShapesAreChecked() throws {
        let net = try MLP(widths: [4, 8, 3], activations: [.leakyReLU(0.2), .linear], maxBatch: 6, seed: 3)
        let sampler = try Sampler(network: net)
        XCTAssertEqual(sampler.noiseWidth, 4)
        XCTAssertEqual(sampler.noise(batch: 6).baseAddress, net.input(batch: 6).baseAddress)
        let noise = randomValues(24, seed: 86)
        _ = sampler.noise(batch: 6).update(fromContentsOf: noise)
        let viaSampler = sampler.run(batch: 6, packed: nil).prefixArray(18)
        let direct = noise.withUnsafeBufferPointer { net.forward($0, batch: 6).prefixArray(18) }
        XCTAssertEqual(viaSampler.map(\.bitPattern), direct.map(\.bitPattern))
        XCTAssertThrowsError(try Sampler(network: net, kind: .flow(steps: 4, integrator: .midpoint))) { error in
            XCTAssertTrue("\(error)".contains("input width 8, found widths [4, 8, 3]"), "\(error)")
        }
        let velocity = try MLP(widths: [3 + FlowTime.width, 8, 3], activations: [.leakyReLU(0.2), .linear], maxBatch: 6, seed: 3)
        XCTAssertThrowsError(try Sampler(network: velocity, kind: .flow(steps: 0, integrator: .heun)))
        XCTAssertEqual(try Sampler(network: velocity, kind: .flow(steps: 5, integrator: .heun)).noiseWidth, 3)
        XCTAssertEqual(SamplerKind.flow(steps: 5, integrator: .heun).passes, 10)
    }
}
