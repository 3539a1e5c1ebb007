import Comm
import EventStore
import Foundation
import XCTest
@testable import latentsim

/// ZeroCalibration: training zero fractions over ranks, and a generated sample's thresholds that
/// reproduce them exactly (hand-made tables; the expected counts follow from the definitions).
final class ZeroCalibrationTests: XCTestCase {
    func testFractionsKeepOnlySpikedColumns() throws {
        // jet: 60 of 200 rows are exactly 0; iso: none; rare: 1 of 200 (0.5 % < 1 %: not a spike).
        var t = EventTable(columns: ["jet", "iso", "rare"], rows: 200)
        for r in 0..<200 {
            t[r, 0] = r % 10 < 3 ? 0 : Float(20 + r)
            t[r, 1] = Float(r + 1) * 0.01
            t[r, 2] = r == 7 ? 0 : 1
        }
        let fractions = try ZeroCalibration.fractions(t, comm: Communicator.selfOnly())
        XCTAssertEqual(fractions.map(\.0), ["jet"])
        XCTAssertEqual(fractions.first?.1 ?? -1, 0.3, accuracy: 1e-12)
    }

    func testMatchingThresholdsGiveTheSampleTheTrainingFraction() {
        // A generated sample with no exact zeros: values 1…1000 shuffled by a fixed stride.
        var sample = EventTable(columns: ["jet", "other"], rows: 1000)
        for r in 0..<1000 { sample[r, 0] = Float((r * 379) % 1000 + 1); sample[r, 1] = Float(r) }
        let zeros = ZeroCalibration.matching([("jet", 0.437), ("absent", 0.5)], sample: sample)
        XCTAssertEqual(zeros.thresholds, ["jet": 438], "values 1…437 (43.7 %) lie below 438")
        zeros.apply(&sample)
        XCTAssertEqual((0..<1000).filter { sample[$0, 0] == 0 }.count, 437)
        XCTAssertEqual((0..<1000).filter { sample[$0, 1] == 0 }.count, 1, "other columns untouched (row 0 was 0 already)")
    }
}
