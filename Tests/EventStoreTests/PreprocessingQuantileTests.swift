import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

/// The `quantile` step: y = Φ⁻¹(F(x)) with F interpolating the training quantiles.
final class PreprocessingQuantileTests: XCTestCase {
    typealias F = PreprocessingFixtures
    let columns = ["mu1_E", "mu1_pz", "met_px", "mu1_iso", "jet3_pt", "nvtx"]

    /// Knot i is the sorted training value at position round(i·(n−1)/(K−1)) (computed here directly).
    func testKnotsAreTheTrainingQuantiles() throws {
        let table = F.events(rows: 301)
        var p = Preprocessor(steps: [.quantile(["mu1_pz", "jet3_pt"], levels: 11)])
        try p.fit(table, comm: nil)
        for (k, name) in ["mu1_pz", "jet3_pt"].enumerated() {
            let sorted = F.column(table, name).sorted()
            XCTAssertEqual(p.steps[0].knots?[k], (0..<11).map { sorted[$0 * 30] }, name)
        }
    }

    /// The training rows come out standard normal per column (mean 0, std 1, and KS distance to
    /// Φ within a few 1/√n), spiked and integer columns included: ties are spread over their run.
    func testForwardMakesEveryMarginalStandardNormal() throws {
        let table = F.events(rows: 4000)
        var p = Preprocessor(steps: [.quantile(columns)])
        try p.fit(table, comm: nil)
        let y = try p.forward(table, seed: 3)
        for name in columns {
            let v = F.column(y, name).sorted(), n = Double(v.count)
            let mean = v.reduce(0, +) / n
            let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 0.02, name)
            XCTAssertEqual(std, 1, accuracy: 0.03, name)
            let ks = v.enumerated().map { i, x in
                max(abs(QuantileTransform.normalCDF(x) - Double(i) / n), abs(QuantileTransform.normalCDF(x) - Double(i + 1) / n))
            }.max() ?? 1
            XCTAssertLessThan(ks, 0.02, "\(name): KS to the standard normal")
        }
    }

    /// Inverse ∘ forward returns every training value: exact for the zero spike (a run of equal
    /// knots), within float32 rounding of y for the rest (integers too: they are smeared first in
    /// the real preprocessing).
    func testInverseRestoresTheValues() throws {
        let table = F.events(rows: 2000)
        var p = Preprocessor(steps: [.quantile(columns)])
        try p.fit(table, comm: nil)
        let back = try p.inverse(try p.forward(table, seed: 5), seed: 0)
        for name in columns {
            let x = F.column(table, name), z = F.column(back, name)
            let spread = (x.max() ?? 0) - (x.min() ?? 0)
            for r in x.indices {
                if x[r] == 0 {
                    XCTAssertEqual(z[r], x[r], "\(name) row \(r): tied values come back exactly")
                } else {
                    XCTAssertEqual(z[r], x[r], accuracy: 1e-4 * spread, "\(name) row \(r)")
                }
            }
        }
    }

    /// Rows draw their tie positions from their own streams: transforming slices (as ranks do)
    /// gives bitwise the whole table's result.
    func testForwardDoesNotDependOnTheRowSplit() throws {
        let table = F.events(rows: 300)
        var p = Preprocessor(steps: [.quantile(columns)])
        try p.fit(table, comm: nil)
        let whole = try p.forward(table, seed: 9)
        let parts = try F.piecewise(table, [0..<7, 7..<150, 150..<300]) { try p.forward($0, seed: 9) }
        XCTAssertEqual(whole.values.map(\.bitPattern), parts.values.map(\.bitPattern))
    }

    /// Φ⁻¹ against reference values (scipy.stats.norm.ppf, double precision) and Φ(Φ⁻¹(u)) = u.
    func testNormalQuantile() {
        let reference: [(Double, Double)] = [(0.5, 0), (0.975, 1.959963984540054), (0.01, -2.3263478740408408),
                                             (1e-6, -4.753424308822899), (0.8413447460685429, 1.0)]
        for (u, z) in reference { XCTAssertEqual(QuantileTransform.normalQuantile(u), z, accuracy: 1e-12, "u = \(u)") }
        for u in stride(from: 1e-7, to: 1, by: 0.0137) {
            XCTAssertEqual(QuantileTransform.normalCDF(QuantileTransform.normalQuantile(u)), u, accuracy: 1e-14 + 1e-12 * u)
        }
    }

    /// dx/dy = (K−1)·(knot step)·φ(y), against central differences of the inverse in Double.
    func testDerivativeMatchesFiniteDifferences() throws {
        for ties in QuantileTransform.Ties.allCases { try checkDerivative(ties) }
    }

    private func checkDerivative(_ ties: QuantileTransform.Ties) throws {
        let rows = 25, table = F.events(rows: rows)
        var p = Preprocessor(steps: [.quantile(["mu1_E", "met_px", "jet3_pt"], levels: 7, ties: ties),
                                     .standardize(["mu1_E", "met_px"])])
        try p.fit(F.events(rows: 400), comm: nil)
        let y = try p.forward(table, seed: 1).values
        let (x, derivative) = try F.inverseWithDerivative(p, y, rows: rows)
        var checked = 0
        for name in ["mu1_E", "met_px", "jet3_pt"] {
            let j = try XCTUnwrap(table.columnIndex(name))
            for r in 0..<rows {
                let i = r * table.width + j, h: Float = 1e-3
                let (plus, minus) = try F.perturbedInverses(p, y, entry: i, step: h, rows: rows)
                // Skip the few points whose stencil straddles a knot (the slope changes there).
                let numeric = (Double(plus[i]) - Double(minus[i])) / (Double(y[i] + h) - Double(y[i] - h))
                let left = (Double(x[i]) - Double(minus[i])) / Double(h), right = (Double(plus[i]) - Double(x[i])) / Double(h)
                guard abs(left - right) <= 1e-2 * max(abs(left), abs(right), 1e-9) else { continue }
                XCTAssertEqual(Double(derivative[i]), numeric, accuracy: 5e-3 * abs(numeric) + 1e-9, "\(ties) \(name) row \(r)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 40)
    }

    /// Midpoint ties: a spike goes to the centre of its run, the same for every seed, and comes
    /// back within float32 rounding of y; the continuum is transformed as with spread ties.
    func testMidpointTiesAreDeterministic() throws {
        let table = F.events(rows: 1000)
        var p = Preprocessor(steps: [.quantile(["jet3_pt", "mu1_E"], ties: .midpoint)])
        try p.fit(table, comm: nil)
        let knots = try XCTUnwrap(p.steps[0].knots?[0])
        let run = knots.indices.filter { knots[$0] == 0 }
        let centre = QuantileTransform.normalQuantile(Double(run.first! + run.last!) / 2 / Double(knots.count - 1))
        let (a, b) = (try p.forward(table, seed: 1), try p.forward(table, seed: 2))
        XCTAssertEqual(a.values, b.values, "no random draws")
        let x = F.column(table, "jet3_pt"), y = F.column(a, "jet3_pt"), back = F.column(try p.inverse(a, seed: 0), "jet3_pt")
        for r in x.indices {
            if x[r] == 0 {
                XCTAssertEqual(y[r], Double(Float(centre)), "row \(r)")
                XCTAssertEqual(back[r], 0, accuracy: 1e-4, "row \(r)")
            } else {
                XCTAssertEqual(back[r], x[r], accuracy: 1e-4 * x[r], "row \(r)")
            }
        }
        var spread = Preprocessor(steps: [.quantile(["jet3_pt", "mu1_E"])])
        try spread.fit(table, comm: nil)
        XCTAssertEqual(F.column(a, "mu1_E"), F.column(try spread.forward(table, seed: 1), "mu1_E"), "no ties in mu1_E")
        let decoded = try JSONDecoder().decode(Preprocessor.self, from: JSONEncoder().encode(p))
        XCTAssertEqual(try decoded.forward(table, seed: 5).values, a.values, "the tie rule is stored")
    }

    /// Midpoint ties leave F⁻¹ without a flat part: network outputs below, inside and above a
    /// spike's centre come back in the same order (negative below the spike, between the spike
    /// and the continuum's start above it), so the zero calibration can move the edge either way.
    func testMidpointInverseIsStrictlyIncreasingThroughTheSpike() throws {
        var p = Preprocessor(steps: [.quantile(["jet3_pt"], ties: .midpoint)])
        try p.fit(F.events(rows: 1000), comm: nil)
        let knots = try XCTUnwrap(p.steps[0].knots?[0])
        let start = try XCTUnwrap(knots.first { $0 > 0 })
        var table = F.events(rows: 41)
        let j = try XCTUnwrap(table.columnIndex("jet3_pt"))
        for r in 0..<41 { table[r, j] = Float(-2.0 + 0.05 * Double(r)) }     // y from −2 to 0
        let x = F.column(try p.inverse(table, seed: 0), "jet3_pt")
        for r in 1..<41 { XCTAssertGreaterThan(x[r], x[r - 1], "y = \(-2.0 + 0.05 * Double(r))") }
        XCTAssertLessThan(x[0], 0, "below the spike's centre")
        XCTAssertTrue(x.contains { $0 > 0 && $0 < start }, "between the spike and the continuum")
    }

    func testStoredStepRoundTrips() throws {
        var p = Preprocessor(steps: [.quantile(columns, levels: 50), .standardize(columns)])
        try p.fit(F.events(rows: 200), comm: nil)
        let decoded = try JSONDecoder().decode(Preprocessor.self, from: JSONEncoder().encode(p))
        let table = F.events(rows: 9, seed: 3)
        XCTAssertEqual(try decoded.forward(table, seed: 4).values, try p.forward(table, seed: 4).values)
    }
}
