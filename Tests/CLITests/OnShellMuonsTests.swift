import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `on_shell` in a full-space ensemble, as the built binary under mpirun: the stored configuration
/// carries it, and every generated muon is on the muon's mass shell whatever the (barely trained)
/// generator produces (up to the float32 rounding of the stored values). Misuse in a job file is refused with one
/// line and exit 64, leaving no model.
final class OnShellMuonsTests: XCTestCase {
    func testGeneratedMuonsAreOnTheShellAndMisuseIsRefused() throws {
        let job = CLI.fixture(text: (try String(contentsOfFile: EnsembleTests.job, encoding: .utf8)) + """

        space = "full"
        regression = []
        pair_mass = ["mu1", "mu2"]
        on_shell = true
        """, to: CLI.path("onshell-job.toml"))
        let e = try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--restarts", "1", "--out", CLI.path("onshell-gan")],
                            ranks: 2)
        XCTAssertEqual(e.status, 0, e.stderr)
        let stored = try String(contentsOfFile: CLI.path("onshell-gan") + "/config.toml", encoding: .utf8)
        XCTAssertTrue(stored.contains("on_shell = true\n") && stored.contains("shell_mass = 0.1056583755\n"), stored)
        let g = try CLI.run(["generate", "--model", CLI.path("onshell-gan") + "/best", "--events", "4000", "--out", CLI.path("onshell-gen")],
                            ranks: 2)
        XCTAssertEqual(g.status, 0, g.stderr)
        let table = try EventReader.read(path: CLI.path("onshell-gen") + "/events.h5", dataset: "events", nonFinite: .refuse,
                                         comm: Communicator.selfOnly()).table
        let names = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]
        let c = try names.map { try XCTUnwrap(table.columnIndex($0)) }
        let m = 0.1056583755
        for r in 0..<table.rows {
            let v = c.map { Double(table[r, $0]) }
            for k in [0, 4] {
                let shell = (v[k + 1] * v[k + 1] + v[k + 2] * v[k + 2] + v[k + 3] * v[k + 3] + m * m).squareRoot()
                XCTAssertEqual(v[k], shell, accuracy: 3e-7 * shell, "row \(r): \(names[k]) on the shell")
            }
        }
        XCTAssertEqual(table.rows, 4000)

        let bad = CLI.fixture(text: "[ensemble]\nspace = \"full\"\nregression = []\non_shell = true\n", to: CLI.path("onshell-bad.toml"))
        let r = try CLI.run(["ensemble", "--config", bad, "--data", EnsembleTests.data, "--out", CLI.path("onshell-bad")], ranks: 2)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: on_shell = true needs pair_mass (it names the two vectors), found pair_mass = []; "
                                      + "set pair_mass = [\"mu1\", \"mu2\"] or on_shell = false"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("onshell-bad") + "/best"), "no model from a refused job")
    }
}
