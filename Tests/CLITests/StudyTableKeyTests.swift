import Comm
import EventStore
import Foundation
import XCTest
@testable import Support
@testable import Workflows

/// A study's finished points are keyed on their input tables' content, not their paths: a table
/// simulated again with the same seed into another file keeps them, a table regenerated under the
/// same path is refused in one line (on 2 ranks: the refusal is rank 0's, agreed by both), and the
/// points stay on disk for the fixes the line names.
final class StudyTableKeyTests: XCTestCase {
    func arguments(out: String, signal: String, background: String) -> [String] {
        ["study", "latent", "--reducer", StudyTests.latentReducer, "--out", out, "--signal", signal, "--background", background,
         "--events", "400", "--test-events", "400", "--seeds", "2", "--steps", "50"]
    }

    func digest(_ path: String) throws -> String {
        try StudySample.fingerprint(EventReader.read(path: path, comm: try Communicator.selfOnly()).table)
    }

    func testPointsAreKeyedOnTheTablesContentAndAnotherTableIsRefused() throws {
        let out = CLI.path("study-table-key"), signal = CLI.path("study-key-sig.h5")
        let background = CLI.path("study-key-bkg.h5"), same = CLI.path("study-key-bkg-again.h5")
        try? FileManager.default.removeItem(atPath: out)
        CLI.fixture(["simulate", "--process", "zh-inv", "--events", "1200", "--seed", "7", "--out", signal])
        CLI.fixture(["simulate", "--events", "1200", "--seed", "8", "--out", background])
        let first = try CLI.run(arguments(out: out, signal: signal, background: background), ranks: 2)
        XCTAssertEqual(first.status, 0, first.stderr)
        let config = try String(contentsOfFile: out + "/latent-points/config.toml", encoding: .utf8)
        let original = try digest(background)
        XCTAssertTrue(config.contains("background_sha256 = \"\(original)\"\n") && config.contains("signal_sha256 = "), config)
        XCTAssertFalse(config.contains(background), "the path is not part of the key:\n\(config)")
        // The same events simulated into another file: the same content, every point kept.
        CLI.fixture(["simulate", "--events", "1200", "--seed", "8", "--out", same])
        XCTAssertEqual(try digest(same), original)
        let moved = try CLI.run(arguments(out: out, signal: signal, background: same))
        XCTAssertEqual(moved.status, 0, moved.stderr)
        XCTAssertTrue(moved.stdout.contains("4 finished classifier(s) kept from an earlier run"), moved.stdout)
        // The background regenerated with another seed under the same path: refused, nothing removed.
        CLI.fixture(["simulate", "--events", "1200", "--seed", "9", "--out", background])
        let regenerated = try digest(background)
        let refused = try CLI.run(arguments(out: out, signal: signal, background: background), ranks: 2)
        XCTAssertEqual(refused.status, ExitStatus.dataError, refused.stderr)
        XCTAssertEqual(refused.errorLines, ["error: study latent: the background table '\(background)' is not the one the finished "
                                            + "classifiers in \(out)/latent-points were computed from (content SHA-256 "
                                            + "\(original.prefix(16))… expected, \(regenerated.prefix(16))… found); restore that table, "
                                            + "delete \(out)/latent-points to recompute them all from this one, or choose another --out"])
        XCTAssertEqual((0..<4).filter { FileManager.default.fileExists(atPath: out + "/latent-points/p\($0)/result.json") }, [0, 1, 2, 3])
        XCTAssertEqual(try String(contentsOfFile: out + "/latent-points/config.toml", encoding: .utf8), config)
    }
}
