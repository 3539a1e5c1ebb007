import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

/// The `zeroSpike` step: 0 ↦ −G, x ≥ t ↦ x − t, the gap (0, t) stretched linearly in between.
final class PreprocessingZeroSpikeTests: XCTestCase {
    typealias F = PreprocessingFixtures
    let spiked = ["jet3_pt", "jet4_pt", "jet5_pt"]

    /// t is the smallest non-zero training value and G the population std of the non-zero values
    /// (rounded to float32), computed here directly from the fixture column.
    func testFitsStartAndGapOnTheNonZeroValues() throws {
        let table = F.events(rows: 200)
        var p = Preprocessor(steps: [.zeroSpike(spiked)])
        try p.fit(table, comm: nil)
        for (k, name) in spiked.enumerated() {
            let positive = F.column(table, name).filter { $0 > 0 }
            XCTAssertGreaterThan(positive.count, 20, "\(name) has a continuum")
            XCTAssertLessThan(positive.count, 200, "\(name) has zeros")
            let mean = positive.reduce(0, +) / Double(positive.count)
            let std = (positive.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(positive.count)).squareRoot()
            XCTAssertEqual(p.steps[0].shift?[k], positive.min(), name)
            XCTAssertEqual(p.steps[0].scale?[k], Double(Float(std)), name)
        }
    }

    /// Zeros go to exactly −G and come back as exactly 0; the continuum is shifted to start at 0
    /// and comes back within float32 rounding; other columns are untouched.
    func testForwardSeparatesTheSpikeAndInverseRestoresIt() throws {
        let table = F.events(rows: 200)
        var p = Preprocessor(steps: [.zeroSpike(spiked)])
        try p.fit(table, comm: nil)
        let y = try p.forward(table, seed: 0)
        let back = try p.inverse(y, seed: 0)
        for (k, name) in spiked.enumerated() {
            let t = try XCTUnwrap(p.steps[0].shift?[k]), gap = try XCTUnwrap(p.steps[0].scale?[k])
            let x = F.column(table, name), forward = F.column(y, name), inverse = F.column(back, name)
            for r in x.indices {
                if x[r] == 0 {
                    XCTAssertEqual(forward[r], -gap, "\(name) row \(r)")
                    XCTAssertEqual(inverse[r], 0, "\(name) row \(r): the spike must come back exactly")
                } else {
                    XCTAssertEqual(forward[r], x[r] - t, accuracy: 2e-6 * x[r], "\(name) row \(r)")
                    XCTAssertEqual(inverse[r], x[r], accuracy: 4e-6 * x[r], "\(name) row \(r)")
                    XCTAssertGreaterThanOrEqual(forward[r], 0, "\(name) row \(r): the continuum starts at 0")
                }
            }
        }
        for name in ["mu1_E", "jet1_pt", "nvtx"] { XCTAssertEqual(F.column(y, name), F.column(table, name), name) }
    }

    /// A network output inside the stretched gap maps back linearly onto (0, t): y = −G/2 ↦ t/2.
    func testGapIsStretchedLinearly() throws {
        var p = Preprocessor(steps: [.zeroSpike(["jet3_pt"])])
        try p.fit(F.events(rows: 200), comm: nil)
        let t = try XCTUnwrap(p.steps[0].shift?[0]), gap = try XCTUnwrap(p.steps[0].scale?[0])
        var y = try p.forward(F.events(rows: 1), seed: 0)
        let j = try XCTUnwrap(y.columnIndex("jet3_pt"))
        y[0, j] = Float(-gap / 2)
        XCTAssertEqual(Double(try p.inverse(y, seed: 0)[0, j]), t / 2, accuracy: 1e-5 * t)
    }

    /// dx/dy is 1 above the continuum's start and t/G in the gap, checked against central
    /// differences of the inverse in Double away from the kink at y = 0.
    func testDerivativeMatchesFiniteDifferences() throws {
        let rows = 30, table = F.events(rows: rows)
        var p = Preprocessor(steps: [.zeroSpike(spiked), .standardize(spiked)])
        try p.fit(table, comm: nil)
        var y = try p.forward(table, seed: 0).values
        // Move the spike's rows into the gap too, so both pieces are differentiated.
        for i in y.indices where i % 3 == 0 { y[i] -= 0.3 }
        let (_, derivative) = try F.inverseWithDerivative(p, y, rows: rows)
        var checked = 0
        for name in spiked {
            let j = try XCTUnwrap(table.columnIndex(name))
            let k = try XCTUnwrap(spiked.firstIndex(of: name))
            let mean = try XCTUnwrap(p.steps[1].shift?[k]), scale = try XCTUnwrap(p.steps[1].scale?[k])
            for r in 0..<rows {
                let i = r * table.width + j
                let raw = Double(y[i]) * scale + mean        // the zeroSpike step's own input
                let h: Float = 1e-3
                guard abs(raw) > 4 * Double(h) * scale else { continue }
                let (plus, minus) = try F.perturbedInverses(p, y, entry: i, step: h, rows: rows)
                let numeric = (Double(plus[i]) - Double(minus[i])) / (Double(y[i] + h) - Double(y[i] - h))
                XCTAssertEqual(Double(derivative[i]), numeric, accuracy: 2e-3 * abs(numeric), "\(name) row \(r)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 60)
    }

    func testNegativeValueIsRefused() {
        var rows = F.rows(of: F.events(rows: 12))
        rows[7][13] = -1.5
        var p = Preprocessor(steps: [.zeroSpike(["jet1_pt"])])
        let error = F.message { try p.fit(F.table(rows, firstRow: 100), comm: nil) }
        XCTAssertEqual(error?.text, "row 107, column 'jet1_pt': preprocessing step 1 (zeroSpike) expected values ≥ 0 "
                       + "(a spike of zeros below a positive continuum), found -1.5; leave 'jet1_pt' out of zero_spike")
    }

    func testColumnWithoutContinuumIsRefused() {
        var rows = F.rows(of: F.events(rows: 12))
        for r in rows.indices { rows[r][15] = 0 }
        var p = Preprocessor(steps: [.zeroSpike(["jet1_pt", "jet3_pt"])])
        let error = F.message { try p.fit(F.table(rows), comm: nil) }
        XCTAssertEqual(error?.text, "preprocessing step 1 (zeroSpike): column 'jet3_pt' has no positive training value, "
                       + "expected a continuum above its zeros; leave 'jet3_pt' out of zero_spike")
    }

    /// The fitted step survives the JSON a model stores it in.
    func testStoredStepRoundTrips() throws {
        var p = Preprocessor(steps: [.zeroSpike(spiked), .standardize(spiked)])
        try p.fit(F.events(rows: 50), comm: nil)
        let decoded = try JSONDecoder().decode(Preprocessor.self, from: JSONEncoder().encode(p))
        let table = F.events(rows: 9, seed: 3)
        XCTAssertEqual(try decoded.forward(table, seed: 0).values, try p.forward(table, seed: 0).values)
    }
}
