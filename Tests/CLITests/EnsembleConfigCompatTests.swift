import Foundation
import XCTest

/// Resuming an ensemble run directory written by an older build: its config.toml lacks the options
/// added since, which count as their defaults; a real difference is refused in one line naming it.
final class EnsembleConfigCompatTests: XCTestCase {
    func ensemble(_ out: String, _ extra: [String] = []) throws -> CLI.Outcome {
        try CLI.run(["ensemble", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
                     "--restarts", "1", "--out", out] + extra, ranks: 1)
    }

    func testAnOlderRunWithoutNewOptionsResumesAndARealDifferenceIsRefused() throws {
        // One restart on one rank of EnsembleTests' 40-step job: the refusals come before any training.
        let run = CLI.path("compat-run"), config = run + "/config.toml"
        let first = try ensemble(run)
        XCTAssertEqual(first.status, 0, first.stderr)
        // As an older build wrote it: none of the options added since (all at their defaults now).
        let added = ["threads", "score_weights", "pair_pt", "holdout", "ordered", "on_shell", "mmd", "mmd_weight", "mmd_bandwidth",
                     "mmd_kernels", "mmd_joint", "mmd_batch", "mmd_columns"]
        let full = try String(contentsOfFile: config, encoding: .utf8)
        let old = full.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !added.contains { line.hasPrefix("\($0) = ") } }.joined(separator: "\n")
        XCTAssertEqual(full.split(separator: "\n").count - old.split(separator: "\n").count, added.count, full)
        try old.write(toFile: config, atomically: true, encoding: .utf8)
        let board = try Data(contentsOf: URL(fileURLWithPath: run + "/leaderboard.json"))

        let resumed = try ensemble(run)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertFalse(resumed.stdout.split(separator: "\n").contains { $0.hasPrefix("restart 0 step") },
                       "the finished restart is not trained again:\n\(resumed.stdout)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: run + "/leaderboard.json")), board)
        XCTAssertEqual(try String(contentsOfFile: config, encoding: .utf8), full, "config.toml rewritten in this build's form")

        let steps = try ensemble(run, ["--steps", "30"])
        XCTAssertEqual(steps.status, 64, steps.stderr)
        XCTAssertEqual(steps.errorLines, ["error: '\(run)' holds an ensemble with a different configuration: steps is 40 in "
                                          + "\(config) but 30 now; rerun with steps = 40 to resume it, or choose another --out"])
        try old.write(toFile: config, atomically: true, encoding: .utf8)
        let threads = try ensemble(run, ["--threads", "2"])
        XCTAssertEqual(threads.status, 64, threads.stderr)
        XCTAssertEqual(threads.errorLines, ["error: '\(run)' holds an ensemble with a different configuration: threads is 1 "
                                            + "(the default; \(config) does not set it) but 2 now; rerun with threads = 1 to "
                                            + "resume it, or choose another --out"])
        XCTAssertEqual(try String(contentsOfFile: config, encoding: .utf8), old, "a refused run leaves config.toml alone")
        try "[ensemble]\nsteps = = 40\n".write(toFile: config, atomically: true, encoding: .utf8)
        let damaged = try ensemble(run)
        XCTAssertEqual(damaged.status, 64, damaged.stderr)
        XCTAssertEqual(damaged.errorLines, ["error: '\(run)' holds an ensemble whose config.toml cannot be read (\(config) line 2: "
                                            + "invalid value '=' for key 'steps'; strings need quotes: \"=\"); choose another --out"])
    }
}
