import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `on_shell` (`--on-shell mu1,mu2`) as the built binary under mpirun: the reducer stores the muon
/// masses fitted on its training rows (bitwise the same on 1, 2 and 3 ranks), an ensemble on it
/// generates muons on that shell, identically on 1, 2 and 3 ranks, and misuse is refused in one
/// pinned line with exit 64 before anything is written.
final class OnShellTests: XCTestCase {
    func reduce(_ out: String, ranks: Int, _ extra: [String]) throws -> CLI.Outcome {
        try CLI.run(["reduce", "--data", ReduceTests.data, "--columns", RepresentationTests.columns, "--latent", "9",
                     "--widths", "24,16", "--batch", "64", "--steps", "10", "--seed", "3", "--out", CLI.path(out)] + extra,
                    ranks: ranks)
    }

    func read(_ path: String) throws -> EventTable {
        try EventReader.read(path: path, dataset: "events", nonFinite: .refuse, comm: Communicator.selfOnly()).table
    }

    func testMuonsComeOutOnTheFittedShellIdenticallyOnOneTwoAndThreeRanks() throws {
        var shells: [ShellProjection] = []
        for ranks in [0, 2, 3] {
            let r = try reduce("shell-ae-np\(ranks)", ranks: ranks, ["--pair-mass", "mu1,mu2", "--on-shell", "mu1,mu2"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let scaling = try Checkpoint.read(from: CLI.path("shell-ae-np\(ranks)") + "/model.h5").string("scaling")
            shells.append(try XCTUnwrap(try JSONDecoder().decode(Preprocessor.self, from: Data(scaling.utf8)).shell, scaling))
        }
        let masses = try XCTUnwrap(shells[0].masses)
        XCTAssertEqual(shells[0].components, ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "0", "mu2_pz"])
        XCTAssertEqual(shells[1].masses?.map(\.bitPattern), masses.map(\.bitPattern), "np 2 fits other masses than np 1")
        XCTAssertEqual(shells[2].masses?.map(\.bitPattern), masses.map(\.bitPattern), "np 3 fits other masses than np 1")
        let config = try String(contentsOfFile: CLI.path("shell-ae-np2") + "/config.toml", encoding: .utf8)
        XCTAssertTrue(config.contains("on_shell = [\"mu1\", \"mu2\"]\n"), config)
        // The masses are the simulation's muon mass (the median of E² − |p|² of its float32 rows).
        XCTAssertEqual(masses.count, 2)
        for m in masses { XCTAssertEqual(m, 0.105_658, accuracy: 1e-4) }

        let job = CLI.fixture(text: (try String(contentsOfFile: EnsembleTests.job, encoding: .utf8)) + "\nregression = []\n",
                              to: CLI.path("shell-job.toml"))
        let e = try CLI.run(["ensemble", "--config", job, "--data", ReduceTests.data, "--reducer", CLI.path("shell-ae-np2"),
                             "--restarts", "2", "--out", CLI.path("shell-gan")], ranks: 2)
        XCTAssertEqual(e.status, 0, e.stderr)
        var tables: [EventTable] = []
        for ranks in [0, 2, 3] {
            let g = try CLI.run(["generate", "--model", CLI.path("shell-gan") + "/best", "--events", "3000", "--shard-events", "1000",
                                 "--out", CLI.path("shell-gen-np\(ranks)")], ranks: ranks)
            XCTAssertEqual(g.status, 0, g.stderr)
            tables.append(try read(CLI.path("shell-gen-np\(ranks)") + "/events.h5"))
        }
        XCTAssertEqual(tables[1].values.map(\.bitPattern), tables[0].values.map(\.bitPattern), "np 2 differs from np 1")
        XCTAssertEqual(tables[2].values.map(\.bitPattern), tables[0].values.map(\.bitPattern), "np 3 differs from np 1")
        let t = tables[0]
        for (k, muon) in ["mu1", "mu2"].enumerated() {
            let c = try ["_E", "_px", "_py", "_pz"].map { try XCTUnwrap(t.columnIndex(muon + $0)) }
            for r in 0..<t.rows {
                let p2 = c[1...].reduce(0.0) { $0 + Double(t[r, $1]) * Double(t[r, $1]) }
                XCTAssertEqual(Double(t[r, c[0]]), (p2 + masses[k] * masses[k]).squareRoot(), accuracy: 2 * Double(t[r, c[0]].ulp),
                               "row \(r): \(muon) off its shell")
            }
        }
    }

    func testMisuseIsRefusedWithOneLine() throws {
        let cases: [([String], String)] = [
            (["--on-shell", "mu1,mu2"], "error: on_shell = mu1,mu2 keeps the pair mass of pair_mass, found pair_mass = []; "
             + "set pair_mass to the same two vectors or leave on_shell empty"),
            (["--pair-mass", "mu1,mu2", "--on-shell", "mu2,mu1"], "error: on_shell = mu2,mu1 keeps the pair mass of pair_mass, "
             + "found pair_mass = [mu1,mu2]; set pair_mass to the same two vectors or leave on_shell empty"),
            (["--pair-mass", "mu1,mu2", "--on-shell", "mu1"], "error: on_shell expects two vector names such as mu1,mu2, found 1: mu1; "
             + "name the two vectors of pair_mass or leave on_shell empty"),
        ]
        for (i, (extra, line)) in cases.enumerated() {
            let r = try reduce("shell-bad-\(i)", ranks: 0, extra)
            XCTAssertEqual(r.status, 64, r.stderr)
            XCTAssertEqual(r.errorLines, [line])
            XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("shell-bad-\(i)")), "case \(i) wrote output")
        }
        // A latent-space ensemble uses its reducer's preprocessing: on_shell belongs in the reduce job.
        let job = CLI.fixture(text: "[ensemble]\nregression = []\non_shell = [\"mu1\", \"mu2\"]\n", to: CLI.path("shell-bad.toml"))
        let r = try CLI.run(["ensemble", "--config", job, "--data", ReduceTests.data, "--reducer", CLI.path("none"),
                             "--out", CLI.path("shell-bad-gan")], ranks: 0)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: on_shell applies to space = full; in latent space the reducer's preprocessing is used, "
                                      + "so set on_shell in the reduce job (or choose space = full)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("shell-bad-gan")), "the refused ensemble wrote output")
    }
}
