import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

final class PreprocessingDerivativeTests: XCTestCase {
    typealias F = PreprocessingFixtures
    let scaled = ["mu1_E", "mu1_px", "mu1_pz", "nvtx", "met_py", "mu2_iso", "jet3_pt"]
    let positive = ["mu1_E", "mu2_E", "jet1_pt", "jet4_pt", "mu1_iso"]

    func testStandardizeDerivativeMatchesFiniteDifferences() throws {
        try checkDerivative([.standardize(scaled)])
    }

    func testMinMaxDerivativeMatchesFiniteDifferences() throws {
        try checkDerivative([.minMax(scaled)])
    }

    func testLog1pDerivativeMatchesFiniteDifferences() throws {
        try checkDerivative([.log1p(positive)])
    }

    /// Floor is flat between integers: derivative 0, and steps smaller than the smear's guard band
    /// (2⁻¹⁰) never cross one, so the finite difference is exactly 0 too.
    func testSmearedIntegerColumnsGetZeroDerivative() throws {
        try checkDerivative([.smearInteger(["nvtx"])], step: 1e-4)
    }

    func testChainLog1pThenStandardizeMatchesFiniteDifferences() throws {
        try checkDerivative([.log1p(positive), .standardize(positive + ["mu2_px", "met_px"])])
    }

    /// The values equal `inverse(into:)` bit for bit, on forward outputs and on perturbed ones
    /// (a generator's output is no forward image), through every elementwise kind at once.
    func testValuesAreBitwiseTheInverse() throws {
        let table = F.events(rows: 60)
        var p = Preprocessor(steps: [.smearInteger(["nvtx"]), .log1p(positive), .standardize(scaled + positive.filter { !scaled.contains($0) }),
                                     .minMax(["mu2_px", "met_px", "nvtx"])])
        try p.fit(table, comm: nil)
        var y = try p.forward(table, seed: 11).values
        for perturbed in [false, true] {
            if perturbed { for i in y.indices { y[i] += Float(0.01 * Double(i % 13) - 0.06) } }
            var expected = y
            try expected.withUnsafeMutableBufferPointer { try p.inverse(into: $0, rows: 60, firstRow: 0, seed: 0) }
            let (x, _) = try F.inverseWithDerivative(p, y, rows: 60)
            XCTAssertEqual(x.map(\.bitPattern), expected.map(\.bitPattern), "perturbed: \(perturbed)")
        }
    }

    func testRotationIsRefused() throws {
        var p = Preprocessor.paperDefault(columns: F.columns, integerColumns: ["nvtx"])
        try p.fit(F.events(rows: 20), comm: nil)
        let y = try p.forward(F.events(rows: 2), seed: 0).values + [Float](repeating: 0, count: 2)
        let error = F.message { _ = try F.inverseWithDerivative(p, y, rows: 2) }
        XCTAssertEqual(error?.code, ExitStatus.usage)
        XCTAssertEqual(error?.text, "preprocessing step 1 (rotateAzimuth): differentiating the inverse preprocessing expected "
                       + "elementwise steps (standardize, minMax, log1p, smearInteger, zeroSpike, quantile) after pair steps "
                       + "(pairMass, pairPt, ordered), found a step whose inverse mixes the columns of a row with no kept derivative "
                       + "(rotateAzimuth); leave it out of the preprocessing or turn the gradient terms off "
                       + "(regression = [], mmd = [])")
    }

    func testUnfittedIsRefused() {
        let p = Preprocessor(steps: [.standardize(["mu1_E"])])
        let error = F.message { _ = try F.inverseWithDerivative(p, [1, 2], rows: 1) }
        XCTAssertEqual(error?.code, ExitStatus.software)
    }

    /// Fits `steps` on 20 events and checks every entry's derivative against a Double central
    /// difference of `inverse(into:)` (the other entries of the row must not move: elementwise).
    @discardableResult
    private func checkDerivative(_ steps: [PreprocessingStep], step: Double? = nil) throws -> Preprocessor {
        let rows = 20, table = F.events(rows: rows)
        var p = Preprocessor(steps: steps)
        try p.fit(table, comm: nil)
        let y = try p.forward(table, seed: 5).values
        let (x, derivative) = try F.inverseWithDerivative(p, y, rows: rows)
        for i in y.indices {
            let h = Float(step ?? 3e-3 * max(1, Double(abs(y[i]))))
            let (plus, minus) = try F.perturbedInverses(p, y, entry: i, step: h, rows: rows)
            let numeric = (Double(plus[i]) - Double(minus[i])) / (Double(y[i] + h) - Double(y[i] - h))
            let what = "\(F.columns[i % table.width]) row \(i / table.width)"
            XCTAssertLessThanOrEqual(abs(Double(derivative[i]) - numeric), 1e-3 * abs(numeric),
                                     "\(what): analytic \(derivative[i]), finite difference \(numeric)")
            let row = (i / table.width) * table.width
            for j in row..<(row + table.width) where j != i {
                XCTAssertEqual(plus[j], x[j], "\(what) moved column \(F.columns[j - row])")
            }
        }
        return p
    }
}
