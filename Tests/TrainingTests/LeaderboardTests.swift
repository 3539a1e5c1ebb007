import Comm
import Foundation
import XCTest
@testable import Support
@testable import Training

/// Ranking rules of the ensemble leaderboard on hand-built entries, and reading snapshots.jsonl.
final class LeaderboardTests: XCTestCase {
    typealias Entry = Leaderboard.Entry

    func entry(_ restart: Int, _ step: Int, _ ks: [Double], diverged: Bool = false, stored: Bool = true) -> Entry {
        Entry(restart: restart, step: step, quantities: ["q1", "q2"], ks: ks, diverged: diverged, stored: stored)
    }

    /// Hand computation. q1 = [.1, .1, .2, .05]: ranks E4 1, E1/E2 tie at positions 2–3 → 2.5 each,
    /// E3 4. q2 = [.3, .2, .2, .2]: E2/E3/E4 tie at 1–3 → 2 each, E1 4. Sums: E1 6.5, E2 4.5,
    /// E3 6, E4 3. The diverged E5 takes no rank and does not shift anyone's.
    func testRankSumAveragesTiedRanksAndIgnoresDivergedSnapshots() {
        let board = Leaderboard(quantities: ["q1", "q2"], entries: [
            entry(1, 10, [0.1, 0.3]), entry(1, 20, [0.1, 0.2]), entry(0, 10, [0.2, 0.2]), entry(2, 10, [0.05, 0.2]),
            entry(2, 20, [0.0, .nan], diverged: true),
        ])
        XCTAssertEqual(board.entries.map(\.rankSum).prefix(4), [6.5, 4.5, 6, 3])
        XCTAssertTrue(board.entries[4].rankSum.isNaN)
        XCTAssertEqual(board.ranked(by: .rankSum).map { [$0.restart, $0.step] }, [[2, 10], [1, 20], [0, 10], [1, 10], [2, 20]])
    }

    /// ks sums: E1 .1+.3 = .4 and E3 .2+.2 = .4 are equal in Double too, so the lower restart (E3,
    /// restart 0) goes first; diverged last whatever its KS.
    func testKSSumOrdersByLowestSumWithTiesByRestartThenStep() {
        XCTAssertEqual(0.1 + 0.3, 0.2 + 0.2)
        let board = Leaderboard(quantities: ["q1", "q2"], entries: [
            entry(1, 10, [0.1, 0.3]), entry(1, 20, [0.1, 0.2]), entry(0, 10, [0.2, 0.2]), entry(2, 10, [0.05, 0.2]),
            entry(0, 5, [0.0, 0.0], diverged: true), entry(3, 30, [0.2, 0.2]), entry(3, 20, [0.2, 0.2]),
        ])
        XCTAssertEqual(board.ranked(by: .ksSum).map { [$0.restart, $0.step] },
                       [[2, 10], [1, 20], [0, 10], [1, 10], [3, 20], [3, 30], [0, 5]])
    }

    func testDivergedIsNeverSelectedEvenWithTheLowestScores() throws {
        let board = Leaderboard(quantities: ["q1", "q2"], entries: [
            entry(0, 10, [0.0, 0.0], diverged: true), entry(1, 10, [0.3, 0.3]),
        ])
        XCTAssertEqual(board.best(by: .ksSum)?.restart, 1)
        XCTAssertEqual(board.best(by: .rankSum)?.restart, 1)
        let allDiverged = Leaderboard(quantities: ["q1", "q2"], entries: [entry(0, 10, [0.1, 0.1], diverged: true)])
        XCTAssertThrowsError(try allDiverged.selection(by: .ksSum, run: "RUN")) { error in
            XCTAssertEqual((error as? InputError)?.description, "no snapshot can be selected: all 1 snapshots diverged; "
                           + "lower the learning rate or change the seeds and rerun `latentsim ensemble`")
            XCTAssertEqual((error as? InputError)?.exitCode, 65)
        }
    }

    func testAMissingKSCountsAsDiverged() {
        let e = entry(0, 10, [0.1, .nan])
        XCTAssertTrue(e.diverged)
        XCTAssertEqual(e.reason, "KS of 'q2' missing or not finite")
        XCTAssertFalse(e.isSelectable)
    }

    func testUnstoredBestIsSkippedForTheBestStoredOne() throws {
        let board = Leaderboard(quantities: ["q1", "q2"], entries: [
            entry(0, 10, [0.01, 0.01], stored: false), entry(1, 10, [0.2, 0.2]), entry(2, 10, [0.1, 0.1]),
        ])
        XCTAssertEqual(board.ranked(by: .ksSum).first?.restart, 0)
        XCTAssertEqual(board.best(by: .ksSum)?.restart, 2)
        let none = Leaderboard(quantities: ["q1", "q2"], entries: [entry(0, 10, [0.01, 0.01], stored: false)])
        XCTAssertThrowsError(try none.selection(by: .rankSum, run: "RUN")) { error in
            XCTAssertEqual((error as? InputError)?.exitCode, 66)
        }
    }

    func testTruncatedFinalLineIsSkippedAndARepeatedStepKeepsItsLastRecord() {
        var warnings: [String] = []
        let text = """
            {"restart": 3, "step": 100, "ks": {"mll": 0.5, "phi_miss": 0.25}, "ks_sum": 0.75, "diverged": false}
            {"restart": 3, "step": 200, "ks": {"mll": 0.1, "phi_miss": null}, "diverged": true, "reason": "loss NaN"}
            {"restart": 3, "step": 100, "ks": {"mll": 0.125, "phi_miss": 0.25}, "diverged": false}
            {"restart": 3, "step": 300, "ks": {"mll": 0.0
            """
        let records = Leaderboard.parse(text, path: "p", restart: 3, directory: "003", pruned: true, warnings: &warnings)
        XCTAssertEqual(records.map(\.step), [100, 200])
        XCTAssertEqual(records[0].ks.map(\.value), [0.125, 0.25])
        XCTAssertEqual(records[1].ks.map(\.key), ["mll", "phi_miss"])
        XCTAssertTrue(records[1].ks[1].value.isNaN)
        XCTAssertEqual(records[1].reason, "loss NaN")
        XCTAssertEqual(warnings, ["skipped the truncated last line 4 of p"])
    }

    func testJSONKeepsKeyOrderAndReadsNonFiniteTokens() throws {
        let v = try JSONValue.parse(#"{"z": 1, "a": [true, null, -2.5e-3], "m": "x\"\u00e9", "n": NaN, "i": -Infinity}"#)
        XCTAssertEqual(v.members?.map(\.key), ["z", "a", "m", "n", "i"])
        XCTAssertEqual(v["z"]?.int, 1)
        XCTAssertEqual(v["m"]?.string, "x\"é")
        XCTAssertEqual(v["i"]?.double, -.infinity)
        XCTAssertTrue(v["n"]?.double?.isNaN ?? false)
        XCTAssertEqual(v["a"]?.serialized, "[true, null, -0.0025]")
        XCTAssertThrowsError(try JSONValue.parse(#"{"a": 1"#))
        XCTAssertThrowsError(try JSONValue.parse(#"{"a": 1} x"#))
        // Doubles round-trip bitwise through the writer (selection.json must equal leaderboard.json).
        for d in [0.1 + 0.2, 1e-17, 0.012345678901234567] {
            XCTAssertEqual(try JSONValue.parse(JSONValue.number(d).serialized).double?.bitPattern, d.bitPattern)
        }
    }
}
