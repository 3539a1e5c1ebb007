import Comm
import EventStore
import Foundation
import XCTest
@testable import Physics
@testable import Support

final class DerivedQuantityTests: XCTestCase {
    /// Two hand-built events in the generator's column layout.
    /// Event 0: mu1 = (50; 30, 0, 40), mu2 = (25; 0, 15, 20), both massless: m² = 75² − (30² + 15² + 60²) = 900.
    /// Event 1: massless muons of pT 50 at φ = +170° and −170° (20° apart, pz = 0):
    /// m = 2·50·sin 10°, pT(ll) = 100·cos 10°, Δφ = 340° → −20°.
    private func handBuilt() -> EventTable {
        let c = cos(170 * Double.pi / 180), s = sin(170 * Double.pi / 180)
        let row0: [Float] = [50, 30, 0, 40, 25, 0, 15, 20, 17, 3, -4, 0.1, 0, 40, 20, 15, 0, 0]
        let row1: [Float] = [50, Float(50 * c), Float(50 * s), 0, 50, Float(50 * c), Float(-50 * s), 0,
                             22, -6, -8, 0, 0.2, 16, 16, 16, 16, 15.5]
        return EventTable(columns: EventGenerator.columns, rows: 2, values: row0 + row1)
    }

    func testHandComputedValues() throws {
        let t = handBuilt()
        let mll = try t.quantity("mll")
        XCTAssertEqual(mll[0], 30, accuracy: 1e-5)
        XCTAssertEqual(mll[1], 100 * sin(10 * Double.pi / 180), accuracy: 1e-4)
        let ptll = try t.quantity("ptll")
        XCTAssertEqual(ptll[0], 1125.0.squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(ptll[1], 100 * cos(10 * Double.pi / 180), accuracy: 1e-4)
        XCTAssertEqual(try t.quantity("met"), [5, 10])
        let phi = try t.quantity("phi_miss")
        XCTAssertEqual(phi[0], atan2(-4, 3), accuracy: 1e-12)
        XCTAssertEqual(phi[1], atan2(-8, -6), accuracy: 1e-12)
        let dphi = try t.quantity("dphi_ll")
        XCTAssertEqual(dphi[0], -Double.pi / 2, accuracy: 1e-6)
        XCTAssertEqual(dphi[1], -20 * Double.pi / 180, accuracy: 1e-6)
        XCTAssertEqual(try t.quantity("njets"), [2, 5])
        XCTAssertEqual(try t.quantity("nvtx"), [17, 22])
    }

    func testDeltaPhiWrapsBothWays() throws {
        // mu1 at −170°, mu2 at +170°: raw difference −340° wraps to +20°.
        let c = cos(170 * Double.pi / 180), s = sin(170 * Double.pi / 180)
        let t = EventTable(columns: ["mu1_px", "mu1_py", "mu2_px", "mu2_py"], rows: 1,
                           values: [Float(c), Float(-s), Float(c), Float(s)])
        XCTAssertEqual(try t.quantity("dphi_ll")[0], 20 * Double.pi / 180, accuracy: 1e-6)
        XCTAssertEqual(try t.quantity("ptll")[0], 2 * Swift.abs(c), accuracy: 1e-6)
    }

    func testGeneratedEventsMatchTheirMuons() throws {
        let t = EventGenerator(process: .dy, seed: 4).generate(rows: 0..<200)
        let mll = try t.quantity("mll")
        for r in 0..<t.rows {
            let e = Double(t[r, 0] + t[r, 4]), x = Double(t[r, 1] + t[r, 5])
            let y = Double(t[r, 2] + t[r, 6]), z = Double(t[r, 3] + t[r, 7])
            XCTAssertEqual(mll[r], (e * e - x * x - y * y - z * z).squareRoot(), accuracy: 1e-3 * mll[r])
        }
    }

    func testPlainColumnsTakePrecedence() throws {
        let t = EventTable(columns: ["met_px", "met_py", "met"], rows: 1, values: [3, 4, 99])
        XCTAssertEqual(try t.quantity("met"), [99])
        XCTAssertEqual(try t.quantity("phi_miss"), [atan2(4, 3)])
    }

    func testDerivedNamesAndInputs() {
        XCTAssertEqual(DerivedQuantity.allCases.map(\.rawValue), ["mll", "ptll", "met", "phi_miss", "dphi_ll", "njets"])
        for q in DerivedQuantity.allCases {
            XCTAssertTrue(q.inputs.allSatisfy(EventGenerator.columns.contains), q.rawValue)
        }
    }

    func testUnknownNameListsEverythingAvailable() {
        let t = EventGenerator(process: .dy, seed: 1).generate(rows: 0..<3)
        assertError(try t.quantity("foo"), """
            unknown column or quantity 'foo'; available: mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz, \
            nvtx, met_px, met_py, mu1_iso, mu2_iso, jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt, \
            mll, ptll, met, phi_miss, dphi_ll, njets
            """)
        let partial = EventTable(columns: ["met_px", "met_py", "x"], rows: 0)
        assertError(try partial.quantity("MLL"), "unknown column or quantity 'MLL'; available: met_px, met_py, x, met, phi_miss")
        let none = EventTable(columns: ["a"], rows: 0)
        assertError(try none.quantity(""), "unknown column or quantity ''; available: a")
    }

    func testMissingInputsAreNamed() {
        let t = EventTable(columns: ["mu1_px", "mu1_py", "mu2_py"], rows: 1, values: [1, 2, 3])
        assertError(try t.quantity("ptll"), "cannot compute 'ptll': missing columns mu2_px")
        assertError(try t.quantity("mll"), "cannot compute 'mll': missing columns mu1_E, mu1_pz, mu2_E, mu2_px, mu2_pz")
        assertError(try t.quantity("njets"), "cannot compute 'njets': missing columns jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt")
    }

    private func assertError(_ body: @autoclosure () throws -> [Double], _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? InputError else { return XCTFail("not an InputError: \(error)", file: file, line: line) }
            XCTAssertEqual(e.description, message, file: file, line: line)
            XCTAssertEqual(e.exitCode, ExitStatus.usage, file: file, line: line)
        }
    }
}
