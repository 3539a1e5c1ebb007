import XCTest
@testable import NN
@testable import Support
import Training

/// The training backward step fused into the input-gradient product (`DenseKernel.backward`,
/// `DenseLayer.fusedInputGradient`): bitwise its scalar twin on both variants, and a whole
/// `MLP.backward` bitwise the unfused kernel path; the GAN step's reuse of D's packed copies is
/// invalidated by a restore.
final class FusedBackwardTests: XCTestCase {
    /// Every variant this CPU runs against `DenseKernel.referenceBackward`, on shapes around the
    /// panels, the 16/8-column groups, the 12/6/4-row blocks and AVX2's 48-row strips (53 and 101
    /// rows: a second and third strip with ragged ends), with and without a bias gradient (which
    /// starts from nonzero values: the kernel adds to it, strip after strip, in row order).
    func testKernelIsItsTwinBitwiseOnEveryVariant() throws {
        let variants = DenseKernel.Variant.allCases.filter(\.isSupported)
        guard !variants.isEmpty else { throw XCTSkip("this CPU runs no DenseKernel variant") }
        let activations: [Activation] = [.leakyReLU(0.2), .relu, .linear]
        for variant in variants {
            for (case_, (rows, k, n)) in [(1, 1, 1), (5, 3, 7), (13, 17, 33), (12, 40, 16), (25, 64, 9), (7, 8, 70), (30, 33, 24),
                                             (53, 20, 24), (101, 9, 40)].enumerated() {
                let activation = activations[case_ % activations.count]
                let g = randomValues(rows * k, seed: UInt64(100 + case_)), w = randomValues(n * k, seed: UInt64(200 + case_))
                let y = randomValues(rows * n, seed: UInt64(300 + case_))
                let start = randomValues(n, seed: UInt64(400 + case_))
                var packed = [Float](repeating: .nan, count: DenseKernel.packedCount(inputs: k, outputs: n))
                // w is the layer above's W (n × k); its Wᵀ (k × n) is what the kernel multiplies by.
                let wt = (0..<(k * n)).map { w[($0 % n) * k + $0 / n] }
                packed.withUnsafeMutableBufferPointer { DenseKernel.pack(wt, inputs: k, outputs: n, into: $0.baseAddress!, variant: variant) }
                let zeros = [Float](repeating: 0, count: n)
                for withBias in [true, false] {
                    var dz = [Float](repeating: .nan, count: rows * n), expected = dz
                    var bias = start, expectedBias = start
                    dz.withUnsafeMutableBufferPointer { d in
                        bias.withUnsafeMutableBufferPointer { b in
                            DenseKernel.backward(rows: rows, inputs: k, outputs: n, g: g, packed: packed, zeros: zeros, y: y,
                                                 dz: d.baseAddress!, biasGradient: withBias ? b.baseAddress! : nil,
                                                 activation: activation, variant: variant)
                        }
                    }
                    expected.withUnsafeMutableBufferPointer { d in
                        expectedBias.withUnsafeMutableBufferPointer { b in
                            DenseKernel.referenceBackward(rows: rows, inputs: k, outputs: n, g: g, w: w, y: y, dz: d.baseAddress!,
                                                          biasGradient: withBias ? b.baseAddress! : nil, activation: activation)
                        }
                    }
                    let label = "\(variant) \(rows)×\(k)→\(n) \(activation) bias \(withBias)"
                    XCTAssertEqual(dz.map(\.bitPattern), expected.map(\.bitPattern), label)
                    XCTAssertEqual(bias.map(\.bitPattern), expectedBias.map(\.bitPattern), label)
                    if !withBias { XCTAssertEqual(bias, start, label) }
                }
            }
        }
    }

    /// `MLP.backward` on packed Wᵀ, fused and unfused, in every gradient mode: the same bits for
    /// the parameter and input gradients (tanh is not fused: that layer takes the sweep).
    func testMLPBackwardFusedIsUnfusedBitwise() throws {
        guard DenseKernel.variant != nil else { throw XCTSkip("this CPU runs no DenseKernel variant") }
        let model = try MLP(widths: [9, 40, 33, 20, 17, 6], activations: [.leakyReLU(0.2), .relu, .tanh, .leakyReLU(0.1), .linear],
                            maxBatch: 23, seed: 7)
        let transposed = try XCTUnwrap(TransposedWeights(model))
        let input = randomValues(23 * 9, seed: 12), gradient = randomValues(23 * 6, seed: 13)
        let start = randomValues(model.parameterCount, seed: 14)
        for mode in [GradientMode.overwrite, .accumulate, .skip] {
            func run(fused: Bool) -> [Float] {
                transposed.fusesBackward = fused
                _ = model.gradients.update(from: start)
                model.forward(input.withUnsafeBufferPointer { $0 }, batch: 23)
                model.backward(gradient.withUnsafeBufferPointer { $0 }, batch: 23, parameterGradients: mode, inputGradient: true,
                               transposed: transposed)
                return Array(model.gradients) + Array(model.inputGradient(batch: 23))
            }
            let unfused = run(fused: false), fused = run(fused: true)
            XCTAssertEqual(fused.map(\.bitPattern), unfused.map(\.bitPattern), "\(mode)")
            if mode == .skip { XCTAssertEqual(Array(fused[0..<model.parameterCount]), start, "skip leaves the gradients") }
        }
    }

    /// D's packed copies survive from one step to the next (D does not change in between), but a
    /// restore between steps makes them stale: after steps 0 and 1, restoring the state after step
    /// 0 and rerunning step 1 gives step 1's bits again (a stale D copy would not).
    func testARestoreBetweenStepsRepacksTheDiscriminator() throws {
        guard DenseKernel.variant != nil else { throw XCTSkip("this CPU runs no DenseKernel variant") }
        let gan = try ProductionGANStep(features: 7, batch: 64, seed: 5, workers: 1)
        let trainer = gan.trainer
        _ = try trainer.step(0)
        let saved = trainer.models.map { ($0.model.copyParameters(), $0.optimizer.copyState(), $0.optimizer.stepCount) }
        let savedExtra = trainer.extraState.map { Array($0.1) }
        _ = try trainer.step(1)
        let first = trainer.models.flatMap { Array($0.model.parameters) }
        for (m, s) in zip(trainer.models, saved) {
            try m.model.restoreParameters(s.0)
            try m.optimizer.restoreState(s.1, stepCount: s.2)
        }
        for (e, s) in zip(trainer.extraState, savedExtra) { _ = e.1.update(from: s) }
        _ = try trainer.step(1)
        let second = trainer.models.flatMap { Array($0.model.parameters) }
        let differing = zip(second, first).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "parameters differing from the uninterrupted step 1 (of \(first.count))")
    }
}
