import XCTest
@testable import NN
@testable import Support

/// Each loss against a Double formula (written independently of the engine's) and its finite
/// differences.
final class LossTests: XCTestCase {
    func testMeanSquaredError() {
        let (batch, features) = (3, 5)
        let p = randomValues(batch * features, seed: 41), t = randomValues(batch * features, seed: 42)
        var g = [Float](repeating: 0, count: p.count)
        let loss = p.withUnsafeBufferPointer { pb in t.withUnsafeBufferPointer { tb in g.withUnsafeMutableBufferPointer {
            Loss.meanSquaredError(prediction: pb, target: tb, batch: batch, features: features, gradient: $0)
        } } }
        let td = t.map(Double.init)
        func f(_ x: [Double]) -> Double { zip(x, td).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(x.count) }
        let pd = p.map(Double.init)
        XCTAssertEqual(Double(loss), f(pd), accuracy: 1e-6)
        assertClose(g, finiteDifference(pd, f), absolute: 1e-6, relative: 1e-4, "MSE gradient")
        let noGradient = p.withUnsafeBufferPointer { pb in t.withUnsafeBufferPointer {
            Loss.meanSquaredError(prediction: pb, target: $0, batch: batch, features: features)
        } }
        XCTAssertEqual(noGradient, loss)
    }

    func testBinaryCrossEntropyWithLogits() {
        let n = 7
        let x = randomValues(n, seed: 43, low: -4, high: 4)
        let y: [Float] = [1, 0, 1, 0, 0.3, 1, 0]
        var g = [Float](repeating: 0, count: n)
        let loss = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in g.withUnsafeMutableBufferPointer {
            Loss.binaryCrossEntropyWithLogits(logits: xb, labels: yb, count: n, gradient: $0)
        } } }
        // Textbook form −[y log σ + (1 − y) log(1 − σ)], fine in Double for |x| ≤ 4.
        func f(_ x: [Double]) -> Double {
            x.indices.reduce(0) { sum, i in
                let s = 1 / (1 + exp(-x[i])), yi = Double(y[i])
                return sum - (yi * log(s) + (1 - yi) * log(1 - s))
            } / Double(x.count)
        }
        let xd = x.map(Double.init)
        XCTAssertEqual(Double(loss), f(xd), accuracy: 1e-6)
        assertClose(g, finiteDifference(xd, f), absolute: 1e-6, relative: 1e-4, "BCE gradient")
    }

    /// Extreme logits: finite loss ≈ |x| when wrong, ≈ 0 when right; gradient ±1/n or 0.
    func testBinaryCrossEntropyIsStableForLargeLogits() {
        let x: [Float] = [100, -100, 100, -100, 1e4]
        let y: [Float] = [0, 1, 1, 0, 1]
        var g = [Float](repeating: 9, count: x.count)
        let loss = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in g.withUnsafeMutableBufferPointer {
            Loss.binaryCrossEntropyWithLogits(logits: xb, labels: yb, count: x.count, gradient: $0)
        } } }
        XCTAssertTrue(loss.isFinite)
        XCTAssertEqual(loss, 200 / 5, accuracy: 1e-4)
        assertClose(g, [0.2, -0.2, 0, 0, 0], absolute: 1e-7, relative: 0, "saturated gradient")
    }

    func testGaussianKLAndGradient() {
        let (batch, latent) = (3, 2)
        let s = randomValues(batch * 2 * latent, seed: 44, low: -1.5, high: 1.5)
        let weight: Float = 0.7
        let base = randomValues(s.count, seed: 45)
        for accumulate in [false, true] {
            var g = base
            let loss = s.withUnsafeBufferPointer { sb in g.withUnsafeMutableBufferPointer {
                Loss.gaussianKL(meanAndLogVariance: sb, batch: batch, latent: latent, weight: weight, gradient: $0, accumulate: accumulate)
            } }
            func f(_ v: [Double]) -> Double {
                var sum = 0.0
                for b in 0..<batch {
                    for j in 0..<latent {
                        let mu = v[b * 2 * latent + j], lv = v[b * 2 * latent + latent + j]
                        // KL(N(μ,σ²)‖N(0,1)) = ½(σ² + μ² − 1 − log σ²)
                        sum += 0.5 * (exp(lv) + mu * mu - 1 - lv)
                    }
                }
                return Double(weight) * sum / Double(batch)
            }
            let sd = s.map(Double.init)
            XCTAssertEqual(Double(loss), f(sd), accuracy: 1e-5)
            let fd = finiteDifference(sd, f)
            let expected = accumulate ? zip(fd, base).map { $0 + Double($1) } : fd
            assertClose(g, expected, absolute: 1e-6, relative: 1e-4, "KL gradient accumulate \(accumulate)")
        }
    }

    /// Reparameterisation gradient against differences of Σ z ⊙ R.
    func testReparameterizationGradient() {
        let (batch, latent) = (3, 2)
        let s = randomValues(batch * 2 * latent, seed: 46), e = randomValues(batch * latent, seed: 47)
        let r = randomValues(batch * latent, seed: 48)
        var z = [Float](repeating: 0, count: batch * latent), g = [Float](repeating: 0, count: s.count)
        s.withUnsafeBufferPointer { sb in e.withUnsafeBufferPointer { eb in
            z.withUnsafeMutableBufferPointer { Reparameterization.sample(meanAndLogVariance: sb, noise: eb, batch: batch, latent: latent, z: $0) }
            r.withUnsafeBufferPointer { rb in g.withUnsafeMutableBufferPointer {
                Reparameterization.backward(meanAndLogVariance: sb, noise: eb, zGradient: rb, batch: batch, latent: latent, gradient: $0)
            } }
        } }
        func zOf(_ v: [Double]) -> [Double] {
            (0..<batch * latent).map { o in
                let b = o / latent, j = o % latent
                return v[2 * b * latent + j] + exp(0.5 * v[2 * b * latent + latent + j]) * Double(e[o])
            }
        }
        let sd = s.map(Double.init)
        assertClose(z, zOf(sd), absolute: 1e-6, relative: 1e-5, "z")
        let fd = finiteDifference(sd) { zip(zOf($0), r).reduce(0) { $0 + $1.0 * Double($1.1) } }
        assertClose(g, fd, absolute: 1e-6, relative: 1e-4, "reparameterisation gradient")
    }
}
