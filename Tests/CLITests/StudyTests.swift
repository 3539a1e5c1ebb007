import Foundation
import XCTest
@testable import Support
@testable import Workflows
import Training

/// `latentsim study augment` and `study latent` end to end on tiny grids, the amplification
/// interpolation on known curves, and the bad-input lines.
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

    /// Finished points are keyed on the configuration they depend on, not the job file's text:
    /// rewriting the job file or moving the study keeps them; a value a point used recomputes them,
    /// with a line naming it.
    func testPointsAreKeyedOnTheConfigurationTheyDependOn() throws {
        let out = CLI.path("study-key"), job = out + ".toml"
        func settings(_ text: String, file: String = job) throws -> StudySettings {
            try StudySettings.load(job: CLI.fixture(text: text, to: file), out: out)
        }
        let base = try AugmentStudy.configuration(settings(StudyTests.tinyJob(out)))
        XCTAssertEqual(try AugmentStudy.configuration(settings(StudyTests.reformatted(StudyTests.tinyJob(out)))), base)
        XCTAssertEqual(try AugmentStudy.configuration(settings(StudyTests.tinyJob(CLI.path("elsewhere")))), base, "out is not a point's")
        for (what, changed) in [("[ensemble] steps", StudyTests.tinyJob(out).replacingOccurrences(of: "steps = 60", with: "steps = 61")),
                                ("[study] classifier_steps", StudyTests.tinyJob(out).replacingOccurrences(of: "classifier_steps = 150", with: "classifier_steps = 151")),
                                ("[roles]", StudyTests.tinyJob(out) + "\n[roles]\nmu1_E = \"mu1_E\"\n")] {
            XCTAssertNotEqual(try AugmentStudy.configuration(settings(changed)), base, what)
        }
        // An input table counts by its content's digest in [study], not by its path (StudyTableKeyTests runs it).
        let table = StudyGrid.Table(role: "background", path: CLI.path("some.h5"), sha256: "ab12")
        let keyed = try AugmentStudy.configuration(settings(StudyTests.tinyJob(out)), tables: [table])
        XCTAssertTrue(keyed.hasPrefix("[study]\n") && keyed.contains("\nbackground_sha256 = \"ab12\"\n\n[ensemble]\n"), keyed)
        XCTAssertFalse(keyed.contains("\nbackground = "), keyed)
        XCTAssertEqual(keyed.replacingOccurrences(of: "background_sha256 = \"ab12\"\n", with: ""),
                       base.replacingOccurrences(of: "background = \"dy\"\n", with: ""))
        // Without a job file: the defaults, and the built-in generator.
        let defaults = try AugmentStudy.configuration(StudySettings.load(job: nil, out: out))
        XCTAssertTrue(defaults.contains("\n[ensemble]\n") && defaults.contains("steps = 1000"), defaults)
        // The grid keeps a finished point for the rewritten file and recomputes it for a changed value.
        try? FileManager.default.removeItem(atPath: out)
        let grid = try AugmentStudy.grid(settings(StudyTests.tinyJob(out)))
        XCTAssertEqual(try grid.prepareRoot().kept, [])
        try FileManager.default.createDirectory(atPath: grid.directory(0), withIntermediateDirectories: true)
        try "{}\n".write(toFile: grid.result(0), atomically: true, encoding: .utf8)
        XCTAssertEqual(try AugmentStudy.grid(settings(StudyTests.reformatted(StudyTests.tinyJob(out)))).prepareRoot().kept, [0])
        let changed = try AugmentStudy.grid(settings(StudyTests.tinyJob(out).replacingOccurrences(of: "steps = 60", with: "steps = 61")))
        let prepared = try changed.prepareRoot()
        XCTAssertEqual(prepared.kept, [])
        XCTAssertEqual(prepared.note, "study augment: the points in \(out)/points were computed with another configuration "
                       + "([ensemble] steps is 60 in \(out)/points/config.toml but 61 now); recomputing them")
        XCTAssertFalse(FileManager.default.fileExists(atPath: grid.result(0)))
        // A study stopped by a build that kept the job file's text (points/job.toml) keeps its points
        // when that text is this job file's, and only then.
        for (text, kept) in [(StudyTests.tinyJob(out) + "# edited\n", [Int]()), (StudyTests.tinyJob(out), [0])] {
            try FileManager.default.removeItem(atPath: grid.configurationFile)
            try FileManager.default.createDirectory(atPath: grid.directory(0), withIntermediateDirectories: true)
            try text.write(toFile: grid.path("points/job.toml"), atomically: true, encoding: .utf8)
            try "{}\n".write(toFile: grid.result(0), atomically: true, encoding: .utf8)
            let s = try settings(StudyTests.tinyJob(out))
            try AugmentStudy.adoptJobCopy(s, grid)
            XCTAssertEqual(try grid.prepareRoot().kept, kept)
        }
        // study latent: the number of seeds and the output are not a classifier's; its steps and the model's bytes are.
        var latent = LatentStudySettings(reducer: "r", out: out)
        let model = CLI.fixture(text: "model 1", to: CLI.path("study-key-model"))
        let latentBase = try LatentStudy.configuration(latent, model: model)
        latent.seeds = 5
        latent.out = CLI.path("elsewhere")
        XCTAssertEqual(try LatentStudy.configuration(latent, model: model), latentBase)
        latent.classifier.steps = 4001
        XCTAssertNotEqual(try LatentStudy.configuration(latent, model: model), latentBase)
        latent.classifier.steps = 4000
        XCTAssertEqual(try LatentStudy.configuration(latent, model: model), latentBase)
        XCTAssertNotEqual(try LatentStudy.configuration(latent, model: CLI.fixture(text: "model 2", to: model)), latentBase)
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

    /// A 3000-event PCA 7 → 3 reducer, shared by the latent-study tests.
    static let latentReducer: String = {
        let data = CLI.path("study-latent-dy.h5"), reducer = CLI.path("study-latent-pca")
        CLI.fixture(["simulate", "--events", "3000", "--seed", "5", "--out", data])
        CLI.fixture(["reduce", "--data", data, "--columns", "mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_pz",
                     "--method", "pca", "--latent", "3", "--out", reducer])
        return reducer
    }()

    /// `study latent` on the tiny reducer: 2 seeds, 1000 + 1000 training and test events, 300-step classifiers.
    static func latentArguments(out: String, seeds: Int = 2) -> [String] {
        ["study", "latent", "--reducer", latentReducer, "--out", out, "--events", "1000", "--test-events", "1000",
         "--seeds", String(seeds), "--steps", "300"]
    }

    /// The tiny latent study's latent.json from 2 ranks (study-latent), shared by the latent tests.
    static let latentTwoRanks: String = {
        let out = CLI.path("study-latent")
        CLI.fixture(latentArguments(out: out), ranks: 2)
        guard let text = try? String(contentsOfFile: out + "/latent.json", encoding: .utf8) else {
            fatalError("fixture: the tiny latent study on 2 ranks wrote no \(out)/latent.json")
        }
        return text
    }()

    func testLatentStudyOnATinyReducer() throws {
        let json = try JSONValue.parse(StudyTests.latentTwoRanks)
        XCTAssertEqual(json["latent"]?.int, 3)
        XCTAssertEqual(json["features"]?.int, json["feature_names"]?.items?.count)
        let features = try XCTUnwrap(json["auc"]?["features"]?.items?.compactMap { $0.double })
        let latent = try XCTUnwrap(json["auc"]?["latent"]?.items?.compactMap { $0.double })
        XCTAssertEqual(features.count, 2)
        XCTAssertEqual(latent.count, 2)
        // The muons' momenta alone separate zh-inv (hard dimuon pT) from DY; 3 codes keep part of it.
        XCTAssertGreaterThan(features[0], 0.8)
        XCTAssertGreaterThan(latent[0], 0.6)
        XCTAssertLessThanOrEqual(max(features[0], latent[0]), 1)
        XCTAssertNil(json["seconds"], "timing lives in latent-timing.json, so reruns write the same latent.json")
        XCTAssertNotNil(try JSONValue.parse(String(contentsOfFile: CLI.path("study-latent/latent-timing.json"), encoding: .utf8))["seconds"])
    }

    /// Stopped by SIGUSR1 after each rank's first classifier (LATENTSIM_TEST_STOP=study-latent:1)
    /// under mpirun -np 2: exit 75 naming the 2 finished of 4; the rerun on 3 ranks trains only the
    /// other 2 and writes the 2-rank uninterrupted run's latent.json byte for byte; a rerun of the
    /// finished study with a third seed keeps all 4 and trains 2 more.
    func testStoppedLatentStudyContinuesOnRerunWithTheSameLatentJson() throws {
        let out = CLI.path("study-latent-stop"), expected = StudyTests.latentTwoRanks
        func finished() -> [Int] { (0..<6).filter { FileManager.default.fileExists(atPath: out + "/latent-points/p\($0)/result.json") } }
        let first = try CLI.run(StudyTests.latentArguments(out: out), ranks: 2, extraEnvironment: ["LATENTSIM_TEST_STOP": "study-latent:1"])
        XCTAssertEqual(first.status, 75, first.stderr)
        XCTAssertEqual(first.errorLines, ["stopped: a signal arrived; finished 2 of 4 classifiers, kept in \(out)/latent-points; "
                                          + "rerun the same command to continue"])
        XCTAssertEqual(finished(), [0, 1])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/latent.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/.latentsim-stop-study-latent.json"))
        let second = try CLI.run(StudyTests.latentArguments(out: out), ranks: 3)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("2 finished classifier(s) kept from an earlier run"), second.stdout)
        XCTAssertFalse(second.stdout.contains("  classifier 1/4"), "classifier 0 is not trained again:\n\(second.stdout)")
        XCTAssertTrue(second.stdout.contains("  classifier 4/4 (seed 1, latent variables): AUC "), second.stdout)
        XCTAssertEqual(try String(contentsOfFile: out + "/latent.json", encoding: .utf8), expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/.latentsim-stop-study-latent.json"))
        let third = try CLI.run(StudyTests.latentArguments(out: out, seeds: 3))
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("4 finished classifier(s) kept from an earlier run"), third.stdout)
        XCTAssertFalse(third.stdout.contains("  classifier 4/6"), third.stdout)
        XCTAssertTrue(third.stdout.contains("  classifier 5/6") && third.stdout.contains("  classifier 6/6"), third.stdout)
        XCTAssertEqual(finished(), Array(0..<6))
        let before = try JSONValue.parse(expected), after = try JSONValue.parse(String(contentsOfFile: out + "/latent.json", encoding: .utf8))
        for input in ["features", "latent"] {
            XCTAssertEqual(after["aucs"]?[input]?.items?.prefix(2).map { $0 }, before["aucs"]?[input]?.items, input)
            XCTAssertEqual(after["aucs"]?[input]?.items?.count, 3, input)
        }
    }

    func testShippedStudyJobsParse() throws {
        let jobs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("jobs")
        for (name, sizes) in [("study_quick.toml", [2000, 8000, 32000]), ("study.toml", [2000, 5000, 10000, 20000, 50000, 100000])] {
            let path = jobs.appendingPathComponent(name).path
            let s = try StudySettings.load(job: path, out: nil)
            XCTAssertEqual(s.nReal, sizes, name)
            XCTAssertEqual(s.ratios, [0, 1, 4, 16], name)
            // Every key of [ensemble] is valid, and the generators train in the full space (no reducer).
            var ensemble = try JobConfig.load(path: path, section: "ensemble", schema: GANSettings.schema,
                                              otherSections: JobSections.besides("ensemble"))
            XCTAssertEqual(try ensemble.string("space"), "full", name)
        }
    }

    /// "With no tables given the command uses the built-in defaults": those are jobs/study_quick.toml.
    func testDefaultsAreTheQuickStudy() throws {
        let quick = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("jobs/study_quick.toml").path
        let q = try StudySettings.load(job: quick, out: nil), d = try StudySettings.load(job: nil, out: nil)
        XCTAssertEqual(q.nReal, d.nReal)
        XCTAssertEqual(q.ratios, d.ratios)
        XCTAssertEqual([q.repetitions, q.signalEvents, q.testEvents], [d.repetitions, d.signalEvents, d.testEvents])
        XCTAssertEqual([q.seed, q.testSeed], [d.seed, d.testSeed])
        XCTAssertEqual(q.classifier, d.classifier)
        let document = try TOMLDocument.read(path: quick)
        for (key, value) in StudySettings.defaultGenerator {
            XCTAssertEqual(document.value(key, in: ["ensemble"]), value, key)
        }
    }

    func testBadStudyInputIsOneLine() throws {
        let bad = CLI.fixture(text: "[study]\nn_real = [50, 2000]\n", to: CLI.path("study-bad-n.toml"))
        var r = try CLI.run(["study", "augment", "--config", bad])
        XCTAssertEqual(r.status, ExitStatus.usage)
        XCTAssertEqual(r.errorLines, ["error: n_real must list distinct real background sizes of at least 100 events, "
                                      + "found [50, 2000] in [study] of '\(bad)'"])
        let seeds = CLI.fixture(text: "[study]\ntest_seed = 1\n", to: CLI.path("study-bad-seed.toml"))
        r = try CLI.run(["study", "augment", "--config", seeds])
        XCTAssertEqual(r.status, ExitStatus.usage)
        XCTAssertEqual(r.errorLines, ["error: test_seed equals seed (1): the test set must be a fresh simulation; "
                                      + "set another test_seed in [study] of '\(seeds)'"])
        let missing = CLI.fixture(text: "[study]\nbackground = \"no-such.h5\"\n", to: CLI.path("study-bad-table.toml"))
        r = try CLI.run(["study", "augment", "--config", missing, "--out", CLI.path("study-bad-table")])
        XCTAssertEqual(r.status, ExitStatus.noInput)
        XCTAssertEqual(r.errorLines, ["error: study table 'no-such.h5' not found: expected a built-in process (dy, zh-inv) "
                                      + "or an HDF5/CSV table path"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("study-bad-table/augment.json")))
        r = try CLI.run(["study", "latent", "--reducer", CLI.path("no-reducer"), "--out", CLI.path("study-none")])
        XCTAssertEqual(r.status, ExitStatus.noInput)
        XCTAssertEqual(r.errorLines, ["error: no reducer at '\(CLI.path("no-reducer"))/model.h5': pass the --out directory "
                                      + "of `latentsim reduce` as --reducer"])
        r = try CLI.run(["study", "latent", "--reducer", CLI.path("no-reducer"), "--out", CLI.path("study-none"), "--seeds", "1"])
        XCTAssertEqual(r.status, ExitStatus.usage)
        XCTAssertEqual(r.errorLines, ["error: --seeds must be at least 2, found 1"])
    }
}

private extension JSONValue {
    var items: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
}
