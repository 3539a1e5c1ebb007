import EventStore
import Foundation
import XCTest

/// `latentsim pipeline` end to end under mpirun -np 2 on the repository's jobs/quickstart.toml with
/// its sizes scaled down (same sections and stages, tiny counts).
final class PipelineTests: XCTestCase {
    static let quickstart = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("jobs/quickstart.toml").path

    func tinyJob() throws -> String {
        var text = try String(contentsOfFile: PipelineTests.quickstart, encoding: .utf8)
        for (key, value) in [("events", "6000"), ("generate_events", "5000"), ("shard_events", "2000"), ("epochs", "2"),
                             ("restarts", "2"), ("steps", "40"), ("snapshot_every", "20"), ("validation_events", "1000")] {
            let pattern = "(?m)^\(key) = .*$"
            XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), "quickstart.toml sets \(key)")
            text = text.replacingOccurrences(of: pattern, with: "\(key) = \(value)", options: .regularExpression)
        }
        let path = CLI.path("pipeline-tiny.toml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testQuickstartPipelineAtTinySizeEndToEnd() throws {
        let out = CLI.path("pipeline")
        let r = try CLI.run(["pipeline", try tinyJob(), "--out", out], ranks: 2, timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        for stage in ["simulate", "reduce", "ensemble", "select", "generate", "evaluate"] {
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
        XCTAssertTrue(r.stdout.contains("pipeline finished"), r.stdout)
        // A rerun keeps the finished simulation and reduction, and every later stage resumes.
        let again = try CLI.run(["pipeline", try tinyJob(), "--out", out], ranks: 2, timeout: 600)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("== pipeline: simulate (kept"), again.stdout)
        XCTAssertTrue(again.stdout.contains("== pipeline: reduce (kept"), again.stdout)
    }
}
