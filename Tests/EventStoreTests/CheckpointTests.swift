import Comm
import XCTest
@testable import EventStore
@testable import Support

final class CheckpointTests: XCTestCase {
    func testRoundTripIsBitwiseAndLeavesNoTemporary() throws {
        let values: [Float] = [1, -0.0, .leastNonzeroMagnitude, 3.25e7, .pi]
        let original = Checkpoint(attributes: ["architecture": .string("{\"widths\":[3,4,5]}"), "step": .int(120)],
                                  buffers: ["parameters": values, "adam_m": [0, 1], "empty": []])
        let path = Fixtures.path("ckpt/model.h5")
        try original.write(to: path)
        let back = try Checkpoint.read(from: path)
        XCTAssertEqual(back.attributes, original.attributes)
        XCTAssertEqual(back.buffers.mapValues { $0.map(\.bitPattern) }, original.buffers.mapValues { $0.map(\.bitPattern) })
        XCTAssertEqual(try back.int("step"), 120)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("ckpt")), ["model.h5"])
    }

    func testMissingPiecesAreNamed() throws {
        let path = Fixtures.path("ckpt2.h5")
        try Checkpoint(attributes: ["step": .int(1)], buffers: ["parameters": [1, 2]]).write(to: path)
        let back = try Checkpoint.read(from: path)
        XCTAssertThrowsError(try back.string("architecture")) {
            XCTAssertEqual(($0 as? InputError)?.description,
                           "checkpoint '\(path)' has no string attribute 'architecture': it is incomplete, from another latentsim "
                           + "version or not this kind of checkpoint; delete it and rerun to start that piece over (reduce: "
                           + "without --resume), or put back an intact copy")
        }
        XCTAssertThrowsError(try back.buffer("parameters", count: 3)) {
            XCTAssertEqual(($0 as? InputError)?.description,
                           "checkpoint '\(path)' dataset 'parameters' holds 2 values but the model needs 3; "
                           + "the checkpoint belongs to a different architecture; delete it and rerun to start that piece over "
                           + "(reduce: without --resume), or put back an intact copy")
        }
        XCTAssertThrowsError(try Checkpoint.read(from: Fixtures.path("none.h5"))) {
            XCTAssertEqual(($0 as? InputError)?.exitCode, 66)
        }
    }
}
