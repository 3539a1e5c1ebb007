import Comm
import EventStore
import Foundation
import XCTest
@testable import Support
@testable import Training

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
        let spikes = try ZeroCalibration.spikes(t, comm: Communicator.selfOnly())
        XCTAssertEqual(spikes.map(\.name), ["jet"])
        XCTAssertEqual(spikes.first?.fraction ?? -1, 0.3, accuracy: 1e-12)
        XCTAssertEqual(spikes.first?.floor, 23, "smallest non-zero jet value: row 3 → 20 + 3")
    }

    func testMatchingThresholdsGiveTheSampleTheTrainingFraction() {
        // A generated sample with no exact zeros: values 1…1000 shuffled by a fixed stride.
        var sample = EventTable(columns: ["jet", "other"], rows: 1000)
        for r in 0..<1000 { sample[r, 0] = Float((r * 379) % 1000 + 1); sample[r, 1] = Float(r) }
        let zeros = ZeroCalibration.matching([.init(name: "jet", fraction: 0.437, floor: 1),
                                              .init(name: "absent", fraction: 0.5, floor: 1)], sample: sample)
        XCTAssertEqual(zeros.thresholds, ["jet": 438], "values 1…437 (43.7 %) lie below 438")
        zeros.apply(&sample)
        XCTAssertEqual((0..<1000).filter { sample[$0, 0] == 0 }.count, 437)
        XCTAssertEqual((0..<1000).filter { sample[$0, 1] == 0 }.count, 1, "other columns untouched (row 0 was 0 already)")
    }

    /// Values kept above the threshold but inside the data's gap (0, floor) move to the floor; the
    /// rest of the column is untouched. 1000 values 0.5, 1.5, …: 10 % → 0, then 100.5…149.5 → 150.
    func testValuesInTheGapMoveToTheFloor() {
        var sample = EventTable(columns: ["jet"], rows: 1000)
        for r in 0..<1000 { sample[r, 0] = Float(r) + 0.5 }
        let zeros = ZeroCalibration.matching([.init(name: "jet", fraction: 0.1, floor: 150)], sample: sample)
        XCTAssertEqual(zeros.floors, ["jet": 150])
        zeros.apply(&sample)
        let column = (0..<1000).map { sample[$0, 0] }
        XCTAssertEqual(column.filter { $0 == 0 }.count, 100)
        XCTAssertEqual(column.filter { $0 == 150 }.count, 50)
        XCTAssertEqual(column[150...].map { $0 }, (150..<1000).map { Float($0) + 0.5 })
        XCTAssertFalse(column.contains { $0 > 0 && $0 < 150 })
    }

    /// Exact zeros stay zeros even when the threshold is 0 (a sample with more exact zeros than
    /// the training fraction): the floor lifts non-zero values only.
    func testExactZerosAreNotLifted() {
        var sample = EventTable(columns: ["jet"], rows: 10)
        for r in 0..<10 { sample[r, 0] = r < 6 ? 0 : Float(r) }
        let zeros = ZeroCalibration.matching([.init(name: "jet", fraction: 0.3, floor: 8)], sample: sample)
        XCTAssertEqual(zeros.thresholds, ["jet": 0])
        zeros.apply(&sample)
        XCTAssertEqual((0..<10).map { sample[$0, 0] }, [0, 0, 0, 0, 0, 0, 8, 8, 8, 9])
    }

    /// Snapshots stored before floors existed still load (thresholds only, no floors).
    func testDecodesThresholdsWithoutFloors() throws {
        let old = try JSONDecoder().decode(ZeroCalibration.self, from: Data(#"{"thresholds":{"jet":3.5}}"#.utf8))
        XCTAssertEqual(old.thresholds, ["jet": 3.5])
        XCTAssertEqual(old.floors, [:])
    }
}
