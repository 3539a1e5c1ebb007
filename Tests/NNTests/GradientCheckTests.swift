import XCTest
@testable import NN
@testable import Support

/// Engine gradients (Float, sgemm) against central finite differences of the Double reference
/// model for the loss L = Σ output ⊙ R with a fixed random R, so dL/dOutput = R.
final class GradientCheckTests: XCTestCase {
    func testSingleLayerEveryActivation() throws {
        for activation in KernelTests.activations {
            try check(widths: [4, 5], activations: [activation], batch: 3)
        }
    }

    func testThreeLayersEveryActivation() throws {
        for activation in KernelTests.activations {
            try check(widths: [3, 4, 5, 2], activations: [activation, activation, .linear], batch: 3)
            try check(widths: [3, 4, 5, 2], activations: [.linear, .tanh, activation], batch: 3)
        }
    }

    func testMixedDeepStack() throws {
        try check(widths: [3, 6, 4, 5, 2, 1], activations: [.leakyReLU(0.2), .tanh, .relu, .sigmoid, .linear], batch: 5)
    }

    /// An autoencoder-shaped stack whose bottleneck (layer 1) has input columns 4 and 0 copied over
    /// its outputs 2 and 0: the copied outputs take no gradient from their layer, and the inputs
    /// receive theirs (the decoder's dependence on them) in the input gradient.
    func testInputCopyOverABottleneck() throws {
        try check(widths: [5, 4, 3, 4, 5], activations: [.leakyReLU(0.2), .linear, .leakyReLU(0.2), .linear], batch: 3,
                  copy: InputCopy(layer: 1, inputs: [4, 0], outputs: [2, 0]))
        try check(widths: [3, 4, 2], activations: [.tanh, .linear], batch: 5, copy: InputCopy(layer: 0, inputs: [1], outputs: [3]))
    }

    func testInputCopyThatDoesNotFitIsRefused() throws {
        let model = try MLP(widths: [3, 4, 2], activations: [.tanh, .linear], maxBatch: 2, seed: 1)
        XCTAssertThrowsError(try model.setInputCopy(InputCopy(layer: 1, inputs: [0], outputs: [0])), "the output layer")
        XCTAssertThrowsError(try model.setInputCopy(InputCopy(layer: 0, inputs: [3], outputs: [0])), "input column out of range")
        XCTAssertThrowsError(try model.setInputCopy(InputCopy(layer: 0, inputs: [0, 1], outputs: [2, 2])), "one output twice")
        XCTAssertNil(model.inputCopy)
    }

    private func check(widths: [Int], activations: [Activation], batch: Int, copy: InputCopy? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try MLP(widths: widths, activations: activations, maxBatch: batch + 2, seed: 3)
        try model.setInputCopy(copy)
        // Non-zero biases and O(1) weights so every activation regime is exercised.
        let p = randomValues(model.parameterCount, seed: 21)
        try model.restoreParameters(p)
        let x = randomValues(batch * model.inputWidth, seed: 22, low: -1.5, high: 1.5)
        let r = randomValues(batch * model.outputWidth, seed: 23)
        let reference = ReferenceMLP(model)
        let pd = p.map(Double.init), xd = x.map(Double.init), rd = r.map(Double.init)
        let what = "\(widths) \(activations)"

        let out = x.withUnsafeBufferPointer { model.forward($0, batch: batch) }
        assertClose(Array(out), reference.output(pd, xd, batch: batch), absolute: 1e-5, relative: 1e-5, "\(what) forward", file: file, line: line)

        r.withUnsafeBufferPointer { model.backward($0, batch: batch, parameterGradients: .overwrite, inputGradient: true) }
        let gradient = Array(model.gradients)
        let inputGradient = model.inputGradient.prefixArray(batch * model.inputWidth)

        func loss(_ p: [Double], _ x: [Double]) -> Double {
            zip(reference.output(p, x, batch: batch), rd).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let fdParameters = finiteDifference(pd) { loss($0, xd) }
        let fdInput = finiteDifference(xd) { loss(pd, $0) }
        assertClose(gradient, fdParameters, absolute: 2e-5, relative: 1e-4, "\(what) dParameters", file: file, line: line)
        assertClose(inputGradient, fdInput, absolute: 2e-5, relative: 1e-4, "\(what) dInput", file: file, line: line)

        // The Double twin's analytic backward agrees with the same differences.
        let analytic = reference.backward(pd, xd, batch: batch, outputGradient: rd)
        assertClose(analytic.parameters.map(Float.init), fdParameters, absolute: 1e-6, relative: 1e-5, "\(what) reference", file: file, line: line)

        // .accumulate adds a second copy (β = 1 path, bias sums on top).
        r.withUnsafeBufferPointer { model.backward($0, batch: batch, parameterGradients: .accumulate) }
        assertClose(Array(model.gradients), gradient.map { 2 * $0 }, absolute: 1e-6, relative: 1e-5, "\(what) accumulate", file: file, line: line)

        // .skip (frozen model) leaves the gradient buffer alone but still yields dInput.
        model.gradients.update(repeating: 42)
        model.inputGradient.update(repeating: 0)
        r.withUnsafeBufferPointer { model.backward($0, batch: batch, parameterGradients: .skip, inputGradient: true) }
        XCTAssertTrue(model.gradients.allSatisfy { $0 == 42 }, "\(what) skip touched gradients", file: file, line: line)
        assertClose(model.inputGradient.prefixArray(batch * model.inputWidth), inputGradient, absolute: 1e-7, relative: 1e-6,
                    "\(what) skip dInput", file: file, line: line)
    }

    /// Generator → discriminator chaining: G's parameter gradient of Σ D(G(z)) ⊙ R through a
    /// frozen D equals the finite difference of the composed Double reference.
    func testChainThroughFrozenModel() throws {
        let batch = 3
        let g = try MLP(widths: [2, 4, 3], activations: [.leakyReLU(0.2), .linear], maxBatch: batch, seed: 5)
        let d = try MLP(widths: [3, 5, 1], activations: [.tanh, .linear], maxBatch: batch, seed: 6)
        let pg = randomValues(g.parameterCount, seed: 31), pdisc = randomValues(d.parameterCount, seed: 32)
        try g.restoreParameters(pg)
        try d.restoreParameters(pdisc)
        let z = randomValues(batch * 2, seed: 33), r = randomValues(batch, seed: 34)
        let fake = z.withUnsafeBufferPointer { g.forward($0, batch: batch) }
        d.forward(UnsafeBufferPointer(fake), batch: batch)
        d.gradients.update(repeating: 7)
        r.withUnsafeBufferPointer { d.backward($0, batch: batch, parameterGradients: .skip, inputGradient: true) }
        g.backward(UnsafeBufferPointer(d.inputGradient(batch: batch)), batch: batch, parameterGradients: .overwrite)

        let refG = ReferenceMLP(g), refD = ReferenceMLP(d)
        let zd = z.map(Double.init), dd = pdisc.map(Double.init)
        let fd = finiteDifference(pg.map(Double.init)) { p in
            zip(refD.output(dd, refG.output(p, zd, batch: batch), batch: batch), r).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        assertClose(Array(g.gradients), fd, absolute: 2e-5, relative: 1e-4, "G through frozen D")
        XCTAssertTrue(d.gradients.allSatisfy { $0 == 7 })
    }
}
