import Foundation
import XCTest

/// `select RUN --from PART...`: restarts trained as separate jobs (`train-gan --restart I`, one per
/// Slurm array task) gathered into one run rank exactly as the ensemble that trains them together;
/// parts that cannot be ranked together are refused in one line.
final class SelectGatherTests: XCTestCase {
    func testPartsTrainedAloneGiveTheEnsemblesLeaderboard() throws {
        let common = ["--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer, "--restarts", "2"]
        let one = CLI.path("gather-one"), run = CLI.path("gather-run")
        let ensemble = try CLI.run(["ensemble"] + common + ["--out", one])
        XCTAssertEqual(ensemble.status, 0, ensemble.stderr)
        let parts = (0..<2).map { run + String(format: "/tasks/%03d", $0) }
        for (i, part) in parts.enumerated() {
            let r = try CLI.run(["train-gan"] + common + ["--restart", String(i), "--out", part])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let select = try CLI.run(["select", run, "--from"] + parts)
        XCTAssertEqual(select.status, 0, select.stderr)
        let board = { (dir: String) in try Data(contentsOf: URL(fileURLWithPath: dir + "/leaderboard.json")) }
        XCTAssertEqual(try board(run), try board(one), "same seed and configuration, same leaderboard")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: run + "/restarts/001"), "../tasks/001/restarts/001")
        let config = try String(contentsOfFile: run + "/config.toml", encoding: .utf8)
        XCTAssertTrue(config.contains("out = \"\(run)\""), config)
        // Gathering again (a requeued select) finds the same links and ranks the same.
        let again = try CLI.run(["select", run, "--from"] + parts)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try board(run), try board(one))
    }

    /// A fabricated part: config.toml with `extra` lines, and restart `index` with one scored,
    /// stored snapshot and (when `finished`) its result.json.
    func part(_ name: String, index: Int, extra: String = "", finished: Bool = true) throws -> String {
        let part = CLI.path(name), dir = part + String(format: "/restarts/%03d", index)
        try? FileManager.default.removeItem(atPath: part)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "[ensemble]\n\(extra)out = \"\(part)\"\nrestarts = 4\n".write(toFile: part + "/config.toml", atomically: true, encoding: .utf8)
        try #"{"restart": \#(index), "step": 10, "ks": {"mll": 0.1}, "ks_sum": 0.1, "diverged": false}"#
            .write(toFile: dir + "/snapshots.jsonl", atomically: true, encoding: .utf8)
        try Data("checkpoint".utf8).write(to: URL(fileURLWithPath: dir + "/snapshot-00000010.h5"))
        if finished {
            try #"{"finished":true,"pruned":false,"restart":\#(index),"seed":1,"steps":10}"#
                .write(toFile: dir + "/result.json", atomically: true, encoding: .utf8)
        }
        return part
    }

    func testPartsThatCannotBeRankedTogetherAreRefused() throws {
        func refused(_ arguments: [String], _ status: Int32, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try CLI.run(["select"] + arguments)
            XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
            XCTAssertEqual(r.errorLines, [message], file: file, line: line)
        }
        let a = try part("gather-a", index: 0), b = try part("gather-b", index: 1, extra: "holdout = 0.1\nlr = 0.5\n")
        // holdout = 0.1 is the default a's config.toml leaves out (as one from an older build): not a difference.
        try refused([CLI.path("gather-x"), "--from", a, b], 64,
                    "error: '\(b)/config.toml' differs from '\(a)/config.toml' in lr (0.5 vs unset): restarts trained with different configurations "
                    + "cannot be ranked together; retrain that part with the same job file and options")
        let c = try part("gather-c", index: 1, finished: false)
        try refused([CLI.path("gather-x"), "--from", a, c], 65,
                    "error: restart 001 in '\(c)' has not finished (no result.json); rerun its task (the same command "
                    + "continues it), then select again")
        let d = try part("gather-d", index: 0)
        try refused([CLI.path("gather-x"), "--from", a, d], 64,
                    "error: restart 000 is in both '\(a)/restarts/000' and '\(d)/restarts/000'; give each restart index to one task only")
        try refused([CLI.path("gather-x"), "--from", CLI.path("gather-none")], 66,
                    "error: '\(CLI.path("gather-none"))' is not an ensemble run directory: no restarts/ folder in it; pass the --out "
                    + "of each `latentsim train-gan --restart I` (one per array task)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("gather-x")), "nothing written for a refused gather")
        let r = try CLI.run(["train-gan", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer",
                             EnsembleTests.reducer, "--restarts", "2", "--restart", "2", "--out", CLI.path("gather-bad")])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: --restart 2 is not a restart of this ensemble (restarts = 2: indices 0…1); raise "
                                      + "restarts or give the Slurm array fewer tasks"])
    }
}
