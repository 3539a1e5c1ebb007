import Foundation
import XCTest
@testable import Support
@testable import Workflows
import Training

/// The shipped study jobs parse and are the defaults; bad study input is one line.
extension StudyTests {
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
