import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

/// The requeue guard's record: a stop that saved more work than the previous one is recorded, one
/// that saved nothing more is refused with exit 78 and one line naming the record.
final class StopRecordTests: XCTestCase {
    func testProgressMustGrowBetweenStopsAndClearStartsOver() throws {
        let record = StopRecord(directory: Fixtures.path("stop-record"), stage: "generate")
        XCTAssertEqual(record.path, Fixtures.path("stop-record/.latentsim-stop-generate.json"))
        record.clear()
        XCTAssertNil(record.previous())
        try record.stopped(progress: 0, total: 4, unit: "files")   // a first stop is always resumable, even with nothing saved
        XCTAssertEqual(record.previous(), 0)
        try record.stopped(progress: 2, total: 4, unit: "files")
        XCTAssertEqual(try String(contentsOfFile: record.path, encoding: .utf8),
                       "{\"stage\": \"generate\", \"progress\": 2, \"total\": 4, \"unit\": \"files\"}\n")
        for same in [2, 1] {
            XCTAssertThrowsError(try record.stopped(progress: same, total: 4, unit: "files")) { error in
                XCTAssertEqual((error as? ReportableError)?.exitCode, 78)
                XCTAssertEqual("\(error)", "generate stopped again on a signal with no progress since the last stop (\(same) of 4 "
                               + "files saved both times, recorded in \(record.path)); give the job a longer time limit (or an "
                               + "earlier warning signal) and rerun, or delete \(record.path) to allow one more try")
            }
        }
        XCTAssertEqual(record.previous(), 2, "a refused stop leaves the record as it was")
        // Another stage's record in the same directory is its own.
        XCTAssertNil(StopRecord(directory: Fixtures.path("stop-record"), stage: "select").previous())
        record.clear()
        try record.stopped(progress: 1, total: 4, unit: "files")
        XCTAssertEqual(record.previous(), 1)
    }

    func testRecordBesideAFileOutput() {
        XCTAssertEqual(StopRecord(beside: "runs/a/dy.h5", stage: "simulate").path, "runs/a/.dy.h5.latentsim-stop-simulate.json")
        XCTAssertEqual(StopRecord(beside: "dy.h5", stage: "simulate").path, "./.dy.h5.latentsim-stop-simulate.json")
    }
}
