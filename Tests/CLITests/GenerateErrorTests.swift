import Foundation
import XCTest
@testable import Support

/// `latentsim generate` and `verify` on bad input: one clear line, the documented exit code, and
/// nothing left that looks complete.
final class GenerateErrorTests: XCTestCase {
    func assertFails(_ r: CLI.Outcome, _ code: Int32, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, code, r.stderr, file: file, line: line)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(message), "expected “\(message)” in: \(r.stderr)", file: file, line: line)
    }

    func testVerifyNamesADamagedAndAMissingShard() throws {
        XCTAssertEqual(try GenerateFixtures.generate("verify").status, 0)
        let ok = try CLI.run(["verify", CLI.path("verify")])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.hasPrefix("OK: 10000 events in 4 file(s)"), ok.stdout)
        XCTAssertEqual(ok.stdout.split(separator: "\n").count, 1)
        try GenerateFixtures.flipByte(CLI.path("verify/shard-00001.h5"))
        assertFails(try CLI.run(["verify", CLI.path("verify")], ranks: 2), 65, "'\(CLI.path("verify"))/shard-00001.h5' is damaged: its sha256 is")
        try FileManager.default.removeItem(atPath: CLI.path("verify/shard-00001.h5"))
        assertFails(try CLI.run(["verify", CLI.path("verify")]), 66,
                    "'\(CLI.path("verify"))/shard-00001.h5' is missing (listed in manifest.json); rerun the same `latentsim generate`")
        XCTAssertEqual(try GenerateFixtures.generate("verify").status, 0)
        XCTAssertEqual(try CLI.run(["verify", CLI.path("verify")]).status, 0)
        assertFails(try CLI.run(["verify", CLI.path("nothing-here")]), 66, "is not the output of `latentsim generate`")
    }

    func testAnInterruptedRunIsNotVerifiedAndAMasterMappingIsChecked() throws {
        XCTAssertEqual(try GenerateFixtures.generate("pending").status, 0)
        let path = CLI.path("pending/manifest.json")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"complete\" : true", with: "\"complete\" : false").write(toFile: path, atomically: true, encoding: .utf8)
        assertFails(try CLI.run(["verify", CLI.path("pending")]), 65, "manifest.json' is incomplete: the generate run that wrote it did not finish")
        // The master of a 2-shard run over the 4-shard manifest: the mapping count is named.
        XCTAssertEqual(try GenerateFixtures.generate("pending").status, 0)
        XCTAssertEqual(try GenerateFixtures.generate("pending-two", shard: 5000).status, 0)
        try FileManager.default.removeItem(atPath: CLI.path("pending/events.h5"))
        try FileManager.default.copyItem(atPath: CLI.path("pending-two/events.h5"), toPath: CLI.path("pending/events.h5"))
        assertFails(try CLI.run(["verify", CLI.path("pending")]), 65, "has 2 virtual mappings for 4 shards")
    }

    func testBadCountsIncompleteModelsAndUnwritableOutput() throws {
        assertFails(try GenerateFixtures.generate("bad", events: 0), 64, "--events must be a positive number of events, found 0")
        assertFails(try GenerateFixtures.generate("bad", events: -5, ranks: 2), 64, "--events must be a positive number of events, found -5")
        assertFails(try GenerateFixtures.generate("bad", shard: 0), 64, "--shard-events must be a positive number of events per shard, found 0")
        let empty = CLI.path("empty-model")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        assertFails(try GenerateFixtures.generate("bad", model: empty, ranks: 2), 66,
                    "model directory '\(empty)' is incomplete: no generator.h5")
        let halfway = CLI.path("no-reducer")
        try? FileManager.default.removeItem(atPath: halfway)
        try FileManager.default.createDirectory(atPath: halfway, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: GenerateFixtures.latent + "/generator.h5", toPath: halfway + "/generator.h5")
        assertFails(try GenerateFixtures.generate("bad", model: halfway), 66, "model directory '\(halfway)' is incomplete: no reducer.h5")
        assertFails(try GenerateFixtures.generate("bad", model: CLI.path("no-such-model")), 66, "does not exist or is not a directory")
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("bad")), "nothing created for refused input")
        let blocker = CLI.path("a-file")
        try "x".write(toFile: blocker, atomically: true, encoding: .utf8)
        assertFails(try CLI.run(["generate", "--model", GenerateFixtures.latent, "--events", "10", "--out", blocker + "/gen"], ranks: 2),
                    73, "cannot create directory '\(blocker)/gen'")
    }

    /// --config, --roles, --reweight-rows and the weight options set up --reweight's classifier; alone they are refused, not ignored.
    func testReweightOptionsWithoutReweightAreRefused() throws {
        let why = "(the reweighting classifier is the only part of generate that reads"
        let roles = try GenerateFixtures.generate("roles-alone", ranks: 2, ["--roles", "mu2_px=px2"])
        XCTAssertEqual(roles.status, 64, roles.stderr)
        XCTAssertEqual(roles.errorLines, ["error: --roles only applies with --reweight \(why) it); add --reweight REAL or drop --roles"])
        let config = try GenerateFixtures.generate("roles-alone", ["--config", "jobs/quickstart.toml"])
        XCTAssertEqual(config.status, 64, config.stderr)
        XCTAssertEqual(config.errorLines, ["error: --config only applies with --reweight \(why) it); add --reweight REAL or drop --config"])
        let rows = try GenerateFixtures.generate("roles-alone", ["--reweight-rows", "1000"])
        XCTAssertEqual(rows.status, 64, rows.stderr)
        XCTAssertEqual(rows.errorLines, ["error: --reweight-rows only applies with --reweight \(why) it); add --reweight REAL or drop "
                                         + "--reweight-rows"])
        let all = try GenerateFixtures.generate("roles-alone", ranks: 3, ["--config", "jobs/quickstart.toml", "--roles", "mu2_px=px2",
                                                                         "--reweight-rows", "1000"])
        XCTAssertEqual(all.status, 64, all.stderr)
        XCTAssertEqual(all.errorLines, ["error: --config, --roles and --reweight-rows only apply with --reweight \(why) them); add "
                                        + "--reweight REAL or drop them"])
        let weights = try GenerateFixtures.generate("roles-alone", ranks: 2, ["--reweight-clip", "5", "--reweight-min-ess", "0.5",
                                                                             "--reweight-exclude", "mll"])
        XCTAssertEqual(weights.status, 64, weights.stderr)
        XCTAssertEqual(weights.errorLines, ["error: --reweight-clip, --reweight-min-ess and --reweight-exclude only apply with --reweight "
                                            + "\(why) them); add --reweight REAL or drop them"])
        let training = try GenerateFixtures.generate("roles-alone", ["--reweight-holdout", "0.3", "--reweight-patience", "2",
                                                                    "--reweight-hidden", "16"])
        XCTAssertEqual(training.status, 64, training.stderr)
        XCTAssertEqual(training.errorLines, ["error: --reweight-holdout, --reweight-patience and --reweight-hidden only apply with "
                                             + "--reweight \(why) them); add --reweight REAL or drop them"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("roles-alone")), "nothing created for refused input")
    }

    func testAnOutputFromAnotherSeedOrSizeIsRefusedUnlessOverwrite() throws {
        XCTAssertEqual(try GenerateFixtures.generate("owned").status, 0)
        let sums = try GenerateFixtures.manifest("owned")["shards"] as? [[String: Any]]
        assertFails(try GenerateFixtures.generate("owned", ranks: 2, ["--seed", "5"]), 73,
                    "'\(CLI.path("owned"))' already holds events generated with seed 1 (this run: 5); pass --overwrite")
        assertFails(try GenerateFixtures.generate("owned", events: 9000), 73, "generated with 10000 events (this run: 9000)")
        XCTAssertEqual((try GenerateFixtures.manifest("owned")["shards"] as? [[String: Any]])?.count, sums?.count, "refusal changed nothing")
        XCTAssertEqual(try CLI.run(["verify", CLI.path("owned")]).status, 0)
        let replaced = try GenerateFixtures.generate("owned", events: 4000, ["--seed", "5", "--overwrite"])
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        XCTAssertEqual(try GenerateFixtures.shardFiles("owned"), ["shard-00000.h5", "shard-00001.h5"], "old shards removed")
        XCTAssertEqual(try GenerateFixtures.manifest("owned")["seed"] as? Int, 5)
        XCTAssertEqual(try CLI.run(["verify", CLI.path("owned")]).status, 0)
        // Generated files without a manifest are not taken over silently either.
        try FileManager.default.removeItem(atPath: CLI.path("owned/manifest.json"))
        assertFails(try GenerateFixtures.generate("owned", events: 4000, ["--seed", "5"]), 73, "but no manifest.json; pass --overwrite")
    }
}
