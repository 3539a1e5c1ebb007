import Foundation
import XCTest
@testable import Support

/// `latentsim select` on fabricated ensemble run directories (snapshot "checkpoints" are distinct
/// byte strings: selection only copies them).
final class SelectTests: XCTestCase {
    /// Score quantities mll, phi_miss, mu1_iso. Scored snapshots and their ranks (hand computation):
    ///   r0 s100 (.010 .010 .100): ranks 2 2 4 → rank sum 8, ks sum .120
    ///   r0 s200 (.050 .050 .005): ranks 4 4 2 → 10, ks sum .105
    ///   r1 s100 (.020 .020 .090): ranks 3 3 3 → 9, ks sum .130
    ///   r2 s100 (.001 .001 .001): ranks 1 1 1 → 3, ks sum .003, but its file was deleted
    /// plus r1 s200 diverged and r2's truncated last line. Best stored: ks-sum → r0 s200,
    /// rank-sum → r0 s100, so switching the metric must switch the selection.
    static let records: [(restart: Int, lines: [String], stored: [Int])] = [
        (0, [#"{"restart": 0, "step": 100, "ks": {"mll": 0.010, "phi_miss": 0.010, "mu1_iso": 0.100}, "ks_sum": 0.12, "diverged": false, "reason": "", "seconds": 1.5}"#,
             #"{"restart": 0, "step": 200, "ks": {"mll": 0.050, "phi_miss": 0.050, "mu1_iso": 0.005}, "ks_sum": 0.105, "diverged": false, "reason": "", "seconds": 3.0}"#],
         [100, 200]),
        (1, [#"{"restart": 1, "step": 100, "ks": {"mll": 0.020, "phi_miss": 0.020, "mu1_iso": 0.090}, "ks_sum": 0.13, "diverged": false}"#,
             #"{"restart": 1, "step": 200, "ks": {"mll": null, "phi_miss": null, "mu1_iso": null}, "ks_sum": null, "diverged": true, "reason": "generator loss is NaN"}"#],
         [100]),
        (2, [#"{"restart": 2, "step": 100, "ks": {"mll": 0.001, "phi_miss": 0.001, "mu1_iso": 0.001}, "ks_sum": 0.003, "diverged": false}"#,
             #"{"restart": 2, "step": 200, "ks": {"mll": 0.0"#],
         []),
    ]

    /// Writes a run directory; `records` decide the snapshots, `pruned` restarts get a result.json.
    func fabricate(_ name: String, records: [(restart: Int, lines: [String], stored: [Int])] = SelectTests.records,
                   pruned: Set<Int> = [1]) throws -> String {
        let run = CLI.path(name)
        try? FileManager.default.removeItem(atPath: run)
        for r in records {
            let dir = run + "/restarts/" + String(format: "%03d", r.restart)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try (r.lines.joined(separator: "\n")).write(toFile: dir + "/snapshots.jsonl", atomically: true, encoding: .utf8)
            for step in r.stored {
                try Data("checkpoint r\(r.restart) s\(step)".utf8).write(to: URL(fileURLWithPath: dir + "/snapshot-"
                                                                                  + String(format: "%08d", step) + ".h5"))
            }
            try #"{"restart": \#(r.restart), "seed": \#(r.restart + 1), "steps": 200, "finished": \#(!pruned.contains(r.restart)), "pruned": \#(pruned.contains(r.restart)), "pruned_at": null}"#
                .write(toFile: dir + "/result.json", atomically: true, encoding: .utf8)
        }
        try "[ensemble]\nrestarts = 3\n".write(toFile: run + "/config.toml", atomically: true, encoding: .utf8)
        try Data("reducer".utf8).write(to: URL(fileURLWithPath: run + "/reducer.h5"))
        return run
    }

    func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func selection(_ run: String) throws -> [String: Any] {
        try XCTUnwrap(try json(run + "/best/selection.json") as? [String: Any])
    }

    /// The best stored, non-diverged entry of leaderboard.json by the metric (ties: restart, step).
    func leaderboardMinimum(_ run: String, key: String) throws -> [String: Any] {
        let entries = try XCTUnwrap(try json(run + "/leaderboard.json") as? [[String: Any]])
        let candidates = entries.filter { $0["stored"] as? Bool == true && $0["diverged"] as? Bool == false }
        return try XCTUnwrap(candidates.min { a, b in
            let (x, y) = (a[key] as? Double ?? .infinity, b[key] as? Double ?? .infinity)
            if x != y { return x < y }
            return (a["restart"] as? Int ?? 0, a["step"] as? Int ?? 0) < (b["restart"] as? Int ?? 0, b["step"] as? Int ?? 0)
        })
    }

    func testSwitchingTheMetricSwitchesTheSelectionToTheLeaderboardMinimum() throws {
        let run = try fabricate("select-switch")
        for (metric, key, restart, step, value) in [("ks-sum", "ks_sum", 0, 200, 0.105), ("rank-sum", "rank_sum", 0, 100, 8.0)] {
            let r = try CLI.run(["select", run, "--metric", metric])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.errorLines, ["warning: skipped the truncated last line 2 of \(run)/restarts/002/snapshots.jsonl"])
            let chosen = try selection(run), minimum = try leaderboardMinimum(run, key: key)
            XCTAssertEqual(chosen["restart"] as? Int, restart, metric)
            XCTAssertEqual(chosen["step"] as? Int, step, metric)
            XCTAssertEqual(chosen["metric"] as? String, metric)
            XCTAssertEqual(chosen["value"] as? Double ?? .nan, value, accuracy: 1e-12, metric)
            XCTAssertEqual(chosen["restart"] as? Int, minimum["restart"] as? Int, metric)
            XCTAssertEqual(chosen["step"] as? Int, minimum["step"] as? Int, metric)
            XCTAssertEqual(chosen["value"] as? Double, minimum[key] as? Double, metric)
            XCTAssertEqual(chosen["snapshot"] as? String, "restarts/000/snapshot-" + String(format: "%08d", step) + ".h5")
            XCTAssertEqual(try String(contentsOfFile: run + "/best/generator.h5", encoding: .utf8), "checkpoint r0 s\(step)")
            XCTAssertEqual(try String(contentsOfFile: run + "/best/reducer.h5", encoding: .utf8), "reducer")
            XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/best/config.toml"))
            XCTAssertTrue(r.stdout.contains("selected restart 0 step \(step) (\(metric) "), r.stdout)
            XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasSuffix("  best") }.count, 1, r.stdout)
            // The swap leaves no build or old directory behind.
            let names = try FileManager.default.contentsOfDirectory(atPath: run).sorted()
            XCTAssertEqual(names, ["best", "config.toml", "leaderboard.csv", "leaderboard.json", "reducer.h5", "restarts"])
        }
        // Without --metric the run keeps the metric of its current selection (rank-sum now).
        XCTAssertEqual(try CLI.run(["select", run, "--metric", "ks-sum"]).status, 0)
        XCTAssertEqual(try CLI.run(["select", run]).status, 0)
        XCTAssertEqual(try selection(run)["metric"] as? String, "ks-sum")
    }

    /// leaderboard.csv in rank-sum order: the unstored r2 s100 first (lowest rank sum), the
    /// diverged r1 s200 last with empty numbers; pruned comes from restart 1's result.json.
    func testLeaderboardFilesListEveryRecordBestFirst() throws {
        let run = try fabricate("select-files")
        XCTAssertEqual(try CLI.run(["select", run, "--metric", "rank-sum", "--top", "2"]).status, 0)
        let csv = try String(contentsOfFile: run + "/leaderboard.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").map(String.init), [
            "rank,restart,step,mll,phi_miss,mu1_iso,ks_sum,rank_sum,diverged,pruned,stored",
            "1,2,100,0.001,0.001,0.001,0.003,3.0,false,false,false",
            "2,0,100,0.01,0.01,0.1,0.12000000000000001,8.0,false,false,true",
            "3,1,100,0.02,0.02,0.09,0.13,9.0,false,true,true",
            "4,0,200,0.05,0.05,0.005,0.10500000000000001,10.0,false,false,true",
            "5,1,200,,,,,,true,true,false",
        ])
        let entries = try XCTUnwrap(try json(run + "/leaderboard.json") as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["rank"] as? Int }, [1, 2, 3, 4, 5])
        XCTAssertEqual(entries.last?["reason"] as? String, "generator loss is NaN")
        XCTAssertTrue(entries.last?["rank_sum"] is NSNull)
        XCTAssertEqual((entries.first?["ks"] as? [String: Any])?.count, 3)
    }

    func testUnderMpirunOnlyRankZeroWritesAndPrints() throws {
        let run = try fabricate("select-np2")
        let r = try CLI.run(["select", run, "--metric", "ks-sum"], ranks: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.components(separatedBy: "selected restart 0 step 200").count, 2, r.stdout)
        XCTAssertEqual(try selection(run)["step"] as? Int, 200)
        let failed = try CLI.run(["select", CLI.path("select-nothing-here"), "--metric", "ks-sum"], ranks: 2)
        XCTAssertEqual(failed.status, 66)
        XCTAssertEqual(failed.errorLines.count, 1, failed.stderr)
    }

    func testBadInputStopsWithAPinnedMessageAndCode() throws {
        let missing = CLI.path("select-missing")
        let plain = CLI.path("select-plain")
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        let run = try fabricate("select-bad")
        let cases: [([String], Int32, String)] = [
            (["select", missing], 66, "error: ensemble run directory '\(missing)' does not exist; pass the directory "
                + "`latentsim ensemble` wrote (its --out)"),
            (["select", plain], 66, "error: '\(plain)' is not an ensemble run directory: no restarts/ folder in it; pass "
                + "the directory `latentsim ensemble` wrote (its --out)"),
            (["select", run, "--metric", "ks"], 64, "error: unknown metric 'ks'; expected one of: ks-sum, rank-sum"),
            (["select", run, "--top", "0"], 64, "error: --top must be a positive number of rows, found 0"),
        ]
        for (arguments, code, message) in cases {
            let r = try CLI.run(arguments)
            XCTAssertEqual(r.status, code, arguments.joined(separator: " "))
            XCTAssertEqual(r.errorLines, [message])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/best"))
    }

    /// Every snapshot diverged: a clear error, no best/ (and an earlier best/ is left as it was).
    func testAllDivergedSelectsNothing() throws {
        let diverged = [(restart: 0, lines: [#"{"restart": 0, "step": 100, "ks": {"mll": null}, "diverged": true, "reason": "NaN"}"#,
                                             #"{"restart": 0, "step": 200, "diverged": true, "reason": "NaN"}"#], stored: [100])]
        let run = try fabricate("select-diverged", records: diverged)
        let r = try CLI.run(["select", run])
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(r.errorLines, ["error: no snapshot can be selected: all 2 snapshots diverged; lower the learning rate "
                                      + "or change the seeds and rerun `latentsim ensemble`"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/best"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/best.partial"))
        try FileManager.default.createDirectory(atPath: run + "/best", withIntermediateDirectories: false)
        try "earlier".write(toFile: run + "/best/selection.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["select", run]).status, 65)
        XCTAssertEqual(try String(contentsOfFile: run + "/best/selection.json", encoding: .utf8), "earlier")
    }
}
