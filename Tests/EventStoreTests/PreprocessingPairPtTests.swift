import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

private typealias F = PreprocessingFixtures

/// The `pairPt` step after `pairMass`: (px₁, py₁) → (px₁ + px₂, py₁ + py₂), so ptll is a coordinate; the inverse
/// restores every column (reference values computed here in Double from the unprocessed rows).
final class PreprocessingPairPtTests: XCTestCase {
    func testForwardPutsThePairsTransverseMomentumInTheFirstVectorAndInverseRestoresTheRow() throws {
        let events = F.events(rows: 200, seed: 5)
        let rotated = try { () -> EventTable in
            var frame = Preprocessor(steps: [.rotateAzimuth(reference: "mu2")])
            try frame.fit(events, comm: nil)
            return try frame.forward(events, seed: 1)
        }()
        let components = PreprocessingStep.pairMassComponents("mu1", "mu2", zero: ["mu2_py"])
        var p = Preprocessor(steps: [.pairMass(components), .pairPt(components)])
        try p.fit(rotated, comm: nil)
        XCTAssertEqual(p.outputColumns, rotated.columns, "the columns keep their names")
        let forward = try p.forward(rotated, seed: 1)
        func v(_ t: EventTable, _ r: Int, _ name: String) -> Double { Double(t[r, t.columnIndex(name)!]) }
        for r in 0..<rotated.rows {
            // ptll from the pair's components in the rotated frame (mu2_py = 0 there).
            let px = v(rotated, r, "mu1_px") + v(rotated, r, "mu2_px"), py = v(rotated, r, "mu1_py")
            XCTAssertEqual(v(forward, r, "mu1_px"), px, accuracy: 1e-5 * (abs(px) + v(rotated, r, "mu2_px") + 1), "row \(r)")
            XCTAssertEqual(v(forward, r, "mu1_py"), py, accuracy: 1e-6 * (abs(py) + 1), "row \(r)")
            let e = v(rotated, r, "mu1_E") + v(rotated, r, "mu2_E"), pz = v(rotated, r, "mu1_pz") + v(rotated, r, "mu2_pz")
            let m = max(e * e - px * px - py * py - pz * pz, 0).squareRoot()
            XCTAssertEqual(v(forward, r, "mu1_E"), m, accuracy: 1e-5 * e, "row \(r): the mass comes from the original momenta")
            for name in ["mu1_pz", "mu2_E", "mu2_px", "mu2_pz"] { XCTAssertEqual(v(forward, r, name), v(rotated, r, name), "row \(r) \(name)") }
        }
        let back = try p.inverse(forward, seed: 1)
        for r in 0..<rotated.rows {
            for c in 0..<rotated.width {
                XCTAssertEqual(back[r, c], rotated[r, c], accuracy: 2e-5 * max(1, abs(rotated[r, c]) + abs(rotated[r, 0])),
                               "row \(r) column \(c)")
            }
        }
    }

    func testStoredAsJSONAndReadBackIdentically() throws {
        let components = PreprocessingStep.pairMassComponents("mu1", "mu2")
        let step = PreprocessingStep.pairPt(components)
        let decoded = try JSONDecoder().decode(PreprocessingStep.self, from: try JSONEncoder().encode(step))
        XCTAssertEqual(decoded, step)
        XCTAssertEqual(decoded.kind, .pairPt)
        XCTAssertFalse(PreprocessingStep.Kind.pairPt.isElementwise, "the inverse mixes the pair's columns")
    }
}
