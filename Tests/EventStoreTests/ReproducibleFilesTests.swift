import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

/// Tables and checkpoints store no modification times: written again a second later (HDF5 times have
/// one-second resolution) they have the same bytes, which the preemption tests' byte comparisons need.
final class ReproducibleFilesTests: XCTestCase {
    func testTablesAndCheckpointsWrittenAtDifferentTimesAreByteIdentical() throws {
        let comm = try Communicator.selfOnly()
        let table = EventTable(columns: ["a", "b"], rows: 3, values: [1, 2, 3, 4, 5, 6])
        let checkpoint = Checkpoint(attributes: ["step": .int(7)], buffers: ["parameters": [0.5, -1, 2]])
        for name in ["early", "late"] {
            if name == "late" { usleep(1_100_000) }
            try EventWriter.write(table, to: Fixtures.path("repro/\(name).h5"), attributes: [("seed", .int(1))], comm: comm)
            try checkpoint.write(to: Fixtures.path("repro/\(name)-model.h5"))
        }
        for file in ["", "-model"] {
            let early = try XCTUnwrap(FileManager.default.contents(atPath: Fixtures.path("repro/early\(file).h5")))
            XCTAssertEqual(early, FileManager.default.contents(atPath: Fixtures.path("repro/late\(file).h5")), "file\(file)")
        }
    }
}
