import EventStore
import Foundation
import XCTest
@testable import Support

/// `latentsim pipeline` end to end under mpirun -np 2 on the repository's jobs/quickstart.toml with
/// its sizes scaled down (same sections and stages, tiny counts).
final class PipelineTests: XCTestCase {
    static let quickstart = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("jobs/quickstart.toml").path

    func tinyJob() throws -> String { try PipelineTests.tinyJob(named: "pipeline-tiny.toml") }

    /// jobs/quickstart.toml with tiny counts (and `overrides`, keys the file sets), written to the scratch directory as `name`.
    static func tinyJob(named name: String, overrides: [(String, String)] = []) throws -> String {
        var text = try String(contentsOfFile: PipelineTests.quickstart, encoding: .utf8)
        for (key, value) in [("events", "6000"), ("generate_events", "5000"), ("shard_events", "2000"), ("epochs", "2"),
                             ("restarts", "2"), ("steps", "40"), ("snapshot_every", "20"), ("validation_events", "1000")]
            + overrides {
            let pattern = "(?m)^\(key) = .*$"
            XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), "quickstart.toml sets \(key)")
            text = text.replacingOccurrences(of: pattern, with: "\(key) = \(value)", options: .regularExpression)
        }
        let path = CLI.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testQuickstartPipelineAtTinySizeEndToEnd() throws {
        let out = CLI.path("pipeline")
        // The python3 the tests use: mpirun started by absolute path puts /usr/bin first on the ranks' PATH.
        let r = try CLI.run(["pipeline", try tinyJob(), "--out", out], ranks: 2, timeout: 600,
                            extraEnvironment: ["LATENTSIM_PYTHON": ReportTests.python])
        XCTAssertEqual(r.status, 0, r.stderr)
        for stage in ["simulate", "reduce", "ensemble", "select", "generate", "evaluate", "report"] {
            XCTAssertTrue(r.stdout.contains("== pipeline: \(stage)"), "stage \(stage) ran:\n\(r.stdout)")
        }
        let generated = try EventReader.read(path: out + "/generated/events.h5", comm: try .selfOnly()).table
        XCTAssertEqual(generated.rows, 5000)
        let held = try EventReader.read(path: out + "/heldout.h5", comm: try .selfOnly()).table
        XCTAssertEqual(held.columns, generated.columns)
        XCTAssertGreaterThan(held.rows, 300, "≈ 10 % of 6000 held out")
        XCTAssertLessThan(held.rows, 900)
        let evaluation = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/evaluation.json")))
                                       as? [String: Any])
        let ks = try XCTUnwrap(evaluation["ks"] as? [String: Double])
        XCTAssertEqual(Set(ks.keys).isSuperset(of: generated.columns + ["mll", "phi_miss"]), true, "\(ks.keys)")
        XCTAssertNotNil(evaluation["ks_sum_paper"] as? Double)
        XCTAssertTrue(r.stdout.contains("wrote \(out)/report/index.html"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/report/histograms.json"))
        XCTAssertTrue(r.stdout.contains("pipeline finished"), r.stdout)
        // A rerun keeps the finished simulation and reduction, and every later stage resumes.
        let again = try CLI.run(["pipeline", try tinyJob(), "--out", out], ranks: 2, timeout: 600)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("== pipeline: simulate (kept"), again.stdout)
        XCTAssertTrue(again.stdout.contains("== pipeline: reduce (kept"), again.stdout)
    }
}

/// Job files: every shipped ensemble and pipeline file is valid, and a pipeline refuses a bad key of a
/// later stage before it simulates anything.
final class PipelineJobFileTests: XCTestCase {
    static let jobs = URL(fileURLWithPath: PipelineTests.quickstart).deletingLastPathComponent()

    func testShippedEnsembleJobFilesParse() throws {
        // Every key and type is valid: the only complaint is the missing reducer (latent) or data (full space).
        let absent = CLI.path("absent.h5"), reducer = CLI.path("absent-reducer")
        for (name, message) in [
            ("dy_gan.toml", "reducer model '\(reducer)' does not exist; give the run directory of `latentsim reduce` "
                + "(it holds model.h5) or train one first"),
            ("dy_gan_full.toml", "input file '\(absent)' does not exist; check the path"),
        ] {
            let path = PipelineJobFileTests.jobs.appendingPathComponent(name).path
            let r = try CLI.run(["ensemble", "--config", path, "--data", absent, "--reducer", reducer, "--out", CLI.path("jobs-\(name)")])
            XCTAssertEqual(r.status, 66, name)
            XCTAssertEqual(r.errorLines, ["error: " + message], name)
        }
    }

    func testShippedPipelineJobFilesParse() throws {
        // All sections are checked before the first stage, so the unwritable output is the only complaint.
        for name in ["quickstart.toml", "dy_full.toml", "dy_reduced.toml"] {
            let path = PipelineJobFileTests.jobs.appendingPathComponent(name).path
            let r = try CLI.run(["pipeline", path, "--out", "/proc/latentsim-no/\(name)"])
            XCTAssertEqual(r.status, 73, name)
            XCTAssertEqual(r.errorLines, ["error: cannot write '/proc/latentsim-no/\(name)/dy.h5': cannot create directory "
                                          + "'/proc/latentsim-no/\(name)' (No such file or directory); choose another output path"], name)
        }
    }

    func testABadKeyOfALaterStageStopsThePipelineBeforeItSimulates() throws {
        let text = try String(contentsOfFile: PipelineTests.quickstart, encoding: .utf8)
        let pattern = "(?m)^snapshot_every = "
        XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), "quickstart.toml sets snapshot_every")
        let typo = CLI.path("pipeline-typo.toml")
        try text.replacingOccurrences(of: pattern, with: "snapshot_evry = ", options: .regularExpression)
            .write(toFile: typo, atomically: true, encoding: .utf8)
        let line = try XCTUnwrap(text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("snapshot_every = ") }) + 1
        let out = CLI.path("pipeline-typo")
        let r = try CLI.run(["pipeline", typo, "--out", out], ranks: 2)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.errorLines.first?.hasPrefix("error: \(typo) line \(line): unknown key 'snapshot_evry' in [ensemble]; "
                                                    + "did you mean 'snapshot_every'?") == true, r.stderr)
        XCTAssertFalse(r.stdout.contains("== pipeline"), "no stage ran:\n\(r.stdout)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
        // [generate] (the support guard) is checked as early.
        let generateText = text + "\n[generate]\nsupport_margn = 0.5\n"
        let generateTypo = CLI.path("pipeline-typo-generate.toml")
        try generateText.write(toFile: generateTypo, atomically: true, encoding: .utf8)
        let generateLine = try XCTUnwrap(generateText.components(separatedBy: "\n").firstIndex { $0.hasPrefix("support_margn") }) + 1
        let g = try CLI.run(["pipeline", generateTypo, "--out", out], ranks: 2)
        XCTAssertEqual(g.status, 64, g.stderr)
        XCTAssertEqual(g.errorLines.count, 1, g.stderr)
        XCTAssertTrue(g.errorLines.first?.hasPrefix("error: \(generateTypo) line \(generateLine): unknown key 'support_margn' in "
                                                    + "[generate]; did you mean 'support_margin'?") == true, g.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
    }
}
