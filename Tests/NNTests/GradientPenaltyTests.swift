import XCTest
@testable import NN
@testable import Support

/// WGAN-GP penalty: engine (Float, sgemm chain) against central finite differences of the
/// Double reference penalty, and the Double twin's analytic gradient against the same.
final class GradientPenaltyTests: XCTestCase {
    func testLeakyCriticMatchesFiniteDifferences() throws {
        try check(widths: [3, 5, 4, 1], activations: [.leakyReLU(0.2), .leakyReLU(0.2), .linear], batch: 7, seed: 51)
    }

    /// Dead ReLU units, and a non-unit output slope s_L (leakyReLU on the scalar output).
    func testReLUAndLeakyOutputMatchFiniteDifferences() throws {
        try check(widths: [3, 5, 4, 1], activations: [.relu, .leakyReLU(0.2), .leakyReLU(0.3)], batch: 7, seed: 61)
        try check(widths: [5, 1], activations: [.linear], batch: 3, seed: 71)
    }

    private func check(widths: [Int], activations: [Activation], batch: Int, seed: UInt64,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let critic = try MLP(widths: widths, activations: activations, maxBatch: batch + 2, seed: 3)
        let penalty = try GradientPenalty(critic: critic, maxBatch: batch + 1)
        // O(1) weights and non-zero biases so rows have ‖g‖ on both sides of 1 and units in both regimes.
        let p = randomValues(critic.parameterCount, seed: seed, low: -1.2, high: 1.2)
        try critic.restoreParameters(p)
        let x = randomValues(batch * critic.inputWidth, seed: seed + 1, low: -1.5, high: 1.5)
        let before = randomValues(critic.parameterCount, seed: seed + 2)
        let (lambda, scale): (Float, Float) = (0.7, 0.3)
        let reference = ReferencePenalty(critic)
        let pd = p.map(Double.init), xd = x.map(Double.init)
        let what = "\(widths) \(activations)"
        let kink = ReferenceMLP(critic).kinkDistance(pd, xd, batch: batch)
        XCTAssertGreaterThan(kink, 1e-3, "\(what): a pre-activation sits on a kink; pick another seed", file: file, line: line)

        x.withUnsafeBufferPointer { _ = critic.forward($0, batch: batch) }
        _ = critic.gradients.update(from: before)
        let sum = penalty.accumulate(batch: batch, lambda: lambda, scale: scale)

        let expectedSum = reference.penalty(pd, xd, batch: batch, lambda: Double(lambda))
        XCTAssertEqual(sum, expectedSum, accuracy: 1e-5 * max(1, expectedSum), "\(what) penalty", file: file, line: line)
        assertClose(penalty.inputGradient(batch: batch).prefixArray(batch * critic.inputWidth), reference.inputGradients(pd, xd, batch: batch),
                    absolute: 1e-5, relative: 1e-5, "\(what) input gradient", file: file, line: line)

        let fd = finiteDifference(pd) { reference.penalty($0, xd, batch: batch, lambda: Double(lambda)) }
        let expected = zip(before, fd).map { Double($0) + Double(scale) * $1 }
        assertClose(Array(critic.gradients), expected, absolute: 3e-5, relative: 1e-4, "\(what) dP/dθ", file: file, line: line)
        for layer in critic.layers {
            for o in layer.biasOffset ..< layer.biasOffset + layer.outputs {
                XCTAssertEqual(critic.gradients[o], before[o], "\(what) bias gradient touched", file: file, line: line)
                XCTAssertEqual(fd[o], 0, accuracy: 1e-9, "\(what) penalty depends on a bias", file: file, line: line)
            }
        }
        let analytic = reference.parameterGradient(pd, xd, batch: batch, lambda: Double(lambda))
        assertClose(analytic.map(Float.init), fd, absolute: 1e-6, relative: 1e-5, "\(what) reference", file: file, line: line)
    }

    /// Gradient descent on the penalty alone drives ‖g‖ to 1 on a fixed batch (the mechanism
    /// WGAN-GP relies on); a sign or scale error in the gradient would stall or diverge.
    func testDescentOnPenaltyReachesUnitGradientNorm() throws {
        let batch = 16
        let critic = try MLP(widths: [4, 9, 1], activations: [.leakyReLU(0.2), .linear], maxBatch: batch, seed: 9)
        let penalty = try GradientPenalty(critic: critic, maxBatch: batch)
        let sgd = SGD(for: critic, learningRate: 0.02)
        var rng = Philox(seed: 4, stream: 0)
        rng.fillNormal(critic.input(batch: batch))
        // He init gives ‖g‖ ≈ 1 already; scaled weights start clearly off the constraint.
        for i in critic.parameters.indices { critic.parameters[i] *= 2.5 }
        func run() -> Double {
            critic.forward(batch: batch)
            critic.zeroGradients()
            let sum = penalty.accumulate(batch: batch, lambda: 1, scale: 1 / Float(batch))
            sgd.step(critic)
            return sum / Double(batch)
        }
        let first = run()
        for _ in 0..<300 { _ = run() }
        let last = run()
        XCTAssertGreaterThan(first, 1, "starting point should violate the constraint")
        XCTAssertLessThan(last, first * 1e-2, "penalty \(first) → \(last)")
    }

    func testRefusesCriticsItCannotDifferentiate() throws {
        let smooth = try MLP(widths: [3, 4, 1], activations: [.tanh, .linear], maxBatch: 4, seed: 1)
        XCTAssertThrowsError(try GradientPenalty(critic: smooth, maxBatch: 4)) { error in
            XCTAssertTrue("\(error)".contains("piecewise-linear"), "\(error)")
        }
        let wide = try MLP(widths: [3, 4, 2], activations: [.relu, .linear], maxBatch: 4, seed: 1)
        XCTAssertThrowsError(try GradientPenalty(critic: wide, maxBatch: 4))
        let critic = try MLP(widths: [3, 4, 1], activations: [.relu, .linear], maxBatch: 4, seed: 1)
        XCTAssertThrowsError(try GradientPenalty(critic: critic, maxBatch: 5))
        XCTAssertNoThrow(try GradientPenalty(critic: critic, maxBatch: 4))
    }

    /// Each row lies on its real–fake segment at ε drawn once per row from the stream, in order.
    func testInterpolationDrawsOneEpsilonPerRow() {
        let (rows, width) = (6, 3)
        let real = randomValues(rows * width, seed: 81), fake = randomValues(rows * width, seed: 82)
        var out = [Float](repeating: .nan, count: rows * width + 1)
        var rng = Philox(seed: 5, stream: 2)
        var replay = rng
        real.withUnsafeBufferPointer { r in fake.withUnsafeBufferPointer { f in out.withUnsafeMutableBufferPointer {
            GradientPenalty.interpolate(real: r, fake: f, into: $0, rows: rows, width: width, rng: &rng)
        } } }
        var epsilons: [Float] = []
        for row in 0..<rows {
            let epsilon = replay.uniformFloat()
            epsilons.append(epsilon)
            XCTAssertTrue(epsilon > 0 && epsilon < 1)
            for c in row * width ..< (row + 1) * width {
                let t = Double(out[c] - fake[c]) / Double(real[c] - fake[c])
                XCTAssertEqual(t, Double(epsilon), accuracy: 1e-4, "row \(row) column \(c % width)")
            }
        }
        XCTAssertEqual(Set(epsilons).count, rows, "ε must differ between rows")
        XCTAssertTrue(out[rows * width].isNaN, "wrote past the rows")
        XCTAssertEqual(rng.nextUInt32(), replay.nextUInt32(), "stream must advance by one draw per row")

        // In place over `real` (the critic-input use) gives the same rows.
        var inPlace = real
        var again = Philox(seed: 5, stream: 2)
        fake.withUnsafeBufferPointer { f in inPlace.withUnsafeMutableBufferPointer { buffer in
            GradientPenalty.interpolate(real: UnsafeBufferPointer(buffer), fake: f, into: buffer, rows: rows, width: width, rng: &again)
        } }
        XCTAssertEqual(inPlace, Array(out[0 ..< rows * width]))
    }
}
