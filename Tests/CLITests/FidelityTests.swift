import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// Selection that sees the whole event (`score = ["all"]`, the snapshot classifier, weights) and
/// DCTR reweighting (`generate --reweight`, evaluate's weighted figures), on tiny jobs.
final class FidelityTests: XCTestCase {
    static let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz", "nvtx", "met_px", "met_py",
                           "mu1_iso", "mu2_iso", "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]
    static let derived = ["mll", "ptll", "met", "phi_miss", "dphi_ll", "njets"]

    func ensemble(_ out: String, _ extra: [String]) throws -> CLI.Outcome {
        try CLI.run(["ensemble", "--config", ScoreFallbackTests.job, "--data", EnsembleTests.data, "--out", CLI.path(out)] + extra,
                    ranks: 2)
    }

    func records(_ out: String) throws -> [JSONValue] {
        let text = try String(contentsOfFile: CLI.path(out) + "/restarts/000/snapshots.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    /// `all` scores every feature column (the rotated-away mu2_py is identically 0) and every derived quantity.
    func testScoreAllScoresEveryColumnAndDerivedQuantity() throws {
        let r = try ensemble("fid-all", ["--score", "all"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let written = try records("fid-all")
        XCTAssertEqual(written.count, 2)
        for record in written {
            let ks = try XCTUnwrap(record["ks"]?.members)
            XCTAssertEqual(ks.map(\.key), FidelityTests.features + FidelityTests.derived)
            let sum = ks.reduce(0.0) { $0 + ($1.value.double ?? .nan) }
            XCTAssertEqual(try XCTUnwrap(record["ks_sum"]?.double), sum, accuracy: 1e-4 * max(1, sum))
            XCTAssertNil(record["weights"], "unweighted records stay as they were")
        }
        let selected = try CLI.run(["select", CLI.path("fid-all")])
        XCTAssertEqual(selected.status, 0, selected.stderr)
    }

    /// `classifier` alone: the record's one score is AUC − 0.5 (in [−0.5, 0.5]); with a weight it
    /// counts that many times in ks_sum, in the record and in select's leaderboard.
    func testClassifierScoreAloneAndWeightedWithAKS() throws {
        let alone = try ensemble("fid-clf", ["--score", "classifier"])
        XCTAssertEqual(alone.status, 0, alone.stderr)
        for record in try records("fid-clf") {
            let ks = try XCTUnwrap(record["ks"]?.members)
            XCTAssertEqual(ks.map(\.key), ["classifier"])
            let term = try XCTUnwrap(ks[0].value.double)
            XCTAssertTrue(term > -0.5 && term <= 0.5, "AUC − 0.5 = \(term)")
            XCTAssertEqual(record["ks_sum"]?.double, term)
        }
        let weighted = try ensemble("fid-clf-w", ["--score", "mll,classifier", "--score-weights", "classifier=2"])
        XCTAssertEqual(weighted.status, 0, weighted.stderr)
        for record in try records("fid-clf-w") {
            let mll = try XCTUnwrap(record["ks"]?["mll"]?.double), term = try XCTUnwrap(record["ks"]?["classifier"]?.double)
            XCTAssertEqual(try XCTUnwrap(record["ks_sum"]?.double), mll + 2 * term, accuracy: 1e-5)
            XCTAssertEqual(record["weights"]?["classifier"]?.double, 2)
            XCTAssertEqual(record["weights"]?["mll"]?.double, 1)
        }
        // The classifier on the same validation sample gives the same term whatever else is scored.
        XCTAssertEqual(try records("fid-clf-w").map { $0["ks"]?["classifier"]?.double },
                       try records("fid-clf").map { $0["ks"]?["classifier"]?.double })
        let selected = try CLI.run(["select", CLI.path("fid-clf-w")])
        XCTAssertEqual(selected.status, 0, selected.stderr)
        let best = try JSONValue.parse(try String(contentsOfFile: CLI.path("fid-clf-w") + "/best/selection.json", encoding: .utf8))
        let ks = try XCTUnwrap(best["ks"])
        XCTAssertEqual(try XCTUnwrap(best["ks_sum"]?.double),
                       try XCTUnwrap(ks["mll"]?.double) + 2 * (try XCTUnwrap(ks["classifier"]?.double)), accuracy: 1e-5)
    }

    func testScoreWeightsRefusals() throws {
        let r = try ensemble("fid-w-bad", ["--score", "mll,phi_miss", "--score-weights", "ptll=2"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: score_weights names 'ptll', which is not scored (score: mll,phi_miss); weight only "
                                      + "scored quantities, or add 'ptll' to score"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("fid-w-bad")), "no run directory")
        let syntax = try ensemble("fid-w-syntax", ["--score", "mll", "--score-weights", "mll:2"])
        XCTAssertEqual(syntax.status, 64, syntax.stderr)
        XCTAssertEqual(syntax.errorLines, ["error: --score-weights expects comma-separated name=number pairs with distinct names, "
                                           + "e.g. ptll=2,met=1.5; found 'mll:2' in 'mll:2'"])
        // In the job file: an inline table of numbers.
        let job = CLI.fixture(text: try String(contentsOfFile: ScoreFallbackTests.job, encoding: .utf8)
                              + "\nscore = [\"all\"]\nscore_weights = {ptll = 2, met = \"x\"}\n", to: CLI.path("fid-w.toml"))
        let file = try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--out", CLI.path("fid-w-file")])
        XCTAssertEqual(file.status, 64, file.stderr)
        let line = try String(contentsOfFile: job, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count - 1
        XCTAssertEqual(file.errorLines, ["error: \(job) line \(line): key 'score_weights' expects a table of numbers, e.g. "
                                         + "{ptll = 2.0}, found a table ({ met = \"x\", ptll = 2 })"])
    }

    /// `generate --reweight`: every shard (and the master) has a last `weight` column, positive,
    /// of mean ≈ 1; np 2 and np 3 write the same shard bytes as np 1; the manifest records the real
    /// rows the weights were trained on, and evaluate refuses real rows among them (exact text, exit 65,
    /// no report) or says when it cannot check; against other events it reports the weighted figures
    /// and the effective sample size.
    func testReweightWritesAWeightColumnIdenticalOnOneAndTwoRanks() throws {
        let model = GenerateFixtures.full
        // With the ESS target, a clip and an excluded quantity: all three must stay rank-count independent.
        let extra = ["--reweight", EnsembleTests.data, "--reweight-rows", "2000", "--reweight-min-ess", "0.9", "--reweight-clip", "10",
                     "--reweight-exclude", "mu1_E,mll"]
        let two = try GenerateFixtures.generate("rw2", model: model, events: 6000, ranks: 2, extra)
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertTrue(two.stdout.contains("reweighting: classifier trained on 2000 real events of \(EnsembleTests.data) and as many "
                                          + "generated ones (21 quantities); epoch "), two.stdout)
        XCTAssertTrue(two.stdout.contains(" clipped to [1/10, 10], normalised by "), two.stdout)
        let one = try GenerateFixtures.generate("rw1", model: model, events: 6000, extra)
        XCTAssertEqual(one.status, 0, one.stderr)
        // np 3: the third rank owns no shard but takes part in the classifier's broadcast.
        let three = try GenerateFixtures.generate("rw3", model: model, events: 6000, ranks: 3, extra)
        XCTAssertEqual(three.status, 0, three.stderr)
        let files = try GenerateFixtures.shardFiles("rw2")
        XCTAssertEqual(files.count, 2)
        XCTAssertEqual(try GenerateFixtures.shardFiles("rw1"), files)
        for file in files {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: CLI.path("rw1") + "/" + file)),
                           try Data(contentsOf: URL(fileURLWithPath: CLI.path("rw2") + "/" + file)), "\(file): np 1 = np 2")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: CLI.path("rw3") + "/" + file)),
                           try Data(contentsOf: URL(fileURLWithPath: CLI.path("rw2") + "/" + file)), "\(file): np 3 = np 2")
            let shard = try GenerateFixtures.read(CLI.path("rw2") + "/" + file)
            XCTAssertEqual(shard.columns.last, "weight")
        }
        // The model hash names the reweighting settings; those the options leave alone keep main's defaults (20 % held out,
        // patience 3, 64-64 network), so an output written before the options existed keeps its hash.
        XCTAssertTrue(try XCTUnwrap(GenerateFixtures.manifest("rw2")["model"] as? String).hasSuffix(":2000:e30b256h64x64v0.2p3c1w10.0s0.9xmu1_E+mll"))
        let table = try GenerateFixtures.read(CLI.path("rw2") + "/events.h5")
        XCTAssertEqual(table.columns, EnsembleTests.columns.split(separator: ",").map(String.init) + ["weight"])
        let w = table.column(try XCTUnwrap(table.columnIndex("weight")))
        XCTAssertTrue(w.allSatisfy { $0 > 0 && $0.isFinite })
        // Normalised to mean 1 on the classifier's own 2000 generated events, an independent sample:
        // over these 6000 the mean is 1 within its statistical error, sd(w)·√(1/2000 + 1/6000) (4σ here).
        let mean = w.reduce(0, +) / Double(w.count)
        let sd = (w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count - 1)).squareRoot()
        XCTAssertEqual(mean, 1, accuracy: 4 * sd * (1.0 / 2000 + 1.0 / 6000).squareRoot(), "sd \(sd)")
        // The same events as without reweighting, plus the column.
        let plain = try GenerateFixtures.generate("rw0", model: model, events: 6000)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let unweighted = try GenerateFixtures.read(CLI.path("rw0") + "/events.h5")
        XCTAssertEqual(table.selecting(Array(0..<unweighted.width)).values, unweighted.values)

        // The manifest says which real rows trained the weights, and evaluate refuses real rows among them: here
        // rows 1500..<2500 of the table, the first 500 of which the classifier trained on (a held-out split of the
        // training table is such a subset). Nothing is written.
        let reweight = try XCTUnwrap(GenerateFixtures.manifest("rw2")["reweight"] as? [String: Any])
        XCTAssertEqual(reweight["real"] as? String, EnsembleTests.data)
        XCTAssertEqual(reweight["sha256"] as? String, try SHA256.hex(files: [EnsembleTests.data]))
        XCTAssertEqual(reweight["first_rows"] as? Int, 2000)
        XCTAssertEqual(reweight["rows"] as? Int, 2000)
        let overlapping = CLI.path("rw-overlap.h5")
        let whole = try EventReader.read(path: EnsembleTests.data, comm: try Communicator.selfOnly()).table
        try EventWriter.write(whole.slice(1500..<2500), to: overlapping, attributes: [], comm: try Communicator.selfOnly())
        let refusedReport = CLI.path("rw2-refused.json")
        let refused = try CLI.run(["evaluate", "--real", overlapping, "--generated", CLI.path("rw2"), "--out", refusedReport], ranks: 2)
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssertEqual(refused.errorLines,
                       ["error: 500 of the 1000 real rows of '\(overlapping)' are among the 2000 rows of '\(EnsembleTests.data)' that the "
                       + "weights of '\(CLI.path("rw2"))/events.h5' were trained on (generate --reweight), so its weighted figures "
                       + "would be measured on the classifier's own training events; evaluate against events it never saw (e.g. "
                       + "simulated with another seed), or regenerate with --reweight on events disjoint from these"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: refusedReport))
        // When REAL has changed since (here: the checksum the manifest records), the check cannot be made: evaluate says so.
        let manifestPath = CLI.path("rw2") + "/manifest.json"
        let manifestText = try String(contentsOfFile: manifestPath, encoding: .utf8)
        let sha = try XCTUnwrap(reweight["sha256"] as? String)
        try manifestText.replacingOccurrences(of: "\"\(sha)\"", with: "\"\(String(repeating: "0", count: 64))\"")
            .write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let unchecked = try CLI.run(["evaluate", "--real", overlapping, "--generated", CLI.path("rw2"), "--classifier-rows", "0",
                                     "--out", CLI.path("rw2-unchecked.json")], ranks: 2)
        try manifestText.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(unchecked.status, 0, unchecked.stderr)
        XCTAssertTrue(unchecked.stdout.contains("note: cannot check that the real rows are not those the weights' classifier trained on: '"
                                                + EnsembleTests.data + "' (manifest.json's reweight.real) is missing or has changed "
                                                + "since generate\n"), unchecked.stdout)

        // Evaluated against events of another seed, which the classifier never saw.
        let report = CLI.path("rw2-eval.json")
        let e = try CLI.run(["evaluate", "--real", HeldOutTests.data, "--generated", CLI.path("rw2"), "--classifier-rows", "3000",
                             "--out", report], ranks: 2)
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains("weighted (column 'weight'):"), e.stdout)
        let json = try JSONValue.parse(try String(contentsOfFile: report, encoding: .utf8))
        let weighted = try XCTUnwrap(json["weighted"])
        let ess = try XCTUnwrap(weighted["ess_fraction"]?.double)
        let expected = w.reduce(0, +) * w.reduce(0, +) / w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
        XCTAssertEqual(ess, expected, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(weighted["ks"]?.members).map(\.key),
                       EnsembleTests.columns.split(separator: ",").map(String.init) + FidelityTests.derived)
        let auc = try XCTUnwrap(weighted["classifier_auc"]?.double)
        XCTAssertTrue(auc > 0.3 && auc < 1, "weighted AUC \(auc)")
        XCTAssertNotNil(weighted["classifier_auc_std"]?.double)
    }

    /// --reweight-holdout, --reweight-patience and --reweight-hidden reach the classifier: the
    /// settings in the model hash, early stopping reported with held-out rows and not without.
    func testReweightTrainingOptions() throws {
        let base = ["--reweight", EnsembleTests.data, "--reweight-rows", "500"]
        let held = try GenerateFixtures.generate("rw-train", model: GenerateFixtures.full, events: 1000,
                                                 base + ["--reweight-holdout", "0.3", "--reweight-patience", "1", "--reweight-hidden", "16"])
        XCTAssertEqual(held.status, 0, held.stderr)
        XCTAssertTrue(held.stdout.contains(" generated ones (21 quantities); epoch "), held.stdout)
        XCTAssertTrue(try XCTUnwrap(GenerateFixtures.manifest("rw-train")["model"] as? String).hasSuffix(":500:e30b256h16v0.3p1c1w20.0s0.0xenergies"))
        let none = try GenerateFixtures.generate("rw-train0", model: GenerateFixtures.full, events: 1000,
                                                 base + ["--reweight-holdout", "0", "--reweight-hidden", "8, 8,8"])
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertTrue(none.stdout.contains(" generated ones (21 quantities); weights exp(logit) clipped to [1/20, 20], "), none.stdout)
        XCTAssertTrue(try XCTUnwrap(GenerateFixtures.manifest("rw-train0")["model"] as? String).hasSuffix(":500:e30b256h8x8x8v0.0p3c1w20.0s0.0xenergies"))
        let w = try GenerateFixtures.read(CLI.path("rw-train0") + "/events.h5")
        XCTAssertEqual(w.columns.last, "weight")
    }

    /// The default exclusion (the muon energies) named explicitly is the same reweighting, so the
    /// model hash is the same and a rerun keeps the shards; leaving out something else is another model.
    func testTheDefaultExclusionNamedExplicitlyKeepsTheOutput() throws {
        let base = ["--reweight", EnsembleTests.data, "--reweight-rows", "500"]
        func run(_ options: [String]) throws -> CLI.Outcome {
            try GenerateFixtures.generate("rw-exclude", model: GenerateFixtures.full, events: 1000, base + options)
        }
        let first = try run([])
        XCTAssertEqual(first.status, 0, first.stderr)
        let hash = try XCTUnwrap(GenerateFixtures.manifest("rw-exclude")["model"] as? String)
        let named = try run(["--reweight-exclude", "mu2_E,mu1_E"])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertTrue(named.stdout.contains("into 0 of 1 shard(s), kept 1 intact"), named.stdout)
        XCTAssertEqual(try GenerateFixtures.manifest("rw-exclude")["model"] as? String, hash)
        let other = try run(["--reweight-exclude", "mu1_E"])
        XCTAssertEqual(other.status, 73, other.stderr)
        XCTAssertTrue(other.stderr.hasPrefix("error: '\(CLI.path("rw-exclude"))' already holds events generated with a different model"),
                      other.stderr)
    }

    /// The reweighting options' refusals: one line, exit 64, no output directory.
    func testReweightOptionRefusals() throws {
        let model = GenerateFixtures.full
        let cases: [([String], String)] = [
            (["--reweight-clip", "1"], "--reweight-clip must be a number above 1 (weights are clipped to [1/C, C]), found 1.0"),
            (["--reweight-min-ess", "1"], "--reweight-min-ess must be a fraction in [0, 1) (0: no target), found 1.0"),
            (["--reweight-holdout", "1"], "--reweight-holdout must be a fraction in [0, 1) (0: no held-out rows), found 1.0"),
            (["--reweight-patience", "0"], "--reweight-patience must be a positive number of epochs, found 0"),
            (["--reweight-holdout", "0", "--reweight-patience", "2"], "--reweight-patience needs held-out rows, but "
                + "--reweight-holdout 0 trains every epoch on every row; drop one of them"),
            (["--reweight-hidden", "64,0"], "--reweight-hidden must list positive layer widths, comma-separated (e.g. 64,64), found '64,0'"),
            (["--reweight-hidden", "64,,64"], "--reweight-hidden must list positive layer widths, comma-separated (e.g. 64,64), found '64,,64'"),
            (["--reweight-exclude", "mu1_E,nope"], "--reweight-exclude: nope is not among the reweighting classifier's quantities ("
                + (FidelityTests.features + FidelityTests.derived).joined(separator: ", ") + "); name some of those"),
        ]
        for (i, (options, message)) in cases.enumerated() {
            // Those the command line checks on one rank; the others (refused by the classifier) on two.
            let ranks = options[0] == "--reweight-clip" || options[0] == "--reweight-exclude" ? 2 : 0
            let r = try GenerateFixtures.generate("rw-bad\(i)", model: model, events: 1000, ranks: ranks,
                                                  ["--reweight", EnsembleTests.data, "--reweight-rows", "500"] + options)
            XCTAssertEqual(r.status, 64, r.stderr)
            XCTAssertEqual(r.errorLines, ["error: " + message])
            XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("rw-bad\(i)")), "no output for \(options)")
        }
    }
}
