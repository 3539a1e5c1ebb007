import Foundation
import XCTest
@testable import Support

/// Bad own-data input to `pipeline` (under mpirun -np 2): one line, a non-zero exit, no run
/// directory left behind, no rank left hanging (the run's timeout would fail the test).
final class OwnDataErrorTests: XCTestCase {
    static let columns = "E1, px1, py1, pz1, E2, px2, py2, pz2, NPV, METx, METy, iso1, iso2, j1, j2, j3, j4, j5"

    /// A tiny own-data pipeline job on `data` with `roles` as its [roles] table (and `pipeline`
    /// extra lines), written under `name`.
    func job(_ name: String, data: String, roles: String, pipeline: String = "") -> (job: String, out: String) {
        let out = CLI.path("bad-\(name)")
        let text = """
        [pipeline]
        out = "\(out)"
        data = "\(data)"
        \(pipeline)
        [reduce]
        method = "pca"
        latent = 4
        columns = ["E1", "px1", "py1", "pz1", "E2", "px2", "py2", "pz2"]

        [roles]
        \(roles)
        """
        return (CLI.fixture(text: text, to: CLI.path("bad-\(name).toml")), out)
    }

    /// Runs the pipeline on two ranks and checks the one error line, the exit code and that nothing was written.
    func assertRefused(_ name: String, data: String = OwnDataTests.tables.renamed, roles: String, pipeline: String = "",
                       extra: [String] = [], status: Int32, _ message: (String) -> String,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let (job, out) = job(name, data: data, roles: roles, pipeline: pipeline)
        let r = try CLI.run(["pipeline", job] + extra, ranks: 2, timeout: 120)
        XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
        XCTAssertEqual(r.errorLines, ["error: " + message(job)], file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written", file: file, line: line)
    }

    static let mapped = "mu1_E = \"E1\"\nmu1_px = \"px1\"\nmu1_py = \"py1\"\nmu1_pz = \"pz1\"\n"

    func testARoleMappedToAColumnTheTableLacksNamesTheColumnsItHas() throws {
        let data = OwnDataTests.tables.renamed
        try assertRefused("lacking", roles: OwnDataErrorTests.mapped + "mu2_E = \"Energy2\"", status: 64) { job in
            "[roles] in \(job): role mu2_E is mapped to column 'Energy2', which '\(data)' lacks; its columns: "
                + OwnDataErrorTests.columns + "; fix the mapping"
        }
    }

    func testTwoRolesOnOneColumnAreRefused() throws {
        try assertRefused("twice", roles: OwnDataErrorTests.mapped + "mu2_E = \"E1\"", status: 64) { job in
            "[roles] in \(job) line 15: roles mu1_E and mu2_E both name column 'E1'; expected one column per role; "
                + "map each role to its own column"
        }
    }

    func testAnUnknownRoleSuggestsTheNearestOne() throws {
        try assertRefused("unknown", roles: OwnDataErrorTests.mapped + "mu2_e = \"E2\"", status: 64) { job in
            "[roles] in \(job) line 15: unknown role 'mu2_e'; did you mean 'mu2_E'? (roles: "
                + ColumnRoles.all.joined(separator: ", ") + ")"
        }
    }

    func testAnUnknownRoleOnTheCommandLineSuggestsTheNearestOne() throws {
        try assertRefused("unknown-cli", roles: OwnDataErrorTests.mapped, extra: ["--roles", "mu2_E=E2,jet_pt1=j1"],
                          status: 64) { _ in
            "--roles: unknown role 'jet_pt1'; did you mean 'jet1_pt'? (roles: " + ColumnRoles.all.joined(separator: ", ") + ")"
        }
    }

    func testDataThatDoesNotExistIsRefused() throws {
        let absent = CLI.path("no-such-table.h5")
        try assertRefused("absent", data: absent, roles: OwnDataErrorTests.mapped, status: 66) { job in
            "[pipeline] data = \"\(absent)\" in '\(job)': no such file; expected an event table (HDF5 or CSV); fix the path"
        }
    }

    func testDataThatIsNotATableIsRefused() throws {
        let notes = CLI.fixture(text: "these are my notes\n", to: CLI.path("notes.txt"))
        try assertRefused("notes", data: notes, roles: OwnDataErrorTests.mapped, status: 66) { _ in
            "'\(notes)' is not an HDF5 file (no HDF5 signature) and has no .csv extension; pass an HDF5 file or a CSV file "
                + "with a header row"
        }
    }

    func testProcessAndDataTogetherAreRefused() throws {
        try assertRefused("both", roles: OwnDataErrorTests.mapped, pipeline: "process = \"dy\"", status: 64) { job in
            "\(job) line 4: [pipeline] sets both process (simulate) and data = \"\(OwnDataTests.tables.renamed)\" (your table); "
                + "expected one of them; remove process to use your table"
        }
    }

    func testASimulatedEventCountWithDataIsRefused() throws {
        try assertRefused("events", roles: OwnDataErrorTests.mapped, pipeline: "events = 5000", status: 64) { job in
            "\(job) line 4: [pipeline] events sets how many events to simulate, but data = \"\(OwnDataTests.tables.renamed)\" "
                + "replaces the simulation; remove events (every row of the table is used)"
        }
    }

    func testTooFewRowsForTheHeldOutSplitAreRefused() throws {
        var text = "E1,px1,py1,pz1,E2,px2,py2,pz2\n"
        for r in 0..<3 { text += "\(40 + r),1,2,3,\(45 + r),-1,-2,-3\n" }
        let tiny = CLI.fixture(text: text, to: CLI.path("tiny.csv"))
        try assertRefused("tiny", data: tiny, roles: OwnDataErrorTests.mapped, status: 65) { _ in
            "'\(tiny)' has 3 rows: too few to hold out 10 % (0 rows) and train on the rest; use a larger table"
        }
    }

    func testNonFiniteValuesAreRefusedUnlessDropped() throws {
        var text = "E1,px1,py1,pz1,E2,px2,py2,pz2\n"
        for r in 0..<200 { text += "\(40 + r % 7),1,\(r % 3),3,\(45 + r % 5),-1,-2,\(r == 17 ? "nan" : "-3")\n" }
        let bad = CLI.fixture(text: text, to: CLI.path("nan.csv"))
        try assertRefused("nan", data: bad, roles: OwnDataErrorTests.mapped, status: 65) { _ in
            "'\(bad)' line 19 (row 17), column 'pz2': expected a finite value, found nan; clean the input or pass --drop-nonfinite"
        }
        // drop_nonfinite = true under [reduce]: the row is dropped and the chain gets past the check.
        let (job, out) = job("nan-dropped", data: bad, roles: OwnDataErrorTests.mapped)
        try (try String(contentsOfFile: job, encoding: .utf8)).replacingOccurrences(of: "[reduce]\n", with: "[reduce]\ndrop_nonfinite = true\n")
            .write(toFile: job, atomically: true, encoding: .utf8)
        let r = try CLI.run(["pipeline", job, "--out", out], ranks: 2, timeout: 120)
        XCTAssertTrue(r.stdout.contains("== pipeline: your table \(bad) (200 rows, 1 dropped as non-finite, 8 columns; no simulation)"),
                      r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("== pipeline: reduce"), r.stdout + r.stderr)
    }
}
