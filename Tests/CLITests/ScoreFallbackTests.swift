import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `latentsim ensemble` on tables the default score mll,phi_miss,mu1_iso does not fit: it scores
/// what the columns give and says so in one line; an explicit score they cannot give is refused.
final class ScoreFallbackTests: XCTestCase {
    static var job: String = {
        CLI.fixture(text: """
        [ensemble]
        space = "full"
        regression = []
        generator_widths = [16, 16]
        discriminator_widths = [16, 8]
        batch = 64
        steps = 20
        snapshot_every = 10
        validation_events = 300
        optimizer = "adam"
        lr = 1e-3
        top_k = 1
        restarts = 1
        """, to: CLI.path("score-job.toml"))
    }()

    /// The first 3000 rows of the simulated table with only `columns`, as CSV.
    static func table(_ name: String, columns: [String]) -> String {
        do {
            let t = try EventReader.read(path: EnsembleTests.data, comm: try Communicator.selfOnly()).table
            let indices = try columns.map { c in try XCTUnwrap(t.columns.firstIndex(of: c), "simulated table lacks \(c)") }
            var text = columns.joined(separator: ",") + "\n"
            for r in 0..<min(3000, t.rows) { text += indices.map { "\(t.values[r * t.width + $0])" }.joined(separator: ",") + "\n" }
            return CLI.fixture(text: text, to: CLI.path(name))
        } catch {
            fatalError("cannot write the fixture table \(name): \(error)")
        }
    }
    static var noIsolation: String = {
        table("score-noiso.csv", columns: EnsembleTests.columns.split(separator: ",").map(String.init).filter { !$0.hasSuffix("_iso") })
    }()
    static var jetsOnly: String = { table("score-jets.csv", columns: ["nvtx", "jet1_pt", "jet2_pt", "jet3_pt"]) }()

    func ensemble(_ out: String, data: String, config: String = ScoreFallbackTests.job, _ extra: [String] = []) throws -> CLI.Outcome {
        try CLI.run(["ensemble", "--config", config, "--data", data, "--out", CLI.path(out)] + extra, ranks: 2)
    }

    func records(_ out: String) throws -> [JSONValue] {
        let text = try String(contentsOfFile: CLI.path(out) + "/restarts/000/snapshots.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    func notes(_ r: CLI.Outcome) -> [String] { r.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("note:") } }

    func testATableWithoutIsolationScoresTheRestOfTheDefault() throws {
        let r = try ensemble("score-noiso", data: ScoreFallbackTests.noIsolation)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(notes(r), ["note: the default score mll,phi_miss,mu1_iso needs mu1_iso, which the training columns lack; "
                                  + "scoring on mll,phi_miss"], "once, on rank 0")
        let written = try records("score-noiso")
        XCTAssertEqual(written.count, 2)
        for record in written {
            XCTAssertEqual(record["ks"]?.members?.map(\.key), ["mll", "phi_miss"])
            // The other derived quantities are recorded for `select --score`, outside the sum.
            XCTAssertEqual(record["ks_derived"]?.members?.map(\.key), ["ptll", "met", "dphi_ll", "njets"])
            let ks = try XCTUnwrap(record["ks"]?.members).compactMap(\.value.double)
            XCTAssertEqual(try XCTUnwrap(record["ks_sum"]?.double), ks.reduce(0, +), accuracy: 1e-5)
        }
        let selected = try CLI.run(["select", CLI.path("score-noiso")])
        XCTAssertEqual(selected.status, 0, selected.stderr)
        XCTAssertTrue(selected.stdout.contains("ranked by ks-sum over mll, phi_miss:"), selected.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: CLI.path("score-noiso") + "/best/generator.h5"))
        let all = try CLI.run(["select", CLI.path("score-noiso"), "--score", "all"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stdout.contains("ranked by ks-sum over mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_pz, nvtx, "
                                          + "met_px, met_py, jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt, mll, ptll, met, phi_miss, "
                                          + "dphi_ll, njets:"), all.stdout)
    }

    func testATableWithoutMuonsScoresTheKSSumOverEveryColumn() throws {
        let r = try ensemble("score-jets", data: ScoreFallbackTests.jetsOnly)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(notes(r), ["note: the default score mll,phi_miss,mu1_iso needs mll,phi_miss,mu1_iso, which the training "
                                  + "columns lack, and no derived quantity can be computed from them; scoring on the KS sum over "
                                  + "every column: nvtx,jet1_pt,jet2_pt,jet3_pt"])
        let written = try records("score-jets")
        XCTAssertEqual(written.count, 2)
        for record in written {
            let ks = try XCTUnwrap(record["ks"]?.members)
            XCTAssertEqual(ks.map(\.key), ["nvtx", "jet1_pt", "jet2_pt", "jet3_pt"])
            XCTAssertEqual(record["ks"], record["ks_columns"], "the score is the per-column KS")
            XCTAssertEqual(record["ks_derived"]?.members?.count, 0, "no derived quantity is computable")
            XCTAssertEqual(record["diverged"]?.bool, false)
        }
        let board = try String(contentsOfFile: CLI.path("score-jets") + "/leaderboard.csv", encoding: .utf8)
        XCTAssertTrue(board.hasPrefix("rank,restart,step,nvtx,jet1_pt,jet2_pt,jet3_pt,"), board)
    }

    func testAnExplicitScoreTheTableCannotGiveIsRefused() throws {
        let available = "available: mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_pz, nvtx, met_px, met_py, jet1_pt, "
            + "jet2_pt, jet3_pt, jet4_pt, jet5_pt, mu2_py, mll, ptll, met, phi_miss, dphi_ll, njets; choose the score among "
            + "those (--score, or score in the job file)"
        let data = ScoreFallbackTests.noIsolation
        let r = try ensemble("score-explicit", data: data, ["--score", "mll,mu1_iso"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: cannot score on mll,mu1_iso with the training columns of '\(data)': 'mu1_iso' is "
                                      + "neither a column nor a derived quantity; " + available])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("score-explicit")), "no run directory")
        // The default list written out in the job file is explicit too.
        let job = CLI.fixture(text: try String(contentsOfFile: ScoreFallbackTests.job, encoding: .utf8)
                              + "\nscore = [\"mll\", \"phi_miss\", \"mu1_iso\"]\n", to: CLI.path("score-explicit.toml"))
        let f = try ensemble("score-file", data: data, config: job)
        XCTAssertEqual(f.status, 64, f.stderr)
        XCTAssertEqual(f.errorLines, ["error: cannot score on mll,phi_miss,mu1_iso with the training columns of '\(data)': "
                                      + "'mu1_iso' is neither a column nor a derived quantity; " + available])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("score-file")), "no run directory")
    }
}
