import Comm
import EventStore
import Foundation
import XCTest
@testable import Support
@testable import Training
@testable import Generation
@testable import Evaluation

/// The reducer's representation options (pair_mass, log1p, zero_spike, derived_loss) and the GAN options that
/// go with them: a pair_mass reducer through ensemble and generate end to end, and every misuse
/// refused with one pinned line.
final class RepresentationTests: XCTestCase {
    static let columns = "mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_pz,nvtx,met_px,met_py,mu1_iso,mu2_iso,jet1_pt,jet2_pt"

    func reduce(_ out: String, ranks: Int = 2, _ extra: [String]) throws -> CLI.Outcome {
        try CLI.run(["reduce", "--data", ReduceTests.data, "--columns", RepresentationTests.columns, "--latent", "9",
                     "--widths", "24,16", "--batch", "64", "--steps", "40", "--seed", "3", "--out", CLI.path(out)] + extra,
                    ranks: ranks)
    }

    func testPairMassReducerFeedsAnEnsembleWithRegressionAndMMDAndGenerate() throws {
        let r = try reduce("pm-ae", ["--pair-mass", "mu1,mu2", "--log1p", "jet2_pt", "--zero-spike", "jet1_pt,mu1_iso,mu2_iso"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let scaling = try Checkpoint.read(from: CLI.path("pm-ae") + "/model.h5").string("scaling")
        XCTAssertTrue(scaling.contains("{\"columns\":[\"mu1_E\",\"mu1_px\",\"mu1_py\",\"mu1_pz\",\"mu2_E\",\"mu2_px\",\"0\",\"mu2_pz\"],"
                                       + "\"kind\":\"pairMass\"}"), scaling)
        XCTAssertTrue(scaling.contains("\"kind\":\"log1p\""), scaling)
        XCTAssertTrue(scaling.contains("{\"columns\":[\"jet1_pt\",\"mu1_iso\",\"mu2_iso\"],\"kind\":\"zeroSpike\""), scaling)
        // The default regression terms (mll) and the MMD term run through the pair mass's inverse.
        let job = CLI.path("pm-job.toml")
        try (try String(contentsOfFile: EnsembleTests.job, encoding: .utf8) + "\nmmd = [\"ptll\", \"met\"]\nmmd_weight = 0.5\n")
            .write(toFile: job, atomically: true, encoding: .utf8)
        let e = try CLI.run(["ensemble", "--config", job, "--data", ReduceTests.data, "--reducer", CLI.path("pm-ae"),
                             "--restarts", "2", "--out", CLI.path("pm-gan")], ranks: 2)
        XCTAssertEqual(e.status, 0, e.stderr)
        let records = try String(contentsOfFile: CLI.path("pm-gan") + "/restarts/000/snapshots.jsonl", encoding: .utf8)
        let losses = try records.split(separator: "\n").map { line in
            try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["losses"] as? [String: Double])
        }
        XCTAssertTrue(losses.allSatisfy { ($0["regression"] ?? 0) > 0 && ($0["mmd"] ?? 0) > 0 }, records)
        let g = try CLI.run(["generate", "--model", CLI.path("pm-gan") + "/best", "--events", "3000", "--out", CLI.path("pm-gen")],
                            ranks: 2)
        XCTAssertEqual(g.status, 0, g.stderr)
        let table = try EventReader.read(path: CLI.path("pm-gen") + "/events.h5", dataset: "events", nonFinite: .refuse,
                                         comm: Communicator.selfOnly()).table
        XCTAssertEqual(table.rows, 3000)
        // The energy comes back through the pair mass's inverse: E₁ ≥ 0 wherever m and the momenta are finite.
        let e1 = try XCTUnwrap(table.columnIndex("mu1_E"))
        XCTAssertTrue((0..<table.rows).allSatisfy { table[$0, e1].isFinite && table[$0, e1] > -1e-3 }, "mu1_E from the inverse")
        // Generated jets respect the data's reconstruction threshold: 0, or at least the smallest
        // non-zero training value (the zero spike's gap is never filled).
        let real = try EventReader.read(path: ReduceTests.data, dataset: "events", nonFinite: .refuse,
                                        comm: Communicator.selfOnly()).table
        let (rj, gj) = (try XCTUnwrap(real.columnIndex("jet1_pt")), try XCTUnwrap(table.columnIndex("jet1_pt")))
        let threshold = try XCTUnwrap((0..<real.rows).map { real[$0, rj] }.filter { $0 > 0 }.min())
        let jets = (0..<table.rows).map { table[$0, gj] }
        XCTAssertEqual(jets.filter { $0 > 0 && $0 < threshold }.count, 0, "generated jet1_pt inside (0, \(threshold))")
        XCTAssertGreaterThan(jets.filter { $0 == 0 }.count, 0, "the zero spike is generated")
    }

    /// quantile_spread splits the quantile columns into a midpoint step and a spread step (in
    /// `quantile` order); with spread ties everywhere it changes nothing.
    func testQuantileSpreadColumnsGetTheirOwnStep() throws {
        func quantileSteps(_ ties: QuantileTransform.Ties, spread: [String]) throws -> [[String]: QuantileTransform.Ties?] {
            let r = Representation(quantile: ["mu1_iso", "jet1_pt", "jet2_pt", "jet3_pt"], quantileTies: ties, quantileSpread: spread)
            let steps = try r.steps(features: ["mu1_iso", "jet1_pt", "jet2_pt", "jet3_pt"], integers: [], dropped: nil)
            return Dictionary(uniqueKeysWithValues: steps.filter { $0.kind == .quantile }.map { ($0.columns ?? [], $0.ties) })
        }
        XCTAssertEqual(try quantileSteps(.midpoint, spread: ["jet3_pt", "jet1_pt"]),
                       [["mu1_iso", "jet2_pt"]: .midpoint, ["jet1_pt", "jet3_pt"]: nil])
        XCTAssertEqual(try quantileSteps(.midpoint, spread: []), [["mu1_iso", "jet1_pt", "jet2_pt", "jet3_pt"]: .midpoint])
        XCTAssertEqual(try quantileSteps(.spread, spread: ["jet1_pt"]), [["mu1_iso", "jet1_pt", "jet2_pt", "jet3_pt"]: nil])
    }

    func testDerivedLossTrainsOnTwoRanks() throws {
        let r = try reduce("dl-ae", ["--derived-loss", "mll,ptll", "--derived-weight", "0.01"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: CLI.path("dl-ae") + "/reconstruction.json"))
        let stored = try String(contentsOfFile: CLI.path("dl-ae") + "/config.toml", encoding: .utf8)
        XCTAssertTrue(stored.contains("derived_loss = [\"mll\", \"ptll\"]\n"), stored)
    }

    func testMisuseIsRefusedWithOneLine() throws {
        func check(_ out: String, _ extra: [String], status: Int32, _ message: String,
                   file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try reduce(out, extra)
            XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
            XCTAssertEqual(r.errorLines, [message], file: file, line: line)
        }
        try check("bad-pm1", ["--pair-mass", "mu1"], status: 64, "error: pair_mass expects two vector names such as mu1,mu2, found 1: mu1")
        try check("bad-pm2", ["--pair-mass", "mu1,mu3"], status: 64,
                  "error: pair_mass = mu1,mu3 needs the columns mu1_E,mu1_px,mu1_py,mu1_pz,mu3_E,mu3_px,mu3_py,mu3_pz among the "
                  + "features, found none for mu3_E,mu3_px,mu3_py,mu3_pz; add them to columns or drop pair_mass")
        try check("bad-log", ["--log1p", "mu1_px"], status: 65, "error: log1p expects non-negative values but "
                  + "'\(ReduceTests.data)' has mu1_px = -39.609142 in training row 0; remove mu1_px from log1p")
        try check("bad-zs", ["--zero-spike", "met_px"], status: 65, "error: zero_spike expects non-negative values but "
                  + "'\(ReduceTests.data)' has met_px = -4.6728516 in training row 2; remove met_px from zero_spike")
        try check("bad-zl", ["--zero-spike", "jet1_pt", "--log1p", "jet2_pt,jet1_pt"], status: 64,
                  "error: 'jet1_pt' is listed in both log1p and zero_spike, expected at most one of them; remove it from one list")
        try check("bad-qt", ["--quantile", "jet1_pt", "--quantile-ties", "middle"], status: 64,
                  "error: unknown quantile_ties 'middle'; expected one of: spread, midpoint")
        try check("bad-qs", ["--quantile", "jet1_pt", "--quantile-ties", "midpoint", "--quantile-spread", "jet2_pt"], status: 64,
                  "error: quantile_spread column 'jet2_pt' is not among the quantile columns jet1_pt; add it to quantile or "
                  + "remove it from quantile_spread")
        try check("bad-dq", ["--derived-loss", "njets"], status: 64,
                  "error: derived_loss quantity 'njets': expected one of mll, ptll, met, phi_miss, dphi_ll; fix the name")
        try check("bad-dt", ["--derived-loss", "mll", "--threads", "2"], status: 64,
                  "error: derived_loss runs on the serial step, found threads = 2; use threads = 1 (or more MPI ranks)")
        // Full-space ordered with the regression terms is no longer refused: ordered keeps a derivative
        // (PreprocessingOrderedDerivativeTests).
        let latent = CLI.path("q-latent.toml")
        try "[ensemble]\nspace = \"latent\"\nquantile = [\"jet1_pt\"]\n".write(toFile: latent, atomically: true, encoding: .utf8)
        let l = try CLI.run(["ensemble", "--config", latent, "--data", ReduceTests.data, "--reducer", CLI.path("no-reducer"),
                             "--out", CLI.path("q-latent")], ranks: 2)
        XCTAssertEqual(l.status, 64, l.stderr)
        XCTAssertEqual(l.errorLines, ["error: quantile applies to space = full; in latent space the reducer's preprocessing is "
                                      + "used, so set quantile in the reduce job (or choose space = full)"])
    }
}
