import XCTest
@testable import NN
@testable import Support

final class OptimizerTests: XCTestCase {
    private let theta0 = randomValues(9, seed: 51)
    private let g1 = randomValues(9, seed: 52, low: -2, high: 2)
    private let g2 = randomValues(9, seed: 53, low: -2, high: 2)

    private func run(_ optimizer: Optimizer, _ gradients: [[Float]], scale: Float = 1) -> [Float] {
        var theta = theta0
        for g in gradients {
            theta.withUnsafeMutableBufferPointer { p in
                g.withUnsafeBufferPointer { optimizer.step(parameters: p, gradients: $0, gradientScale: scale) }
            }
        }
        return theta
    }

    /// Step 1 with bias correction: m̂ = g, v̂ = g², so θ₁ = θ₀ − lr·g/(|g| + ε).
    func testAdamFirstStepClosedForm() {
        let adam = Adam(parameterCount: 9, learningRate: 0.1, epsilon: 1e-3)
        let theta = run(adam, [g1])
        let expected: [Double] = (0..<9).map { i in
            let g = Double(g1[i])
            return Double(theta0[i]) - 0.1 * g / (abs(g) + 1e-3)
        }
        assertClose(theta, expected, absolute: 1e-6, relative: 1e-6, "Adam step 1")
        XCTAssertEqual(adam.stepCount, 1)
        assertClose(Array(adam.state[0..<9]), g1.map { 0.1 * Double($0) }, absolute: 1e-7, relative: 1e-6, "m")
        assertClose(Array(adam.state[9..<18]), g1.map { 0.001 * Double($0 * $0) }, absolute: 1e-9, relative: 1e-4, "v")
    }

    func testAdamSecondStepAndGradientScale() {
        let (lr, b1, b2, eps) = (0.05, 0.8, 0.99, 1e-4)
        let adam = Adam(parameterCount: 9, learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps))
        let theta = run(adam, [g1, g2])
        let expected = (0..<9).map { i -> Double in
            var t = Double(theta0[i]), m = 0.0, v = 0.0
            for (step, g) in [Double(g1[i]), Double(g2[i])].enumerated() {
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                let n = Double(step + 1)
                t -= lr * (m / (1 - pow(b1, n))) / ((v / (1 - pow(b2, n))).squareRoot() + eps)
            }
            return t
        }
        assertClose(theta, expected, absolute: 1e-6, relative: 1e-5, "Adam step 2")
        // Summed gradients of 4 ranks scaled by 1/4 give the same update.
        let scaled = run(Adam(parameterCount: 9, learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps)),
                         [g1.map { 4 * $0 }, g2.map { 4 * $0 }], scale: 0.25)
        XCTAssertEqual(scaled, theta)
    }

    /// First Adadelta step: E[g²] = (1 − ρ)g², Δ = √ε / √(E[g²] + ε)·g, E[Δ²] = (1 − ρ)Δ².
    func testAdadeltaFirstStepClosedForm() {
        let (lr, rho, eps) = (1.0, 0.9, 1e-6)
        let adadelta = Adadelta(parameterCount: 9, learningRate: Float(lr), rho: Float(rho), epsilon: Float(eps))
        let theta = run(adadelta, [g1])
        var expectedTheta: [Double] = [], expectedSquare: [Double] = [], expectedDelta: [Double] = []
        for i in 0..<9 {
            let g = Double(g1[i]), sq = (1 - rho) * g * g
            let delta = eps.squareRoot() / (sq + eps).squareRoot() * g
            expectedTheta.append(Double(theta0[i]) - lr * delta)
            expectedSquare.append(sq)
            expectedDelta.append((1 - rho) * delta * delta)
        }
        assertClose(theta, expectedTheta, absolute: 1e-6, relative: 1e-5, "Adadelta θ")
        assertClose(Array(adadelta.state[0..<9]), expectedSquare, absolute: 1e-9, relative: 1e-5, "E[g²]")
        assertClose(Array(adadelta.state[9..<18]), expectedDelta, absolute: 1e-12, relative: 1e-4, "E[Δ²]")
    }

    /// v₁ = g₁, θ₁ = θ₀ − lr·g₁; v₂ = μg₁ + g₂, θ₂ = θ₁ − lr·v₂.
    func testSGDMomentumTwoSteps() {
        let (lr, mu) = (0.1, 0.9)
        let sgd = SGD(parameterCount: 9, learningRate: Float(lr), momentum: Float(mu))
        let theta = run(sgd, [g1, g2])
        let expected = (0..<9).map { i in
            Double(theta0[i]) - lr * Double(g1[i]) - lr * (mu * Double(g1[i]) + Double(g2[i]))
        }
        assertClose(theta, expected, absolute: 1e-6, relative: 1e-6, "SGD momentum")
        XCTAssertEqual(sgd.stepCount, 2)
    }

    /// Checkpoint = parameters + state + step counter: resuming reproduces the run bit for bit.
    func testCheckpointRestoreResumesBitwise() throws {
        for make in [{ Adam(parameterCount: 9, learningRate: 0.01) as Optimizer },
                     { Adadelta(parameterCount: 9) as Optimizer },
                     { SGD(parameterCount: 9, learningRate: 0.1, momentum: 0.5) as Optimizer }] {
            let optimizer = make()
            var theta = theta0
            let gradients = [g1, g2, g1, g2, g1]
            func steps(_ range: Range<Int>) {
                for s in range {
                    theta.withUnsafeMutableBufferPointer { p in
                        gradients[s].withUnsafeBufferPointer { optimizer.step(parameters: p, gradients: $0, gradientScale: 1) }
                    }
                }
            }
            steps(0..<3)
            let (savedTheta, savedState, savedStep) = (theta, optimizer.copyState(), optimizer.stepCount)
            steps(3..<5)
            let straight = theta
            theta = savedTheta
            optimizer.reset()
            XCTAssertEqual(optimizer.stepCount, 0)
            try optimizer.restoreState(savedState, stepCount: savedStep)
            steps(3..<5)
            XCTAssertEqual(theta, straight, "\(type(of: optimizer))")
            XCTAssertThrowsError(try optimizer.restoreState([1, 2], stepCount: 1))
        }
    }
}
