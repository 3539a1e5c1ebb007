import Foundation
import XCTest
@testable import Support

/// A truncated or foreign checkpoint met on resume (reduce's model.h5, an ensemble restart's
/// state.h5): one line naming the file and the fix, exit 65, never a crash; deleting it restarts
/// that piece.
final class DamagedCheckpointTests: XCTestCase {
    static let fix = "delete it and rerun to start that piece over (reduce: without --resume), or put back an intact copy"

    func assertNamed(_ r: CLI.Outcome, _ message: String, line: UInt = #line) {
        XCTAssertEqual(r.status, 65, r.stderr, line: line)
        XCTAssertEqual(r.errorLines, ["error: " + message], line: line)
    }

    /// The first `bytes` bytes of `path` replace it (a copy cut short by a full disk or a killed transfer).
    func truncate(_ path: String, to bytes: Int) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testReduceResumeFromATruncatedOrForeignModel() throws {
        let out = CLI.path("dc-reduce")
        let arguments = ["reduce", "--data", EnsembleTests.data, "--columns", ReduceTests.columns, "--latent", "4", "--widths", "24,12",
                         "--batch", "128", "--checkpoint-every", "20", "--out", out]
        XCTAssertEqual(try CLI.run(arguments + ["--steps", "20"], ranks: 2).status, 0)
        let model = out + "/model.h5"
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: model)[.size] as? Int)
        try truncate(model, to: 5000)
        assertNamed(try CLI.run(arguments + ["--steps", "40", "--resume"], ranks: 2),
                    "checkpoint '\(model)' is truncated or damaged (H5Fopen('\(model)'): unable to open file (truncated file: "
                    + "eof = 5000, sblock->base_addr = 0, stored_eof = \(size))); \(DamagedCheckpointTests.fix)")
        // A table where the model belongs: an HDF5 file, but not a checkpoint.
        try FileManager.default.removeItem(atPath: model)
        try FileManager.default.copyItem(atPath: EnsembleTests.data, toPath: model)
        assertNamed(try CLI.run(arguments + ["--steps", "40", "--resume"], ranks: 2),
                    "checkpoint '\(model)' has no dataset 'parameters': it is incomplete, from another latentsim version or not "
                    + "this kind of checkpoint; \(DamagedCheckpointTests.fix)")
        try FileManager.default.removeItem(atPath: model)
        XCTAssertEqual(try CLI.run(arguments + ["--steps", "40"], ranks: 2).status, 0, "deleted: reduce starts over")
    }

    func testEnsembleResumeFromATruncatedOrForeignState() throws {
        let out = CLI.path("dc-ens")
        let arguments = ["ensemble", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
                         "--restarts", "1", "--steps", "20", "--out", out]
        XCTAssertEqual(try CLI.run(arguments, ranks: 2).status, 0)
        let restart = out + "/restarts/000", state = restart + "/state.h5"
        // Without result.json the restart counts as unfinished: a rerun resumes it from state.h5.
        try FileManager.default.removeItem(atPath: restart + "/result.json")
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: state)[.size] as? Int)
        try truncate(state, to: 3000)
        assertNamed(try CLI.run(arguments, ranks: 2),
                    "checkpoint '\(state)' is truncated or damaged (H5Fopen('\(state)'): unable to open file (truncated file: "
                    + "eof = 3000, sblock->base_addr = 0, stored_eof = \(size))); \(DamagedCheckpointTests.fix)")
        try FileManager.default.removeItem(atPath: state)
        try FileManager.default.copyItem(atPath: restart + "/snapshot-00000010.h5", toPath: state)
        assertNamed(try CLI.run(arguments, ranks: 2),
                    "checkpoint '\(state)' has no dataset 'generator_parameters': it is incomplete, from another latentsim version "
                    + "or not this kind of checkpoint; \(DamagedCheckpointTests.fix)")
        try "not hdf5".write(toFile: state, atomically: true, encoding: .utf8)
        let r = try CLI.run(arguments, ranks: 2)
        XCTAssertEqual(r.status, 66, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: checkpoint '\(state)' is not an HDF5 file: it is damaged or not a latentsim checkpoint; "
                                      + DamagedCheckpointTests.fix])
        try FileManager.default.removeItem(atPath: state)
        let rerun = try CLI.run(arguments, ranks: 2)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: restart + "/result.json"), "deleted: the restart ran again")
    }
}
