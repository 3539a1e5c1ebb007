import EventStore
import Foundation
import XCTest
@testable import Support

/// `generate`'s support guard on the tiny latent fixture: accepted events keep their bits, rejected
/// ones are redrawn inside the range and counted in the manifest and the log, the same on 1 and 2
/// ranks; a range no event reaches gives up in one line (exit 65, nothing that looks complete); a
/// model without a stored range (trained before it) generates unguarded after one note.
final class SupportGuardCLITests: XCTestCase {
    /// A copy of the latent fixture's RUN/best whose stored range `edit` changes (nil: removed).
    func model(_ name: String, edit: (inout SupportRange?) throws -> Void) throws -> String {
        let directory = CLI.path(name)
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.copyItem(atPath: GenerateFixtures.latent, toPath: directory)
        var checkpoint = try Checkpoint.read(from: directory + "/generator.h5")
        var range = try checkpoint.attributes["support_range"].map { _ in
            try JSONValue.decode(SupportRange.self, from: try checkpoint.string("support_range"))
        }
        try edit(&range)
        checkpoint.attributes["support_range"] = try range.map { .string(try JSONValue(encoding: $0).encoderText) }
        try FileManager.default.removeItem(atPath: directory + "/generator.h5")
        try checkpoint.write(to: directory + "/generator.h5")
        return directory
    }

    func rows(_ out: String) throws -> EventTable { try GenerateFixtures.read(CLI.path(out) + "/events.h5") }

    /// Rows of `table` with a column outside `range` ± margin, and per column how many.
    func outside(_ table: EventTable, _ range: SupportRange, margin: Double) -> (rows: Set<Int>, columns: [Int]) {
        let b = range.bounds(margin: margin)
        var rows = Set<Int>(), columns = [Int](repeating: 0, count: table.width)
        for r in 0..<table.rows {
            for j in 0..<table.width where !(Double(table[r, j]) >= b.low[j] && Double(table[r, j]) <= b.high[j]) {
                rows.insert(r)
                columns[j] += 1
            }
        }
        return (rows, columns)
    }

    func testRejectedEventsAloneAreRedrawnAndCountedOnAnyRankCount() throws {
        let off = try GenerateFixtures.generate("guard-off", ["--no-support-guard"])
        XCTAssertEqual(off.status, 0, off.stderr)
        XCTAssertNil(try GenerateFixtures.manifest("guard-off")["support_guard"])
        let plain = try rows("guard-off")
        // The stored range cut at mu1_E's 97th percentile of the unguarded events, margin 0: about 3 % are redrawn.
        var stored: SupportRange? = nil
        let cutModel = try model("guard-cut-model") { range in
            stored = range
            let e = plain.column(0).sorted()
            range?.max[0] = Float(e[e.count * 97 / 100])
        }
        let range = try XCTUnwrap(stored, "a freshly trained model stores its training range")
        XCTAssertEqual(range.columns, plain.columns)
        // It is the training table's own [min, max] over every row (held-out ones included).
        let table = try GenerateFixtures.read(EnsembleTests.data)
        let own = try SupportRange.fit(table.selecting(range.columns.map { table.columnIndex($0)! }), comm: nil)
        XCTAssertEqual(range, own)
        XCTAssertGreaterThan(table.rows, 1000)
        let cut = try XCTUnwrap(try Checkpoint.read(from: cutModel + "/generator.h5").string("support_range"))
        let cutRange = try JSONValue.decode(SupportRange.self, from: cut)
        let expected = outside(plain, cutRange, margin: 0)
        XCTAssertGreaterThan(expected.rows.count, 200)
        // Shards on 1 and 2 ranks, one file written collectively on 3.
        for ranks in [1, 2, 3] {
            let r = try GenerateFixtures.generate("guard-cut-np\(ranks)", model: cutModel, ranks: ranks,
                                                  ["--support-margin", "0"] + (ranks == 3 ? ["--layout", "single"] : []))
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("support guard: \(expected.rows.count) of 10000 events ("), r.stdout)
        }
        let guarded = try rows("guard-cut-np1")
        XCTAssertEqual(try rows("guard-cut-np2"), guarded, "np 2 = np 1")
        XCTAssertEqual(try rows("guard-cut-np3"), guarded, "np 3 (single layout) = np 1")
        XCTAssertEqual(outside(guarded, cutRange, margin: 0).rows, [], "every event inside the guard")
        for r in 0..<plain.rows {
            let same = (0..<plain.width).allSatisfy { plain[r, $0].bitPattern == guarded[r, $0].bitPattern }
            XCTAssertEqual(same, !expected.rows.contains(r), "row \(r): kept if and only if inside")
        }
        for name in ["guard-cut-np1", "guard-cut-np2", "guard-cut-np3"] {
            let record = try XCTUnwrap(try GenerateFixtures.manifest(name)["support_guard"] as? [String: Any])
            XCTAssertEqual(record["margin"] as? Double, 0)
            XCTAssertEqual(record["max_redraws"] as? Int, 32)
            let total = try XCTUnwrap(record["total"] as? [String: Any])
            XCTAssertEqual(total["rejected_events"] as? Int, expected.rows.count, name)
            let redraws = try XCTUnwrap(total["redraws"] as? Int)
            XCTAssertGreaterThanOrEqual(redraws, expected.rows.count)
            let byColumn = try XCTUnwrap(total["rejected_by_column"] as? [String: Int])
            // Every rejected draw counts under each column it left: the first draws' counts, plus at least one per rejected redraw.
            for (j, column) in plain.columns.enumerated() {
                XCTAssertGreaterThanOrEqual(byColumn[column] ?? -1, expected.columns[j], "\(name): \(column)")
            }
            XCTAssertGreaterThanOrEqual(byColumn.values.reduce(0, +) - expected.columns.reduce(0, +), redraws - expected.rows.count)
            let shards = try XCTUnwrap(try GenerateFixtures.manifest(name)["shards"] as? [[String: Any]])
            let perShard = shards.compactMap { ($0["support"] as? [String: Any])?["rejected_events"] as? Int }
            XCTAssertEqual(perShard.count, name == "guard-cut-np3" ? 1 : 4)
            XCTAssertEqual(perShard.reduce(0, +), expected.rows.count)
        }
        XCTAssertEqual(try CLI.run(["verify", CLI.path("guard-cut-np1")]).status, 0)
        // A resumed run regenerates one shard and keeps the others' counts: the same manifest totals and shards.
        let before = try GenerateFixtures.manifest("guard-cut-np1")
        try FileManager.default.removeItem(atPath: CLI.path("guard-cut-np1/shard-00001.h5"))
        let resumed = try GenerateFixtures.generate("guard-cut-np1", model: cutModel, ranks: 2, ["--support-margin", "0"])
        XCTAssertTrue(resumed.stdout.contains("1 of 4 shard(s), kept 3 intact"), resumed.stdout)
        let after = try GenerateFixtures.manifest("guard-cut-np1")
        XCTAssertEqual(after["support_guard"] as? NSDictionary, before["support_guard"] as? NSDictionary)
        XCTAssertEqual(after["shards"] as? NSArray, before["shards"] as? NSArray)
        XCTAssertEqual(try rows("guard-cut-np1"), guarded)
        // The default margin on the stored range: events inside it keep their bits.
        XCTAssertEqual(try GenerateFixtures.generate("guard-default").status, 0)
        let kept = outside(plain, range, margin: 0.25).rows
        let byDefault = try rows("guard-default")
        for r in 0..<plain.rows where !kept.contains(r) {
            XCTAssertTrue((0..<plain.width).allSatisfy { plain[r, $0].bitPattern == byDefault[r, $0].bitPattern }, "row \(r)")
        }
        // A different margin is a different request.
        let again = try GenerateFixtures.generate("guard-default", ["--support-margin", "0.5"])
        XCTAssertEqual(again.status, 73, again.stderr)
        XCTAssertTrue(again.stderr.contains("already holds events generated with support margin 0.25 (32 redraws) (this run: support "
                                            + "margin 0.5 (32 redraws)); pass --overwrite"), again.stderr)
    }

    func testGivingUpIsOneLineAndAnOldModelGeneratesUnguarded() throws {
        let unreachable = try model("guard-never-model") { range in (range!.min[0], range!.max[0]) = (1e6, 1e6) }
        let r = try GenerateFixtures.generate("guard-never", model: unreachable, ranks: 2, ["--support-margin", "0"])
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: support guard: event 0 was still outside the training range ± 0.0 × its width after 32 "
                                      + "redraws (last draw: mu1_E outside [1000000.000, 1000000.000]); the model makes mostly "
                                      + "out-of-range events: check it, or widen --support-margin, or pass --no-support-guard"])
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.path("guard-never"))
        XCTAssertEqual(files.filter { $0.hasSuffix(".h5") }, [], "no shard and no master: \(files)")
        XCTAssertEqual(try GenerateFixtures.manifest("guard-never")["complete"] as? Bool, false)
        let both = try GenerateFixtures.generate("guard-both", ["--support-margin", "0.1", "--no-support-guard"])
        XCTAssertEqual(both.status, 64)
        XCTAssertEqual(both.errorLines, ["error: --support-margin sets the support guard's margin but --no-support-guard switches "
                                         + "the guard off; drop one of them"])
        let negative = try GenerateFixtures.generate("guard-negative", ["--support-margin=-1"])
        XCTAssertEqual(negative.status, 64)
        XCTAssertEqual(negative.errorLines, ["error: --support-margin must be a fraction ≥ 0 of each column's training range "
                                             + "(e.g. 0.25), found -1.0"])
        let old = try model("guard-old-model") { range in range = nil }
        let o = try GenerateFixtures.generate("guard-old", model: old)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stdout.contains("note: '\(old)' stores no training range (a model trained before the support guard): "
                                        + "generating without the guard; retrain it to keep events inside the training range"), o.stdout)
        XCTAssertNil(try GenerateFixtures.manifest("guard-old")["support_guard"])
        XCTAssertEqual(try GenerateFixtures.generate("guard-old-off", ["--no-support-guard"]).status, 0)
        XCTAssertEqual(try rows("guard-old"), try rows("guard-old-off"), "an old model's events are the unguarded ones")
    }
}
