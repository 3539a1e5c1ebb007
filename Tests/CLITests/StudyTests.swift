import Foundation
import XCTest
@testable import Support
@testable import Workflows
import Training

/// `latentsim study augment` end to end on tiny grids (rank counts, stop and rerun, your own tables,
/// latent-space generators) and the amplification interpolation on known curves. The points' keys:
/// StudyTests+Key.swift; `study latent`: StudyTests+Latent.swift; the shipped jobs and the bad-input
/// lines: StudyTests+Jobs.swift.
final class StudyTests: XCTestCase {
    /// 2 N × 2 seeds, M/N 0 and 2, one 60-step GAN per point on 13 columns (no jet4/5_pt: a 300-event
    /// sample often has no non-zero value), 150-step classifiers on 600 signal rows, 500 + 500 test rows.
    /// holdout 0.2: snapshots are scored against at least 50 held-out rows (60 of 300).
    static func tinyJob(_ out: String) -> String {
        studyTable(out) + "\n" + ensembleTable("""
        space = "full"
        holdout = 0.2
        columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz", "nvtx", "met_px", "met_py",
                   "mu1_iso", "jet1_pt"]
        pair_mass = ["mu1", "mu2"]
        """)
    }

    /// The tiny grid's [study] table, writing to `out`.
    static func studyTable(_ out: String) -> String {
        """
        [study]
        out = "\(out)"
        n_real = [300, 600]
        ratios = [0, 2]
        seeds = 2
        signal_events = 600
        test_events = 500
        classifier_steps = 150

        """
    }

    /// The tiny grid's [ensemble] table: one 60-step GAN of small networks per point, plus `lines`
    /// (space, columns, score, ...).
    static func ensembleTable(_ lines: String) -> String {
        """
        [ensemble]
        \(lines)
        restarts = 1
        steps = 60
        snapshot_every = 20
        validation_events = 300
        batch = 128
        noise = 8
        generator_widths = [32, 32]
        discriminator_widths = [32, 32]
        regression = []
        top_k = 1
        """
    }

    /// The tiny grid's augment.json from 2 ranks (study-np2), shared by the rank-count and the stop tests.
    static let twoRanks: String = {
        let out = CLI.path("study-np2")
        CLI.fixture(["study", "augment", "--config", CLI.fixture(text: tinyJob(out), to: out + ".toml")], ranks: 2, timeout: 300)
        guard let text = try? String(contentsOfFile: out + "/augment.json", encoding: .utf8) else {
            fatalError("fixture: the tiny study on 2 ranks wrote no \(out)/augment.json")
        }
        return text
    }()

    func testTinyAugmentGridIsTheSameOnOneTwoAndThreeRanks() throws {
        var files: [String] = []
        for ranks in [0, 2, 3] {
            guard ranks != 2 else { files.append(StudyTests.twoRanks); continue }
            let out = CLI.path("study-np\(ranks)")
            let job = CLI.fixture(text: StudyTests.tinyJob(out), to: CLI.path("study-np\(ranks).toml"))
            let r = try CLI.run(["study", "augment", "--config", job], ranks: ranks, timeout: 300)
            XCTAssertEqual(r.status, 0, r.stderr)
            files.append(try String(contentsOfFile: out + "/augment.json", encoding: .utf8))
        }
        XCTAssertEqual(files[0], files[1], "augment.json must not depend on the rank count (1 vs 2)")
        XCTAssertEqual(files[0], files[2], "augment.json must not depend on the rank count (1 vs 3)")
        let json = try JSONValue.parse(files[0])
        XCTAssertEqual(json["n_real"]?.items?.compactMap { $0.int }, [300, 600])
        XCTAssertEqual(json["ratios"]?.items?.compactMap { $0.int }, [0, 2])
        XCTAssertEqual(json["test_rows"]?.int, 1000)
        let real = try XCTUnwrap(json["auc"]?["real"]?.items)
        XCTAssertEqual(real.count, 2)
        for pair in real {
            let mean = try XCTUnwrap(pair.items?[0].double), std = try XCTUnwrap(pair.items?[1].double)
            // zh-inv recoils against real missing pT: even 300 background events separate it well.
            XCTAssertGreaterThan(mean, 0.75)
            XCTAssertLessThanOrEqual(mean, 1)
            XCTAssertGreaterThanOrEqual(std, 0)
        }
        // M/N = 0 is (a) itself; (c) has no events there.
        XCTAssertEqual(json["auc"]?["real+generated"]?["0"], json["auc"]?["real"])
        XCTAssertEqual(json["auc"]?["generated"]?["0"]?.items?.count, 2)
        XCTAssertTrue(json["auc"]?["generated"]?["0"]?.items?.allSatisfy { $0 == .null } ?? false)
        XCTAssertEqual(json["auc"]?["generated"]?["2"]?.items?.compactMap { $0.items?[0].double }.count, 2)
        for n in ["300", "600"] { XCTAssertNotNil(json["amplification"]?[n]?["2"], "amplification of N = \(n), M/N = 2") }
        XCTAssertNotNil(json["classifier"]?["steps"]?.int)
    }

    /// Stopped by SIGUSR1 after each rank's first point (the LATENTSIM_TEST_STOP hook), under mpirun
    /// -np 2: exit 75 naming the 2 finished points; stopped again inside the next points' ensembles
    /// (no point finished since): exit 78; the third run keeps points 0 and 1, redoes 2 and 3 and
    /// writes the augment.json of an uninterrupted run (StudyTests.twoRanks), byte for byte.
    func testStoppedStudyContinuesOnRerunWithTheSameAugmentJson() throws {
        let out = CLI.path("study-stop"), config = CLI.fixture(text: StudyTests.tinyJob(out), to: out + ".toml")
        func study(_ hook: String?) throws -> CLI.Outcome {
            try CLI.run(["study", "augment", "--config", config], ranks: 2, timeout: 300,
                        extraEnvironment: hook.map { ["LATENTSIM_TEST_STOP": $0] } ?? [:])
        }
        func finished() -> [Int] { (0..<4).filter { FileManager.default.fileExists(atPath: out + "/points/p\($0)/result.json") } }
        let first = try study("study:1")
        XCTAssertEqual(first.status, 75, first.stderr)
        XCTAssertEqual(first.errorLines, ["stopped: a signal arrived; finished 2 of 4 grid points, kept in \(out)/points; "
                                          + "rerun the same command to continue"])
        XCTAssertEqual(finished(), [0, 1])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/augment.json"))
        let record = out + "/.latentsim-stop-study.json"
        let second = try study("ensemble:10")
        XCTAssertEqual(second.status, 78, second.stderr)
        XCTAssertEqual(second.errorLines, ["error: study stopped again on a signal with no progress since the last stop (2 of 4 "
                                           + "grid points saved both times, recorded in \(record)); give the job a longer time "
                                           + "limit (or an earlier warning signal) and rerun, or delete \(record) to allow one more try"])
        XCTAssertTrue(second.stdout.contains("2 finished point(s) kept from an earlier run"), second.stdout)
        XCTAssertEqual(finished(), [0, 1])
        // The same configuration in other words: the finished points are kept.
        try StudyTests.reformatted(StudyTests.tinyJob(out)).write(toFile: config, atomically: true, encoding: .utf8)
        let third = try study(nil)
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("2 finished point(s) kept from an earlier run"), third.stdout)
        XCTAssertFalse(third.stdout.contains("  point 1/4"), "point 0 is not trained again:\n\(third.stdout)")
        XCTAssertTrue(third.stdout.contains("  point 3/4"), third.stdout)
        XCTAssertEqual(finished(), [0, 1, 2, 3])
        XCTAssertFalse(FileManager.default.fileExists(atPath: record), "the finished study removed its stop record")
        XCTAssertEqual(try String(contentsOfFile: out + "/augment.json", encoding: .utf8), StudyTests.twoRanks)
    }

    /// `job` with the same values written differently: comments, spacing, n_real out of order, a
    /// number spelled in another way, a default set explicitly, a table the study does not read.
    static func reformatted(_ job: String) -> String {
        "# the tiny study, written differently\n\n" + job
            .replacingOccurrences(of: "n_real = [300, 600]", with: "n_real = [ 600,300 ]   # the study sorts them")
            .replacingOccurrences(of: "seeds = 2\n", with: "seeds=2\nseed = 1\n")
            .replacingOccurrences(of: "holdout = 0.2", with: "holdout = 2e-1")
            + "\n[pipeline]\nevents = 1000\n"
    }

    /// Your own tables: signal and background files, the test set held out from their first rows;
    /// a background table too small for the grid is refused before any training.
    func testUserTablesWithHeldOutTestRows() throws {
        let signal = CLI.path("study-sig.h5"), background = CLI.path("study-bkg.h5"), small = CLI.path("study-bkg-small.h5")
        CLI.fixture(["simulate", "--process", "zh-inv", "--events", "2000", "--seed", "7", "--out", signal])
        CLI.fixture(["simulate", "--events", "2000", "--seed", "8", "--out", background])
        CLI.fixture(["simulate", "--events", "1000", "--seed", "8", "--out", small])
        func job(_ name: String, _ bkg: String) -> String {
            let out = CLI.path(name)
            let text = StudyTests.tinyJob(out).replacingOccurrences(of: "[study]\n", with: "[study]\nsignal = \"\(signal)\"\nbackground = \"\(bkg)\"\n")
            return CLI.fixture(text: text, to: out + ".toml")
        }
        var r = try CLI.run(["study", "augment", "--config", job("study-tables", background)], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONValue.parse(String(contentsOfFile: CLI.path("study-tables/augment.json"), encoding: .utf8))
        XCTAssertEqual(json["test_rows"]?.int, 1000)
        XCTAssertEqual(json["auc"]?["real"]?.items?.count, 2)
        XCTAssertGreaterThan(json["auc"]?["real"]?.items?[1].items?[0].double ?? 0, 0.75)
        // 500 held-out test rows + 2 seeds × 600 rows = 1700 > 1000.
        r = try CLI.run(["study", "augment", "--config", job("study-small", small)])
        XCTAssertEqual(r.status, ExitStatus.dataError)
        XCTAssertEqual(r.errorLines, ["error: '\(small)' has 1000 usable rows but the study needs 1700 for 500 test + 2 seeds × 600 "
                                      + "background rows; use a larger table or smaller n_real / signal_events / test_events"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("study-small/points")))
    }

    /// space = "latent": every point fits the job's [reduce] (here a PCA) on its own N rows too.
    func testLatentSpaceGeneratorsReduceTheirOwnRows() throws {
        let out = CLI.path("study-latent-space")
        let job = CLI.fixture(text: StudyTests.studyTable(out) + """

            [reduce]
            columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz", "met_px", "met_py"]
            method = "pca"
            latent = 5
            holdout = 0.2

            """ + StudyTests.ensembleTable("""
            space = "latent"
            score = ["mll", "phi_miss"]
            """), to: out + ".toml")
        let r = try CLI.run(["study", "augment", "--config", job], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        for point in 0..<4 {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/points/p\(point)/reduce/model.h5"), "point \(point)")
        }
        let json = try JSONValue.parse(String(contentsOfFile: out + "/augment.json", encoding: .utf8))
        XCTAssertEqual(json["auc"]?["real+generated"]?["2"]?.items?.compactMap { $0.items?[0].double }.count, 2)
    }

    func testAmplificationInterpolatesInLogNOnTheRealCurve() {
        let sizes = [1000, 4000, 16000], aucs = [0.80, 0.84, 0.86]
        // Exactly on a grid point: N′ = 4000.
        XCTAssertEqual(Amplification.of(auc: 0.84, sizes: sizes, aucs: aucs, n: 1000), .factor(4))
        // Halfway in AUC between 1000 and 4000 is halfway in log N: N′ = 2000.
        XCTAssertEqual(Amplification.of(auc: 0.82, sizes: sizes, aucs: aucs, n: 1000).value!, 2, accuracy: 1e-12)
        // A quarter of the way from 4000 to 16000 in AUC: N′ = 4000 · 4^0.25; the factor is N′/N.
        XCTAssertEqual(Amplification.of(auc: 0.845, sizes: sizes, aucs: aucs, n: 4000).value!, pow(4, 0.25), accuracy: 1e-12)
        // Outside the curve: bounds, no number.
        XCTAssertEqual(Amplification.of(auc: 0.70, sizes: sizes, aucs: aucs, n: 4000), .below(0.25))
        XCTAssertEqual(Amplification.of(auc: 0.90, sizes: sizes, aucs: aucs, n: 4000), .above(4))
        XCTAssertNil(Amplification.of(auc: 0.90, sizes: sizes, aucs: aucs, n: 4000).value)
        XCTAssertEqual(Amplification.above(4).outside, "> 4")
        // A noisy dip (0.83 at 4000 below 0.84 at 1000) is flattened to 0.84: 0.84 is reached at
        // N′ = 1000, and 0.86 halfway from 4000 (0.84) to 16000 (0.88), at N′ = 8000.
        XCTAssertEqual(Amplification.of(auc: 0.84, sizes: sizes, aucs: [0.84, 0.83, 0.88], n: 1000), .factor(1))
        XCTAssertEqual(Amplification.of(auc: 0.86, sizes: sizes, aucs: [0.84, 0.83, 0.88], n: 1000).value!,
                       8, accuracy: 1e-12)
    }
}

/// A JSON array's elements (nil for anything else), for the study tests' readings of augment.json and latent.json.
extension JSONValue {
    var items: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
}
