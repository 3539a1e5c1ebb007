import Foundation
import XCTest

/// `latentsim bench --json` prints the documented records (figures are not judged: speed belongs to
/// benchmarks, not tests).
final class BenchTests: XCTestCase {
    func records(_ outcome: CLI.Outcome) throws -> [[String: Any]] {
        try outcome.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testJSONRecordsSingleProcessAndTwoRanks() throws {
        let single = try CLI.run(["bench", "--json", "--threads", "1", "--seconds", "0.05"])
        XCTAssertEqual(single.status, 0, single.stderr)
        let lines = try records(single)
        XCTAssertEqual(lines.compactMap { $0["model"] as? String }, ["ae", "gan17", "gan7", "sgemm"])
        for line in lines {
            XCTAssertEqual(line["threads"] as? Int, 1)
            XCTAssertGreaterThan(line["samples_per_s"] as? Double ?? 0, 0)
            XCTAssertGreaterThan(line["gflop_s"] as? Double ?? 0, 0)
        }
        let picked = try CLI.run(["bench", "--json", "--threads", "1", "--seconds", "0.05", "--models", "gan7,sgemm"])
        XCTAssertEqual(picked.status, 0, picked.stderr)
        XCTAssertEqual(try records(picked).compactMap { $0["model"] as? String }, ["gan7", "sgemm"])
        let pair = try records(try CLI.run(["bench", "--json", "--seconds", "0.05"], ranks: 2))
        XCTAssertEqual(pair.count, 1)
        XCTAssertEqual(pair.first?["ranks"] as? Int, 2)
        let share = pair.first?["allreduce_share"] as? Double ?? -1
        XCTAssertTrue(share > 0 && share < 1, "allreduce share \(share)")
    }

    func testUnknownModelIsRejectedWithTheValidNames() throws {
        let outcome = try CLI.run(["bench", "--models", "gan8"])
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("gan8") && outcome.stderr.contains("gan17"), outcome.stderr)
    }
}
