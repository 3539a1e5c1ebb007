import Comm
import EventStore
import Foundation
import NN
import XCTest
@testable import Generation
@testable import Support
@testable import Training
@testable import Generation

/// The one events↔rows mapping as its three users build it: snapshot scoring
/// (`GANData.rowMapping(...).physical` on a table), generation (`GeneratorModel`, chunked, with a
/// zero calibration) and the regression terms (`physicalWithDerivative`) give the same rows for
/// the same generator output, in full space and through an autoencoder or PCA with kept features.
final class RowMappingTests: XCTestCase {
    static let rows = 29

    func check(latent: Bool, keep: [String] = [], pca: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
        let comm = try Communicator.selfOnly()
        let (_, data) = try RegressionPathTests.data(latent: latent, keep: keep, pca: pca, comm: comm)
        let n = RowMappingTests.rows, width = data.outputColumns.count
        let features = data.prepared.features
        // Generation: one chunk of a small sampler, zero calibration on two columns.
        var zeros = ZeroCalibration()
        zeros.thresholds = ["mu1_px": -3, "mu2_pz": 1]
        zeros.floors = ["mu1_px": 9, "mu2_pz": 0]
        let sampler = try MLP(widths: [4, 9, width], activations: [.leakyReLU(0.2), .linear], maxBatch: 32, seed: 9)
        let model = try GeneratorModel(sampler: sampler, noiseWidth: 4, latentScaling: data.latentScaling,
                                       decoder: try data.reducer.flatMap { try RowMapping.decoder(of: $0, maxRows: 32) },
                                       kept: data.reducer?.kept, scaling: data.prepared.scaling, zeros: zeros, frame: nil,
                                       columns: features, chunk: 32)
        var generated: [Float] = []
        try model.generate(rows: 0..<n, seed: 4) { values, _ in generated = Array(values) }
        let output = EventTable(columns: data.outputColumns, rows: n, values: Array(sampler.output(batch: n)))

        // Scoring: the whole table at once, and in chunks of 8 rows (chunks keep their global rows).
        let scored = try data.rowMapping(maxRows: Reducer.inferenceBatch).physical(output, seed: 4)
        XCTAssertEqual(scored.columns, features, file: file, line: line)
        XCTAssertEqual(try data.rowMapping(maxRows: 8).physical(output, seed: 4).values, scored.values, "chunked scoring",
                       file: file, line: line)
        var calibrated = scored
        zeros.apply(&calibrated)
        XCTAssertNotEqual(calibrated.values, scored.values, "the calibration changes some values", file: file, line: line)
        XCTAssertEqual(generated, calibrated.values, "generation = scoring + the zero calibration", file: file, line: line)

        // Regression: the derivative path of the mapping the regression terms build.
        let regression = try data.rowMapping(maxRows: n)
        let derived = try output.values.withUnsafeBufferPointer { Array(try regression.physicalWithDerivative($0, rows: n)) }
        guard case .mlp? = regression.decoder, PackedWeights(sampler) != nil else {
            XCTAssertEqual(derived, scored.values, "regression rows = scoring rows", file: file, line: line)
            return
        }
        // An MLP decoder runs through OpenBLAS for its backward pass, the packed kernel elsewhere:
        // the decoded columns agree up to the summation order, the kept ones exactly.
        for (j, name) in features.enumerated() {
            for r in 0..<n {
                let a = derived[r * features.count + j], b = scored[r, j]
                if keep.contains(name) {
                    XCTAssertEqual(a, b, "kept \(name), row \(r)", file: file, line: line)
                } else {
                    XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "\(name), row \(r)", file: file, line: line)
                }
            }
        }
    }

    func testFullSpaceRowsAgree() throws { try check(latent: false) }
    func testAutoencoderRowsAgree() throws { try check(latent: true) }
    func testAutoencoderWithKeptFeaturesRowsAgree() throws { try check(latent: true, keep: ["mu1_E", "mu2_pz"]) }
    func testPCAWithKeptFeatureRowsAgree() throws { try check(latent: true, keep: ["mu2_pz"], pca: true) }

    /// The ending is the one deliberate difference: generation restores mu2_py and turns each event
    /// by a random azimuth; rotated back into the frame its rows are scoring's (up to the rotation's rounding).
    func testGenerationEndsInTheRestoredFrameOfTheScoredRows() throws {
        let comm = try Communicator.selfOnly()
        var table = RegressionPathTests.physicalRows(64, seed: 3)
        var frame = Preprocessor(steps: [.rotateAzimuth(reference: "mu2")])
        try frame.fit(table, comm: comm, seed: 1)
        let framed = try frame.forward(table, seed: 1)
        var scaling = Preprocessor(steps: [.log1p(["mu1_E", "mu2_E"]), .standardize(framed.columns)])
        try scaling.fit(framed, comm: comm, seed: 1)
        let n = RowMappingTests.rows, width = framed.width
        let sampler = try MLP(widths: [4, 9, width], activations: [.leakyReLU(0.2), .linear], maxBatch: 32, seed: 9)
        let model = try GeneratorModel(sampler: sampler, noiseWidth: 4, latentScaling: nil, decoder: nil, scaling: scaling,
                                       zeros: ZeroCalibration(), frame: frame, columns: table.columns, chunk: 32)
        var generated: [Float] = []
        try model.generate(rows: 0..<n, seed: 4) { values, _ in generated = Array(values) }
        let output = EventTable(columns: framed.columns, rows: n, values: Array(sampler.output(batch: n)))
        let scoring = try RowMapping(latentScaling: nil, decoder: nil, scaling: scaling, ending: .rotationFrame(dropped: "mu2_py"),
                                     maxRows: 16)
        let scored = try scoring.physical(output, seed: 4)
        XCTAssertEqual(scored.columns, framed.columns + ["mu2_py"])
        table = EventTable(columns: table.columns, rows: n, values: generated)
        let generatedPy = try table.quantity("mu2_py")
        XCTAssertGreaterThan(generatedPy.map(abs).max() ?? 0, 1, "generation turns the events")
        let back = try frame.forward(table, seed: 4)
        for name in framed.columns {
            let s = try scored.quantity(name), b = try back.quantity(name)
            for r in 0..<n { XCTAssertEqual(b[r], s[r], accuracy: 1e-4 * max(1, abs(s[r])), "\(name), row \(r)") }
        }
        XCTAssertEqual(try scored.quantity("mu2_py"), [Double](repeating: 0, count: n))
    }
}
