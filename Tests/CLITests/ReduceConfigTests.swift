import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// Job files drive `reduce`; the command line overrides them; mistakes are named with the nearest key.
final class ReduceConfigTests: XCTestCase {
    func write(_ name: String, _ text: String) throws -> String {
        let path = CLI.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testJobFileWithCommandLineOverrideAndStoredConfig() throws {
        let job = try write("pca.toml", """
            [reduce]
            data = "\(ReduceTests.data)"
            columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz"]
            method = "pca"
            latent = 2
            out = "\(CLI.path("from-config"))"
            """)
        let r = try CLI.run(["reduce", "--config", job, "--latent", "3"], ranks: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try String(contentsOfFile: CLI.path("from-config") + "/reconstruction.json", encoding: .utf8)
        XCTAssertTrue(json.hasSuffix("\"method\": \"pca\", \"latent\": 3}\n"), json)
        // The stored effective configuration reproduces the run.
        let stored = try String(contentsOfFile: CLI.path("from-config") + "/config.toml", encoding: .utf8)
        XCTAssertTrue(stored.contains("latent = 3\n"), stored)
        XCTAssertTrue(stored.contains("epochs = 20\n"), stored)
    }

    func testUnknownKeyAndTypeErrorsOnTwoRanks() throws {
        let typo = try write("typo.toml", "[reduce]\ndata = \"x.h5\"\nepoch = 5\n")
        let r = try CLI.run(["reduce", "--config", typo], ranks: 2)
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.errorLines.first?.hasPrefix("error: \(typo) line 3: unknown key 'epoch' in [reduce]; did you mean 'epochs'?") == true,
                      r.stderr)
        let typed = try write("typed.toml", "[reduce]\nepochs = \"ten\"\n")
        let t = try CLI.run(["reduce", "--config", typed])
        XCTAssertEqual(t.status, 64)
        XCTAssertEqual(t.errorLines, ["error: \(typed) line 2: key 'epochs' expects an integer, found a string (\"ten\")"])
    }

    func testShippedJobFilesParse() throws {
        let jobs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("jobs")
        for name in ["dy_ae.toml", "dy_ae17.toml", "dy_ae14.toml", "dy_pca.toml"] {
            let path = jobs.appendingPathComponent(name).path
            // A missing data file is the only complaint: every key and type in the job file is valid.
            let r = try CLI.run(["reduce", "--config", path, "--data", CLI.path("absent.h5"), "--out", CLI.path("jobs-\(name)")])
            XCTAssertEqual(r.errorLines, ["error: input file '\(CLI.path("absent.h5"))' does not exist; check the path"], name)
        }
    }
}
