import XCTest
@testable import NN
@testable import Support
import Training

/// The GAN step's forward passes on packed weights (`PackedWeights+Training.swift`): repacking in
/// parts equals a fresh pack, and a production step's forward outputs are bitwise the kernel's
/// scalar twin (`DenseKernel.reference`) on the weights of that moment — so the copy is repacked
/// after every update, G's at the step's start and D's after its update.
final class TrainingKernelTests: XCTestCase {
    /// Layer after layer through the scalar twin, from `input` (rows × widths[0]) on `parameters`.
    private func referenceForward(_ model: MLP, parameters: [Float], input: [Float], rows: Int) -> [Float] {
        var x = input
        for layer in model.layers {
            var y = [Float](repeating: 0, count: rows * layer.outputs)
            parameters.withUnsafeBufferPointer { p in
                y.withUnsafeMutableBufferPointer {
                    DenseKernel.reference(rows: rows, inputs: layer.inputs, outputs: layer.outputs, x: x,
                                          w: p.baseAddress! + layer.weightOffset, bias: p.baseAddress! + layer.biasOffset,
                                          y: $0.baseAddress!, activation: layer.activation)
                }
            }
            x = y
        }
        return x
    }

    /// Repacked in 1, 2 and 3 parts after the weights changed: bitwise a fresh pack; a replica's
    /// forward on its primary's packed copy is bitwise the twin.
    func testRepackInPartsEqualsAFreshPackAndServesReplicas() throws {
        guard let variant = DenseKernel.variant else { throw XCTSkip("this CPU runs no DenseKernel variant") }
        let model = try MLP(widths: [7, 40, 33, 64, 5], activations: [.leakyReLU(0.2), .relu, .leakyReLU(0.2), .linear],
                            maxBatch: 13, seed: 3)
        let packed = try XCTUnwrap(PackedWeights.forTraining(model))
        _ = model.parameters.update(from: randomValues(model.parameterCount, seed: 8))
        for parts in 1...3 {
            packed.storage.buffer.update(repeating: .nan)
            for part in (0..<parts).reversed() { packed.repack(model, part: part, of: parts) }
            let fresh = PackedWeights(packing: model, variant: variant)
            XCTAssertEqual(packed.storage.buffer.map(\.bitPattern), fresh.storage.buffer.map(\.bitPattern), "\(parts) parts")
        }
        let replica = try MLP(replicaOf: model, maxBatch: 13)
        let input = randomValues(13 * 7, seed: 9)
        let out = Array(replica.forward(input.withUnsafeBufferPointer { $0 }, batch: 13, packed: packed))
        XCTAssertEqual(out.map(\.bitPattern),
                       referenceForward(model, parameters: Array(model.parameters), input: input, rows: 13).map(\.bitPattern))
    }

    /// The training packers against `DenseKernel.pack` (of W, and of Wᵀ written out), bitwise, in
    /// both variants' layouts (panels of 32 and 16 columns), on shapes around the panels and the
    /// 16-output tiles.
    func testPackersAreDenseKernelPackBitwise() {
        for variant in DenseKernel.Variant.allCases {
            let width = variant.panelWidth
            for (k, n) in [(1, 1), (3, 5), (7, 32), (13, 33), (64, 17), (40, 70), (33, 16), (72, 24), (96, 41), (17, 15)] {
                let w = randomValues(k * n, seed: UInt64(k * 100 + n)), label = "\(variant)"
                var expected = [Float](repeating: .nan, count: DenseKernel.packedCount(inputs: k, outputs: n)), got = expected
                expected.withUnsafeMutableBufferPointer { DenseKernel.pack(w, inputs: k, outputs: n, into: $0.baseAddress!, variant: variant) }
                got.withUnsafeMutableBufferPointer { PackedWeights.packRows(w, inputs: k, outputs: n, into: $0.baseAddress!, width: width) }
                XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "\(label) W \(k)×\(n)")
                let wt = (0..<(n * k)).map { w[($0 % k) * n + $0 / k] }  // Wᵀ[o][i] = W[i][o]
                var expectedT = [Float](repeating: .nan, count: DenseKernel.packedCount(inputs: n, outputs: k)), gotT = expectedT
                expectedT.withUnsafeMutableBufferPointer { DenseKernel.pack(wt, inputs: n, outputs: k, into: $0.baseAddress!, variant: variant) }
                gotT.withUnsafeMutableBufferPointer { TransposedWeights.packTransposed(w, inputs: k, outputs: n, into: $0.baseAddress!, width: width) }
                XCTAssertEqual(gotT.map(\.bitPattern), expectedT.map(\.bitPattern), "\(label) Wᵀ of \(k)×\(n)")
                guard DenseKernel.variant != nil else { continue }
                var fastT = [Float](repeating: .nan, count: expectedT.count)
                fastT.withUnsafeMutableBufferPointer {
                    TransposedWeights.packTransposedFast(w, inputs: k, outputs: n, into: $0.baseAddress!, width: width)
                }
                XCTAssertEqual(fastT.map(\.bitPattern), expectedT.map(\.bitPattern), "\(label) Wᵀ of \(k)×\(n), register transposes")
            }
        }
    }

    /// dX = dZ·Wᵀ through the kernel on packed Wᵀ is bitwise the twin on Wᵀ with a zero bias (one
    /// layer, so dZ is the same in both); on a deeper network the whole backward agrees with the
    /// OpenBLAS path up to float rounding, parameter and input gradients alike.
    func testInputGradientThroughTheKernelIsTheTwin() throws {
        guard DenseKernel.variant != nil else { throw XCTSkip("this CPU runs no DenseKernel variant") }
        let (rows, k, n) = (19, 45, 37)
        let layer = try MLP(widths: [k, n], activations: [.leakyReLU(0.2)], maxBatch: rows, seed: 6)
        let transposed = try XCTUnwrap(TransposedWeights(layer))
        let x = randomValues(rows * k, seed: 10), dy = randomValues(rows * n, seed: 11)
        let y = Array(layer.forward(x.withUnsafeBufferPointer { $0 }, batch: rows))
        layer.backward(dy.withUnsafeBufferPointer { $0 }, batch: rows, inputGradient: true, transposed: transposed)
        let dz = (0..<(rows * n)).map { dy[$0] * Activation.leakyReLU(0.2).derivative(output: y[$0]) }
        let w = Array(layer.parameters[0..<(k * n)])
        let wt = (0..<(n * k)).map { w[($0 % k) * n + $0 / k] }
        var expected = [Float](repeating: 0, count: rows * k)
        let zeros = [Float](repeating: 0, count: k)
        expected.withUnsafeMutableBufferPointer {
            DenseKernel.reference(rows: rows, inputs: n, outputs: k, x: dz, w: wt, bias: zeros, y: $0.baseAddress!, activation: .linear)
        }
        XCTAssertEqual(Array(layer.inputGradient(batch: rows)).map(\.bitPattern), expected.map(\.bitPattern))

        let model = try MLP(widths: [9, 40, 33, 6], activations: [.leakyReLU(0.2), .tanh, .linear], maxBatch: 21, seed: 7)
        let deep = try XCTUnwrap(TransposedWeights(model))
        let input = randomValues(21 * 9, seed: 12), gradient = randomValues(21 * 6, seed: 13)
        func run(_ t: TransposedWeights?) -> [Float] {
            model.forward(input.withUnsafeBufferPointer { $0 }, batch: 21)
            model.backward(gradient.withUnsafeBufferPointer { $0 }, batch: 21, inputGradient: true, transposed: t)
            return Array(model.gradients) + Array(model.inputGradient(batch: 21))
        }
        let blas = run(nil), kernel = run(deep)
        assertClose(kernel, blas, absolute: 1e-6, relative: 1e-5, "backward through packed Wᵀ against OpenBLAS")
        XCTAssertNotEqual(kernel.map(\.bitPattern), blas.map(\.bitPattern), "the kernel path ran")
    }

    /// Steps 0 and 1 of the production GAN step on 2 workers; after step 1, worker 0's generator
    /// outputs are the twin on G's weights before step 1's update, and its discriminator outputs
    /// (the generator update's rows) the twin on D's updated weights: stale copies would differ.
    func testProductionStepForwardIsTheTwinOnCurrentWeights() throws {
        guard DenseKernel.variant != nil else { throw XCTSkip("this CPU runs no DenseKernel variant") }
        let gan = try ProductionGANStep(features: 7, batch: 64, seed: 5, workers: 2)
        let g = gan.trainer.generator, d = gan.trainer.discriminator
        gan.benchmarkStep()
        let generatorBefore = Array(g.parameters), discriminatorBefore = Array(d.parameters)
        gan.benchmarkStep()
        XCTAssertNotEqual(Array(g.parameters), generatorBefore, "the step updates G")
        XCTAssertNotEqual(Array(d.parameters), discriminatorBefore, "the step updates D")
        let rows = g.forwardBatch
        XCTAssertEqual(rows, 32, "worker 0 holds half of the generator update's 64 rows")
        let fake = referenceForward(g, parameters: generatorBefore, input: Array(g.input(batch: rows)), rows: rows)
        XCTAssertEqual(Array(g.output(batch: rows)).map(\.bitPattern), fake.map(\.bitPattern), "generator forward")
        XCTAssertEqual(Array(d.input(batch: rows)).map(\.bitPattern), fake.map(\.bitPattern), "D reads the generated rows")
        let logits = referenceForward(d, parameters: Array(d.parameters), input: fake, rows: rows)
        XCTAssertEqual(Array(d.output(batch: rows)).map(\.bitPattern), logits.map(\.bitPattern), "discriminator forward")
    }
}
