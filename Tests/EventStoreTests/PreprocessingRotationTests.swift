import Foundation
import XCTest
@testable import EventStore
@testable import Support

final class PreprocessingRotationTests: XCTestCase {
    typealias F = PreprocessingFixtures

    /// Rotation-invariant quantities of each event: pT of mu1, mu2 and met; E and pz of both muons;
    /// the dimuon mass; dot and cross products of every pair of transverse vectors (relative angles).
    static func invariants(_ t: EventTable) -> [String: [Double]] {
        let v = ["mu1", "mu2", "met"].map { (F.column(t, $0 + "_px"), F.column(t, $0 + "_py")) }
        var out: [String: [Double]] = [:]
        for (name, (px, py)) in zip(["mu1", "mu2", "met"], v) { out[name + "_pt"] = zip(px, py).map { hypot($0, $1) } }
        for name in ["mu1_E", "mu1_pz", "mu2_E", "mu2_pz", "nvtx", "jet1_pt", "mu2_iso"] { out[name] = F.column(t, name) }
        let e = zip(F.column(t, "mu1_E"), F.column(t, "mu2_E")).map { $0 + $1 }
        let pz = zip(F.column(t, "mu1_pz"), F.column(t, "mu2_pz")).map { $0 + $1 }
        out["mass"] = (0..<t.rows).map { r in
            let px = v[0].0[r] + v[1].0[r], py = v[0].1[r] + v[1].1[r]
            return max(0, e[r] * e[r] - px * px - py * py - pz[r] * pz[r]).squareRoot()
        }
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            out["dot\(a)\(b)"] = (0..<t.rows).map { v[a].0[$0] * v[b].0[$0] + v[a].1[$0] * v[b].1[$0] }
            out["cross\(a)\(b)"] = (0..<t.rows).map { v[a].0[$0] * v[b].1[$0] - v[a].1[$0] * v[b].0[$0] }
        }
        return out
    }

    /// Relative to the size of the quantity, or of the products' scale (pT² ~ 10³) for dot/cross.
    static func assertInvariant(_ a: EventTable, _ b: EventTable, file: StaticString = #filePath, line: UInt = #line) {
        let x = Self.invariants(a), y = Self.invariants(b)
        for (name, values) in x {
            let floor = name.hasPrefix("dot") || name.hasPrefix("cross") ? 100.0 : 1.0
            F.assertClose(y[name] ?? [], values, relative: 1e-4, floor: floor, name, file: file, line: line)
        }
    }

    func testForwardAlignsTheReferenceAndDropsItsPy() throws {
        let table = F.events(rows: 2000)
        var p = Preprocessor(steps: [.rotateAzimuth(reference: "mu2")])
        try p.fit(table, comm: nil)
        XCTAssertEqual(p.outputColumns, F.columns.filter { $0 != "mu2_py" })
        let out = try p.forward(table, seed: 0)
        XCTAssertNil(out.columnIndex("mu2_py"))
        XCTAssertTrue(F.column(out, "mu2_px").allSatisfy { $0 >= 0 })
        let pt = zip(F.column(table, "mu2_px"), F.column(table, "mu2_py")).map { hypot($0, $1) }
        F.assertClose(F.column(out, "mu2_px"), pt, relative: 1e-6, "mu2_px is mu2's pT")
        for name in ["mu1_E", "mu1_pz", "mu2_E", "mu2_pz", "nvtx", "mu1_iso", "mu2_iso", "jet1_pt", "jet5_pt"] {
            XCTAssertEqual(F.column(out, name), F.column(table, name), "\(name) untouched")
        }
        XCTAssertNotEqual(F.column(out, "met_px"), F.column(table, "met_px"), "met is rotated by default")
    }

    func testRoundTripPreservesInvariantsAndRealigns() throws {
        let table = F.events(rows: 2000)
        var p = Preprocessor(steps: [.rotateAzimuth()])
        try p.fit(table, comm: nil)
        let out = try p.forward(table, seed: 0)
        let back = try p.inverse(out, seed: 4)
        XCTAssertEqual(back.columns, F.columns, "mu2_py re-inserted at its place")
        XCTAssertNotEqual(F.column(back, "mu2_py"), F.column(table, "mu2_py"), "a new random azimuth")
        Self.assertInvariant(table, back)
        // Rotating the regenerated event back to the reference gives the same forward image, so the
        // forward map kept every relative angle too.
        let again = try p.forward(back, seed: 0)
        for name in p.outputColumns {
            F.assertClose(F.column(again, name), F.column(out, name), relative: 1e-4, floor: 1, name)
        }
    }

    func testInverseAzimuthIsUniform() throws {
        let table = F.events(rows: 10000)
        var p = Preprocessor(steps: [.rotateAzimuth()])
        try p.fit(table, comm: nil)
        let back = try p.inverse(try p.forward(table, seed: 0), seed: 21)
        var counts = [Int](repeating: 0, count: 10)
        for (x, y) in zip(F.column(back, "mu2_px"), F.column(back, "mu2_py")) {
            let u = (atan2(y, x) + Double.pi) / (2 * Double.pi)
            counts[min(9, max(0, Int(u * 10)))] += 1
        }
        let expected = Double(table.rows) / 10
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        XCTAssertLessThan(chi2, 27.88, "chi² with 9 degrees of freedom, p = 0.001; counts \(counts)")
        XCTAssertNotEqual(try p.inverse(try p.forward(table, seed: 0), seed: 22), back, "the azimuth depends on the seed")
    }

    func testInverseIsIndependentOfTheRowSplit() throws {
        let table = F.events(rows: 257, firstRow: 1000)
        var p = Preprocessor(steps: [.rotateAzimuth()])
        try p.fit(table, comm: nil)
        let out = try p.forward(table, seed: 0)
        XCTAssertEqual(try F.piecewise(table, [0..<100, 100..<257]) { try p.forward($0, seed: 0) }, out)
        let back = try p.inverse(out, seed: 3)
        XCTAssertEqual(try F.piecewise(out, [0..<5, 5..<6, 6..<257]) { try p.inverse($0, seed: 3) }, back)
    }

    func testExplicitVectorsAndZeroReference() throws {
        var table = F.events(rows: 20)
        table[0, 5] = 0
        table[0, 6] = 0
        var p = Preprocessor(steps: [.rotateAzimuth(reference: "mu2", vectors: ["mu1"])])
        try p.fit(table, comm: nil)
        let out = try p.forward(table, seed: 0)
        XCTAssertEqual(F.column(out, "met_px"), F.column(table, "met_px"), "met not listed, not rotated")
        XCTAssertEqual(out[0, 5], 0)
        XCTAssertEqual(out[0, 1], table[0, 1], "a zero reference leaves the event as it is")
        XCTAssertFalse(out.values.contains { $0.isNaN })
        var missing = Preprocessor(steps: [.rotateAzimuth(reference: "mu3")])
        XCTAssertEqual(F.message { try missing.fit(table, comm: nil) }?.text.hasPrefix(
            "preprocessing step 1 (rotateAzimuth): unknown column 'mu3_px'; expected one of the available columns: mu1_E,"), true)
        var twice = Preprocessor(steps: [.rotateAzimuth(), .standardize(["mu2_py"])])
        XCTAssertEqual(F.message { try twice.fit(table, comm: nil) }?.text.hasPrefix(
            "preprocessing step 2 (standardize): unknown column 'mu2_py' ('mu2_py' was dropped by preprocessing step 1 "
            + "(rotateAzimuth)); expected one of the available columns: mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_pz,"), true)
    }
}
