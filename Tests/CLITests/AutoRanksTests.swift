import EventStore
import Foundation
import XCTest

/// `ranks_per_restart = "auto"` (the quickstart's) as the built binary on a small flow job: on 2 ranks
/// with one restart it is the `ranks_per_restart = 2` run bit for bit (snapshot records, config.toml,
/// the selected generator's datasets); on 3 ranks the one restart trains on all three; config.toml
/// records the r used, so resuming on a rank count that gives another r is refused; bad values are
/// refused with one line, exit 64. (How auto resolves for other R and M: RanksPerRestartTests.)
final class AutoRanksTests: XCTestCase {
    func flow(_ out: String, ranks: Int, _ r: String) throws -> CLI.Outcome {
        try CLI.run(["ensemble", "--config", FlowTests.job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
                     "--restarts", "1", "--ranks-per-restart", r, "--out", CLI.path(out)], ranks: ranks)
    }

    func text(_ out: String, _ file: String) throws -> String {
        try String(contentsOfFile: CLI.path(out) + "/" + file, encoding: .utf8).replacingOccurrences(of: CLI.path(out), with: "OUT")
    }

    /// snapshots.jsonl without the wall-clock field.
    func records(_ out: String) throws -> [String] {
        try text(out, "restarts/000/snapshots.jsonl").split(separator: "\n")
            .map { $0.replacingOccurrences(of: #", "seconds": [^,}]*"#, with: "", options: .regularExpression) }
    }

    func testAutoIsTheIntegerItResolvesToAndRunsOnThreeRanks() throws {
        let auto = try flow("auto-np2", ranks: 2, "auto"), two = try flow("auto-r2", ranks: 2, "2")
        XCTAssertEqual(auto.status, 0, auto.stderr)
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertTrue(auto.stdout.contains("on 1 group(s) of 2 rank(s)"), auto.stdout)
        XCTAssertEqual(try text("auto-np2", "config.toml"), try text("auto-r2", "config.toml"))
        XCTAssertTrue(try text("auto-np2", "config.toml").contains("\nranks_per_restart = 2\n"))
        XCTAssertEqual(try records("auto-np2"), try records("auto-r2"))
        let a = try Checkpoint.read(from: CLI.path("auto-np2") + "/best/generator.h5")
        let b = try Checkpoint.read(from: CLI.path("auto-r2") + "/best/generator.h5")
        XCTAssertFalse(a.buffers.isEmpty)
        XCTAssertEqual(a.buffers.mapValues { $0.map(\.bitPattern) }, b.buffers.mapValues { $0.map(\.bitPattern) })

        let three = try flow("auto-np3", ranks: 3, "auto")
        XCTAssertEqual(three.status, 0, three.stderr)
        XCTAssertTrue(three.stdout.contains("on 1 group(s) of 3 rank(s)"), three.stdout)
        XCTAssertTrue(try text("auto-np3", "config.toml").contains("\nranks_per_restart = 3\n"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: CLI.path("auto-np3") + "/best/generator.h5"))

        // The np 2 run on 3 ranks would train with r = 3: refused, naming the r it was trained with.
        let again = try flow("auto-np2", ranks: 3, "auto")
        XCTAssertEqual(again.status, 64, again.stderr)
        let out = CLI.path("auto-np2")
        XCTAssertEqual(again.errorLines, ["error: '\(out)' holds an ensemble with a different configuration: ranks_per_restart "
                                          + "is 2 in \(out)/config.toml but 3 now; rerun with ranks_per_restart = 2 to resume it, "
                                          + "or choose another --out"])
    }

    func testBadValuesAreRefusedWithOneLine() throws {
        func check(_ name: String, _ r: String?, job line: String?, _ message: (String) -> String,
                   file: StaticString = #filePath, line l: UInt = #line) throws {
            let job = CLI.fixture(text: "[ensemble]\nmodel = \"flow\"\n" + (line.map { $0 + "\n" } ?? ""), to: CLI.path("rpr-\(name).toml"))
            let out = CLI.path("rpr-\(name)")
            let r = try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--space", "full", "--out", out]
                                + (r.map { ["--ranks-per-restart", $0] } ?? []))
            XCTAssertEqual(r.status, 64, r.stderr, file: file, line: l)
            XCTAssertEqual(r.errorLines, ["error: " + message(job)], file: file, line: l)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written", file: file, line: l)
        }
        try check("cli", "two", job: nil) { _ in "--ranks-per-restart expects an integer or auto, found 'two'" }
        try check("file", nil, job: "ranks_per_restart = \"all\"") {
            "\($0) line 3: key 'ranks_per_restart' expects an integer or \"auto\", found a string (\"all\")"
        }
        try check("zero", nil, job: "ranks_per_restart = 0") { _ in "ranks-per-restart must be at least 1, found 0" }
    }
}
