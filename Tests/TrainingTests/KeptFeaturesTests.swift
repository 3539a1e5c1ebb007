import Comm
import EventStore
import Foundation
import NN
import XCTest
@testable import Support
@testable import Training
@testable import Generation

/// Reducers with kept features (`keep`): the latent row is the codes followed by the kept
/// features, decoding restores those exactly, and every decode path (the scorer's, generation's)
/// agrees.
final class KeptFeaturesTests: XCTestCase {
    static let keep = ["mu1_E", "mu2_pz"]

    /// A fitted scaling, the preprocessed rows, and an autoencoder or PCA reducer with 3 codes.
    func reducer(pca usePCA: Bool, keep: [String]) throws -> (Reducer, EventTable) {
        let comm = try Communicator.selfOnly()
        let physical = RegressionPathTests.physicalRows(50, seed: 7)
        let features = RegressionPathTests.features
        var scaling = Preprocessor(steps: [.log1p(["mu1_E", "mu2_E"]), .standardize(features)])
        try scaling.fit(physical, comm: comm)
        let pre = try scaling.forward(physical, seed: 1)
        let spec = AutoencoderSpec(features: 8, latent: 3 + keep.count, hidden: [6], slope: 0.2,
                                   keep: keep.compactMap { features.firstIndex(of: $0) })
        let moments = pre.values.withUnsafeBufferPointer { PCA.moments($0, rows: pre.rows, features: 8) }
        let reducer = Reducer(method: usePCA ? .pca : .ae, frame: nil, scaling: scaling, inputColumns: features, features: features,
                              latent: 3 + keep.count, keep: keep, split: HeldOutSplit(fraction: 0.1, seed: 1),
                              spec: usePCA ? nil : spec,
                              encoder: usePCA ? nil : try MLP(widths: spec.encoderWidths, activations: spec.encoderActivations,
                                                               maxBatch: 64, seed: 5),
                              decoder: usePCA ? nil : try MLP(widths: spec.decoderWidths, activations: spec.decoderActivations,
                                                               maxBatch: 64, seed: 6),
                              pca: usePCA ? try PCA(moments: moments, features: 8, components: 3) : nil)
        return (reducer, pre)
    }

    func column(_ t: EventTable, _ name: String) -> [Float] {
        let j = t.columnIndex(name)!
        return (0..<t.rows).map { t[$0, j] }
    }

    func testLatentRowsAreCodesThenKeptFeaturesAndDecodingRestoresThemExactly() throws {
        for usePCA in [false, true] {
            let (kept, pre) = try reducer(pca: usePCA, keep: KeptFeaturesTests.keep)
            XCTAssertEqual(kept.latentColumns, ["z0", "z1", "z2", "mu1_E", "mu2_pz"])
            let z = kept.encode(pre)
            XCTAssertEqual(z.columns, kept.latentColumns)
            for name in KeptFeaturesTests.keep { XCTAssertEqual(column(z, name), column(pre, name), name) }
            // The codes: the encoder's first three outputs, or the three principal components.
            let codes: [Float], decodedByModel: [Float]
            if usePCA {
                let (plain, _) = try reducer(pca: true, keep: [])
                codes = plain.encode(pre).values
                var onlyCodes = EventTable(columns: ["z0", "z1", "z2"], rows: pre.rows)
                onlyCodes.values = codes
                decodedByModel = try plain.decode(onlyCodes).values
            } else {
                let out = Array(pre.values.withUnsafeBufferPointer { kept.encoder!.forward($0, batch: pre.rows, packed: PackedWeights(kept.encoder!)) })
                codes = (0..<pre.rows).flatMap { r in out[(r * 5)..<(r * 5 + 3)] }
                decodedByModel = Array(z.values.withUnsafeBufferPointer { kept.decoder!.forward($0, batch: pre.rows, packed: PackedWeights(kept.decoder!)) })
            }
            XCTAssertEqual((0..<pre.rows).flatMap { r in z.values[(r * 5)..<(r * 5 + 3)] }, codes)
            let back = try kept.decode(z)
            for (j, name) in RegressionPathTests.features.enumerated() {
                let model = (0..<pre.rows).map { decodedByModel[$0 * 8 + j] }
                if KeptFeaturesTests.keep.contains(name) {
                    XCTAssertEqual(column(back, name), column(pre, name), "kept \(name) comes back bitwise")
                    XCTAssertNotEqual(model, column(pre, name), "the model alone does not reproduce \(name)")
                } else {
                    XCTAssertEqual(column(back, name), model, "\(name) is the model's decode of the latent rows")
                }
            }
        }
    }

    /// Training: the autoencoder's bottleneck columns 3 and 4 are the kept inputs, so the decoder half
    /// reads them exactly, and a kept feature's reconstruction does not depend on the encoder at all.
    func testTrainingModelFeedsTheKeptFeaturesToTheDecoder() throws {
        let (reducer, pre) = try reducer(pca: false, keep: KeptFeaturesTests.keep)
        let spec = try XCTUnwrap(reducer.spec)
        let model = try spec.makeModel(maxBatch: 64, seed: 2)
        XCTAssertEqual(model.inputCopy, InputCopy(layer: 1, inputs: [0, 7], outputs: [3, 4]))
        _ = pre.values.withUnsafeBufferPointer { model.forward($0, batch: pre.rows) }
        let bottleneck = model.layerOutput(1, batch: pre.rows)
        for r in 0..<pre.rows {
            XCTAssertEqual(bottleneck[r * 5 + 3], pre[r, 0])
            XCTAssertEqual(bottleneck[r * 5 + 4], pre[r, 7])
        }
    }

    /// Generation's chunked decoder (the MLP's own input buffer, or a code buffer for PCA) gives
    /// the same physical rows as the reducer's own table path (Reducer.decode, then the scaling's inverse).
    func testGenerationDecodesLikeTheScorer() throws {
        let comm = try Communicator.selfOnly()
        for usePCA in [false, true] {
            let (reducer, pre) = try reducer(pca: usePCA, keep: KeptFeaturesTests.keep)
            var latentScaling = Preprocessor(steps: [.standardize(reducer.latentColumns)])
            try latentScaling.fit(reducer.encode(pre), comm: comm)
            let sampler = try MLP(widths: [4, 9, reducer.latent], activations: [.leakyReLU(0.2), .linear], maxBatch: 32, seed: 9)
            let decoder: GeneratorModel.Decoder = usePCA ? .pca(reducer.pca!) : .mlp(try reducer.trainableDecoder(maxBatch: 32)!)
            let model = try GeneratorModel(sampler: sampler, noiseWidth: 4, latentScaling: latentScaling, decoder: decoder,
                                           kept: reducer.kept, scaling: reducer.scaling, zeros: ZeroCalibration(), frame: nil,
                                           columns: reducer.features, chunk: 32)
            var generated: [Float] = []
            try model.generate(rows: 0..<29, seed: 4) { values, _ in generated = Array(values) }
            var output = EventTable(columns: latentScaling.outputColumns, rows: 29)
            output.values = Array(sampler.output(batch: 29))
            let expected = try reducer.scaling.inverse(reducer.decode(try latentScaling.inverse(output, seed: 4)), seed: 4)
            XCTAssertEqual(generated.count, expected.values.count)
            for i in 0..<generated.count {
                XCTAssertEqual(generated[i], expected.values[i], accuracy: 1e-5 * max(1, abs(expected.values[i])), "value \(i)")
            }
        }
    }
}
