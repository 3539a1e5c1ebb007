import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

private typealias F = PreprocessingFixtures

/// The `pairMass` step: mu1_E → m(mu1 + mu2) and back, on the fixtures' random dimuon events
/// (reference values computed here in Double from the unprocessed rows).
final class PreprocessingPairMassTests: XCTestCase {
    static let components = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]

    /// m of row r, in Double, from the physical table.
    func mass(_ t: EventTable, _ r: Int) -> Double {
        func v(_ name: String) -> Double { Double(t[r, t.columnIndex(name)!]) }
        let e = v("mu1_E") + v("mu2_E"), px = v("mu1_px") + v("mu2_px"), py = v("mu1_py") + v("mu2_py")
        let pz = v("mu1_pz") + v("mu2_pz")
        return max(e * e - px * px - py * py - pz * pz, 0).squareRoot()
    }

    func testForwardReplacesTheEnergyByThePairMassAndInverseRestoresIt() throws {
        let events = F.events(rows: 200)
        var p = Preprocessor(steps: [.pairMass(PreprocessingPairMassTests.components)])
        try p.fit(events, comm: nil)
        XCTAssertEqual(p.outputColumns, events.columns, "the column keeps its name")
        let forward = try p.forward(events, seed: 1)
        let j = events.columnIndex("mu1_E")!
        for r in 0..<events.rows {
            let m = mass(events, r)
            XCTAssertGreaterThan(m, 1, "row \(r): the fixtures' pairs are heavy")
            XCTAssertEqual(Double(forward[r, j]), m, accuracy: 2e-6 * max(m, Double(events[r, j])), "row \(r)")
            for c in 0..<events.width where c != j { XCTAssertEqual(forward[r, c], events[r, c], "row \(r) column \(c) untouched") }
        }
        let back = try p.inverse(forward, seed: 1)
        for r in 0..<events.rows {
            let scale = Double(events[r, j]) + Double(events[r, events.columnIndex("mu2_E")!])
            XCTAssertEqual(Double(back[r, j]), Double(events[r, j]), accuracy: 4e-6 * scale, "row \(r)")
        }
    }

    func testInTheRotatedFrameTheDroppedComponentIsZeroAndTheMassIsUnchanged() throws {
        let events = F.events(rows: 100, seed: 3)
        let rotated = try { () -> EventTable in
            var frame = Preprocessor(steps: [.rotateAzimuth(reference: "mu2")])
            try frame.fit(events, comm: nil)
            return try frame.forward(events, seed: 1)
        }()
        let components = PreprocessingStep.pairMassComponents("mu1", "mu2", zero: ["mu2_py"])
        XCTAssertEqual(components, ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "0", "mu2_pz"])
        var p = Preprocessor(steps: [.pairMass(components), .standardize(rotated.columns)])
        try p.fit(rotated, comm: nil)
        let j = rotated.columnIndex("mu1_E")!
        let masses = try Preprocessor(steps: [.pairMass(components)]).fitted(rotated).forward(rotated, seed: 1)
        for r in 0..<events.rows {
            XCTAssertEqual(Double(masses[r, j]), mass(events, r), accuracy: 1e-5 * Double(events[r, 0] + events[r, 4]), "row \(r)")
        }
        let back = try p.inverse(try p.forward(rotated, seed: 1), seed: 1)
        for r in 0..<rotated.rows {
            for c in 0..<rotated.width {
                XCTAssertEqual(back[r, c], rotated[r, c], accuracy: 1e-5 * max(1, abs(rotated[r, c]) + abs(rotated[r, 0])), "row \(r) column \(c)")
            }
        }
    }

    func testStoredAsJSONAndReadBackIdentically() throws {
        let events = F.events(rows: 50)
        var p = Preprocessor(steps: [.pairMass(PreprocessingPairMassTests.components), .standardize(events.columns)])
        try p.fit(events, comm: nil)
        let decoded = try JSONDecoder().decode(Preprocessor.self, from: try JSONEncoder().encode(p))
        XCTAssertEqual(decoded, p)
        XCTAssertEqual(try decoded.forward(events, seed: 1).values.map(\.bitPattern), try p.forward(events, seed: 1).values.map(\.bitPattern))
    }

    func testUnknownComponentIsRefusedWithItsName() {
        var p = Preprocessor(steps: [.pairMass(["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu3_E", "mu2_px", "mu2_py", "mu2_pz"])])
        let error = F.message { try p.fit(F.events(rows: 5), comm: nil) }
        XCTAssertEqual(error?.text.contains("mu3_E"), true, error?.text ?? "no error")
    }

    /// The derivative path takes pair steps ahead of the elementwise ones (PreprocessingPairDerivativeTests);
    /// one after an elementwise step is refused.
    func testDifferentiatingAPairStepAfterAnElementwiseOneIsRefused() throws {
        let events = F.events(rows: 4)
        var p = Preprocessor(steps: [.standardize(events.columns), .pairMass(PreprocessingPairMassTests.components)])
        try p.fit(events, comm: nil)
        let y = try p.forward(events, seed: 1).values
        let error = F.message { _ = try F.inverseWithDerivative(p, y, rows: 4) }
        XCTAssertEqual(error?.code, ExitStatus.usage)
        XCTAssertFalse(p.isDifferentiable)
        XCTAssertEqual(error?.text, "preprocessing step 2 (pairMass): differentiating the inverse preprocessing expected the "
                       + "pair steps (pairMass, pairPt) ahead of every elementwise step, found it after one; put it first, "
                       + "as reduce's pair_mass does")
    }
}

private extension Preprocessor {
    func fitted(_ table: EventTable) throws -> Preprocessor {
        var p = self
        try p.fit(table, comm: nil)
        return p
    }
}
