import EventStore
import Foundation
import XCTest
@testable import Support

/// `latentsim ensemble` and `train-gan` on a small table with small networks, as the built binary
/// under mpirun: group split, dynamic hand-out, results independent of the hand-out, selection,
/// resume, pruning, divergence, and bad input.
final class EnsembleTests: XCTestCase {
    static let columns = "mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_py,mu2_pz,nvtx,met_px,met_py,mu1_iso,mu2_iso,"
        + "jet1_pt,jet2_pt,jet3_pt,jet4_pt,jet5_pt"
    static var data: String = {
        let path = CLI.path("ens-dy.h5")
        CLI.fixture(["simulate", "--events", "6000", "--seed", "7", "--out", path])
        return path
    }()
    static var reducer: String = {
        let out = CLI.path("ens-ae")
        CLI.fixture(["reduce", "--data", data, "--columns", columns, "--latent", "6", "--widths", "24,12",
                          "--batch", "128", "--steps", "60", "--out", out], ranks: 2)
        return out
    }()
    /// Small networks and few steps: the paper's defaults are exercised by the benchmark and the job files.
    static var job: String = {
        CLI.fixture(text: "[ensemble]\ngenerator_widths = [24, 24]\ndiscriminator_widths = [24, 12]\n" + training,
                    to: CLI.path("ens-job.toml"))
    }()
    /// The same for the VAE, without the GAN's network widths (which it does not read, so refuses).
    static var vaeJob: String = {
        CLI.fixture(text: "[ensemble]\nmodel = \"vae\"\n" + training, to: CLI.path("ens-vae-job.toml"))
    }()
    static let training = """
        batch = 64
        steps = 40
        snapshot_every = 10
        validation_events = 600
        optimizer = "adam"
        lr = 1e-3
        top_k = 2

        """

    func ensemble(_ out: String, ranks: Int, job: String = EnsembleTests.job, _ extra: [String]) throws -> CLI.Outcome {
        try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
                     "--out", CLI.path(out)] + extra, ranks: ranks)
    }

    func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// snapshots.jsonl of a restart without the wall-clock field (the loss means after it stay compared).
    func records(_ out: String, _ restart: Int) throws -> [String] {
        let text = try String(contentsOfFile: CLI.path(out) + String(format: "/restarts/%03d/snapshots.jsonl", restart), encoding: .utf8)
        return text.split(separator: "\n").map { $0.replacingOccurrences(of: #", "seconds": [^,}]*"#, with: "", options: .regularExpression) }
    }

    func testTwoGroupsTrainEveryRestartOnceAndSelectTheLeaderboardMinimum() throws {
        let r = try ensemble("e2", ranks: 2, ["--restarts", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let run = CLI.path("e2")
        var groups = Set<Int>()
        for i in 0..<3 {
            XCTAssertEqual(try records("e2", i).count, 4, "restart \(i): one record per snapshot")
            let result = try XCTUnwrap(try json(run + String(format: "/restarts/%03d/result.json", i)) as? [String: Any])
            XCTAssertEqual(result["finished"] as? Bool, true)
            groups.insert(try XCTUnwrap(result["group"] as? Int))
            let kept = try FileManager.default.contentsOfDirectory(atPath: run + String(format: "/restarts/%03d", i))
                .filter { $0.hasPrefix("snapshot-") }
            XCTAssertEqual(kept.count, 2, "top_k = 2 snapshots kept")
        }
        XCTAssertEqual(groups, [0, 1], "both groups took restarts from the counter")
        let board = try XCTUnwrap(try json(run + "/leaderboard.json") as? [[String: Any]])
        XCTAssertEqual(board.count, 12)
        let selection = try XCTUnwrap(try json(run + "/best/selection.json") as? [String: Any])
        let minimum = board.filter { ($0["diverged"] as? Bool) == false }.min {
            ($0["ks_sum"] as? Double ?? .infinity) < ($1["ks_sum"] as? Double ?? .infinity)
        }
        XCTAssertEqual(selection["restart"] as? Int, minimum?["restart"] as? Int)
        XCTAssertEqual(selection["step"] as? Int, minimum?["step"] as? Int)
        for file in ["generator.h5", "reducer.h5", "config.toml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/best/" + file), file)
        }
        XCTAssertEqual(try Checkpoint.read(from: run + "/best/generator.h5").string("format"), "latentsim-generator-1")
    }

    func testARestartDependsOnlyOnItsSeedConfigAndGroupSize() throws {
        XCTAssertEqual(try ensemble("hand-np1", ranks: 1, ["--restarts", "3"]).status, 0)
        XCTAssertEqual(try ensemble("hand-np4", ranks: 4, ["--restarts", "3"]).status, 0)
        for i in 0..<3 { XCTAssertEqual(try records("hand-np1", i), try records("hand-np4", i), "restart \(i), r = 1") }
        let a = try ensemble("r2-np2", ranks: 2, ["--restarts", "2", "--ranks-per-restart", "2"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let b = try ensemble("r2-np4", ranks: 4, ["--restarts", "2", "--ranks-per-restart", "2"])
        XCTAssertEqual(b.status, 0, b.stderr)
        for i in 0..<2 { XCTAssertEqual(try records("r2-np2", i), try records("r2-np4", i), "restart \(i), r = 2") }
        // Different seeds train differently.
        XCTAssertNotEqual(try records("hand-np1", 0), try records("hand-np1", 1))
    }

    func testSameSeedGivesTheSameLeaderboard() throws {
        for name in ["same-a", "same-b"] { XCTAssertEqual(try ensemble(name, ranks: 2, ["--restarts", "2"]).status, 0) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: CLI.path("same-a") + "/leaderboard.json")),
                       try Data(contentsOf: URL(fileURLWithPath: CLI.path("same-b") + "/leaderboard.json")))
    }

    func testRerunSkipsFinishedRestartsAndResumesAnInterruptedOne() throws {
        XCTAssertEqual(try ensemble("resume-ref", ranks: 2, ["--restarts", "3"]).status, 0)
        XCTAssertEqual(try ensemble("resume", ranks: 2, ["--restarts", "3"]).status, 0)
        // Interrupt restart 2 as a kill would: back to its state at step 20, no result.
        let run = CLI.path("resume"), two = run + "/restarts/002"
        try FileManager.default.removeItem(atPath: two + "/result.json")
        let full = try String(contentsOfFile: two + "/snapshots.jsonl", encoding: .utf8)
        try full.split(separator: "\n").prefix(2).map { $0 + "\n" }.joined().write(toFile: two + "/snapshots.jsonl", atomically: true, encoding: .utf8)
        let part = try CLI.run(["train-gan", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer",
                                EnsembleTests.reducer, "--restart", "2", "--steps", "20", "--out", CLI.path("resume-20")])
        XCTAssertEqual(part.status, 0, part.stderr)
        try FileManager.default.removeItem(atPath: two + "/state.h5")
        try FileManager.default.copyItem(atPath: CLI.path("resume-20") + "/restarts/002/state.h5", toPath: two + "/state.h5")
        let zero = try String(contentsOfFile: run + "/restarts/000/snapshots.jsonl", encoding: .utf8)
        // One rank, so that the rank that logs is the one that resumes (r = 1 either way).
        let again = try ensemble("resume", ranks: 1, ["--restarts", "3"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOfFile: run + "/restarts/000/snapshots.jsonl", encoding: .utf8), zero, "finished restart untouched")
        XCTAssertTrue(again.stdout.contains("resuming restart 2 from step 20"), again.stdout)
        XCTAssertFalse(again.stdout.split(separator: "\n").contains { $0.hasPrefix("restart 0 step") }, "restart 0 was not trained again")
        for i in 0..<3 { XCTAssertEqual(try records("resume", i), try records("resume-ref", i), "restart \(i)") }
    }

    func testSuccessiveHalvingPrunesTheWorseHalfAndSaysSo() throws {
        let r = try ensemble("prune", ranks: 2, ["--restarts", "4", "--prune", "successive-halving"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let board = try XCTUnwrap(try json(CLI.path("prune") + "/leaderboard.json") as? [[String: Any]])
        let pruned = Set(board.filter { $0["pruned"] as? Bool == true }.compactMap { $0["restart"] as? Int })
        XCTAssertEqual(pruned.count, 3, "4 → 2 at 25 %, 2 → 1 at 50 %")
        XCTAssertTrue(r.stdout.contains("successive halving at step 10"), r.stdout)
        let survivor = try XCTUnwrap(Set(0..<4).subtracting(pruned).first)
        XCTAssertEqual(try records("prune", survivor).count, 4)
    }

    func testDivergingConfigurationIsNeverSelected() throws {
        let r = try ensemble("diverge", ranks: 2, ["--restarts", "2", "--optimizer", "sgd", "--lr", "1e12"])
        XCTAssertEqual(r.status, 70, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: no snapshot of '\(CLI.path("diverge"))' can be selected: every snapshot diverged; "
                                      + "lower the learning rate or change the model"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("diverge") + "/best"))
        let board = try XCTUnwrap(try json(CLI.path("diverge") + "/leaderboard.json") as? [[String: Any]])
        XCTAssertTrue(board.allSatisfy { $0["diverged"] as? Bool == true })
    }

    func testFullSpaceWGANAndVAERun() throws {
        for (name, extra) in [("full", ["--space", "full"]), ("wgan", ["--model", "wgan-gp"]), ("vae", ["--model", "vae"])] {
            let r = try ensemble("kind-" + name, ranks: 2, job: name == "vae" ? EnsembleTests.vaeJob : EnsembleTests.job,
                                 ["--restarts", "1", "--steps", "20"] + extra)
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: CLI.path("kind-" + name) + "/best/generator.h5"), name)
            // Every family and space stores the training range generate's support guard needs.
            let snapshot = try Checkpoint.read(from: CLI.path("kind-" + name) + "/best/generator.h5")
            let range = try JSONValue.decode(SupportRange.self, from: try snapshot.string("support_range"))
            XCTAssertEqual(snapshot.attributes["input_columns"], .strings(range.columns), name)
            XCTAssertTrue(zip(range.min, range.max).allSatisfy { $0 < $1 }, "\(name): \(range)")
        }
    }

    func testTrainGANIsOneRestartOnEveryRank() throws {
        let r = try CLI.run(["train-gan", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer",
                             EnsembleTests.reducer, "--restart", "2", "--out", CLI.path("single")], ranks: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        let selection = try XCTUnwrap(try json(CLI.path("single") + "/best/selection.json") as? [String: Any])
        XCTAssertEqual(selection["restart"] as? Int, 2)
        XCTAssertEqual(try ensemble("single-ref", ranks: 2, ["--restarts", "3", "--ranks-per-restart", "2"]).status, 0)
        XCTAssertEqual(try records("single", 2), try records("single-ref", 2), "train-gan --restart 2 is restart 2 of the ensemble")
        XCTAssertTrue(r.stdout.contains("ensemble: 1 restart(s)"), r.stdout)
    }

    func testBadInput() throws {
        func check(_ out: String, ranks: Int, _ extra: [String], status: Int32, _ message: String,
                   file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try ensemble(out, ranks: ranks, extra)
            XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
            XCTAssertEqual(r.errorLines, [message], file: file, line: line)
        }
        try check("bad-r", ranks: 3, ["--ranks-per-restart", "2"], status: 64,
                  "error: ranks-per-restart = 2 does not divide the 3 MPI ranks; use an r that divides 3 or auto, or run "
                  + "with a multiple of 2 ranks")
        try check("bad-m", ranks: 2, ["--restarts", "0"], status: 64, "error: restarts must be at least 1, found 0")
        try check("bad-q", ranks: 2, ["--score", "mll,mass"], status: 64, "error: cannot score on mll,mass with the training "
                  + "columns of '\(EnsembleTests.data)': 'mass' is neither a column nor a derived quantity; available: "
                  + "mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_pz, nvtx, met_px, met_py, mu1_iso, mu2_iso, jet1_pt, "
                  + "jet2_pt, jet3_pt, jet4_pt, jet5_pt, mu2_py, mll, ptll, met, phi_miss, dphi_ll, njets; choose the score "
                  + "among those (--score, or score in the job file)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("bad-q")), "a refused score creates no run directory")
        try check("bad-snap", ranks: 2, ["--snapshot-every", "50"], status: 64,
                  "error: snapshot-every (50) is longer than the run (40 steps): no snapshot would be scored; use "
                  + "--snapshot-every ≤ 40")
        let missing = CLI.path("no-such-reduce")
        try check("bad-red", ranks: 2, ["--reducer", missing], status: 66,
                  "error: reducer model '\(missing)' does not exist; give the run directory of `latentsim reduce` (it holds "
                  + "model.h5) or train one first")
        // A table without the isolation columns the reducer was built for.
        let narrow = CLI.path("ens-narrow.csv")
        let header = "mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_py,mu2_pz,nvtx,met_px,met_py"
        try (header + "\n" + (0..<50).map { _ in "50,10,20,30,40,-10,-20,-30,20,5,5" }.joined(separator: "\n") + "\n")
            .write(toFile: narrow, atomically: true, encoding: .utf8)
        try check("bad-cols", ranks: 2, ["--data", narrow], status: 65,
                  "error: reducer '\(EnsembleTests.reducer)/model.h5' was built for columns \(EnsembleTests.columns) but "
                  + "'\(narrow)' lacks mu1_iso, mu2_iso, jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt; use the table the "
                  + "reducer was trained on or retrain it")
    }
}
