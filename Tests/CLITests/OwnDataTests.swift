import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `pipeline` on a table of the user's own (`[pipeline] data`) under the user's own column names
/// (`[roles]`): the same events under other names give the same evaluation, number for number.
final class OwnDataTests: XCTestCase {
    /// The built-in table's columns and the names a user's dimuon ntuple might give them (none
    /// follows our X_px/X_py naming, so the rotation must come from the roles).
    static let renaming: [(String, String)] = [
        ("mu1_E", "E1"), ("mu1_px", "px1"), ("mu1_py", "py1"), ("mu1_pz", "pz1"),
        ("mu2_E", "E2"), ("mu2_px", "px2"), ("mu2_py", "py2"), ("mu2_pz", "pz2"),
        ("nvtx", "NPV"), ("met_px", "METx"), ("met_py", "METy"), ("mu1_iso", "iso1"), ("mu2_iso", "iso2"),
        ("jet1_pt", "j1"), ("jet2_pt", "j2"), ("jet3_pt", "j3"), ("jet4_pt", "j4"), ("jet5_pt", "j5"),
    ]
    /// `renaming` as a job file's [roles] table (header and a line per role, newline-terminated).
    static let rolesTable = "[roles]\n" + renaming.map { "\($0.0) = \"\($0.1)\"" }.joined(separator: "\n") + "\n"
    /// `renaming` as the value of `--roles` (ROLE=COLUMN,...).
    static let rolesOption = renaming.map { "\($0.0)=\($0.1)" }.joined(separator: ",")

    /// 3000 simulated DY events, and the same table with every column renamed.
    static var tables: (original: String, renamed: String) = {
        let original = CLI.path("own-original.h5"), renamed = CLI.path("own-renamed.h5")
        CLI.fixture(["simulate", "--process", "dy", "--events", "3000", "--seed", "7", "--out", original])
        do {
            var table = try EventReader.read(path: original, comm: try Communicator.selfOnly()).table
            let names = Dictionary(uniqueKeysWithValues: renaming)
            table.columns = try table.columns.map { try XCTUnwrap(names[$0], "no new name for \($0)") }
            try EventWriter.write(table, to: renamed, attributes: [], comm: try Communicator.selfOnly())
        } catch {
            fatalError("cannot write the renamed table: \(error)")
        }
        return (original, renamed)
    }()

    /// The quickstart's chain (AE 17 → 14 with pair mass, kept mass and jet pTs, quantile columns;
    /// latent GANs scored on mll, phi_miss, mu1_iso) at tiny sizes, with every column named by `name`.
    static func job(data: String, out: String, name: (String) -> String, roles: Bool) -> String {
        func list(_ columns: [String]) -> String { "[" + columns.map { "\"\(name($0))\"" }.joined(separator: ", ") + "]" }
        let all = renaming.map(\.0)
        let jets = (1...5).map { "jet\($0)_pt" }
        return """
        [pipeline]
        out = "\(out)"
        data = "\(data)"
        seed = 1
        generate_events = 2000
        shard_events = 1000

        [reduce]
        columns = \(list(all))
        method = "ae"
        latent = 14
        keep = \(list(["mu1_E", "jet1_pt", "jet2_pt", "jet3_pt"]))
        widths = [32, 16]
        pair_mass = ["mu1", "mu2"]
        quantile = \(list(["mu1_iso", "mu2_iso"] + jets))
        quantile_ties = "midpoint"
        quantile_spread = \(list(Array(jets.prefix(3))))
        epochs = 2
        batch = 256
        lr = 1e-3
        seed = 1

        [ensemble]
        space = "latent"
        noise = 8
        generator_widths = [32, 32]
        discriminator_widths = [32, 16]
        regression = []
        restarts = 2
        steps = 40
        batch = 128
        snapshot_every = 20
        validation_events = 500
        score = ["mll", "phi_miss", "mu1_iso"]
        seed = 1

        """ + (roles ? rolesTable : "")
    }

    func testRenamedColumnsWithRolesGiveTheSameEvaluationAsTheOriginalNames() throws {
        let tables = OwnDataTests.tables
        let names = Dictionary(uniqueKeysWithValues: OwnDataTests.renaming)
        var evaluations: [String] = []
        for (label, data, renamed) in [("original", tables.original, false), ("renamed", tables.renamed, true)] {
            let out = CLI.path("own-\(label)")
            let job = CLI.fixture(text: OwnDataTests.job(data: data, out: out, name: { renamed ? names[$0]! : $0 }, roles: renamed),
                                  to: CLI.path("own-\(label).toml"))
            let r = try CLI.run(["pipeline", job], ranks: 2, timeout: 300)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("== pipeline: your table \(data) (3000 rows, 18 columns; no simulation)"), r.stdout)
            XCTAssertFalse(r.stdout.contains("== pipeline: simulate"), r.stdout)
            XCTAssertFalse(r.stdout.contains("note: the default score"), "every score quantity is found:\n\(r.stdout)")
            let generated = try EventReader.describe(path: out + "/generated/events.h5", comm: try .selfOnly())
            XCTAssertEqual(generated.columns, renamed ? OwnDataTests.renaming.map(\.1) : OwnDataTests.renaming.map(\.0),
                           "outputs keep the table's names")
            var text = try String(contentsOfFile: out + "/evaluation.json", encoding: .utf8)
            text = text.replacingOccurrences(of: out, with: "OUT")
            evaluations.append(text)
        }
        // The renamed run's report under the original names: every number must be the same bytes.
        var translated = evaluations[1]
        for (original, renamed) in OwnDataTests.renaming {
            translated = translated.replacingOccurrences(of: "\"\(renamed)\"", with: "\"\(original)\"")
        }
        XCTAssertTrue(evaluations[1].contains("\"E1\""), "the report names the user's columns")
        for quantity in ["\"mll\"", "\"ptll\"", "\"met\"", "\"phi_miss\"", "\"dphi_ll\"", "\"njets\"", "\"ks_sum_paper\""] {
            XCTAssertTrue(translated.contains(quantity), "\(quantity) evaluated under roles:\n\(translated)")
        }
        XCTAssertEqual(translated, evaluations[0])
    }

    static let shipped = URL(fileURLWithPath: PipelineTests.quickstart).deletingLastPathComponent()
        .appendingPathComponent("own_data.toml").path

    func testTheShippedOwnDataJobParsesUpToItsTable() throws {
        // Every section, key and role is checked first: the absent example table is the only complaint.
        let r = try CLI.run(["pipeline", OwnDataTests.shipped, "--out", CLI.path("own-shipped")], ranks: 2)
        XCTAssertEqual(r.status, 66, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: [pipeline] data = \"mytable.h5\" in '\(OwnDataTests.shipped)': no such file; "
                                      + "expected an event table (HDF5 or CSV); fix the path"])
    }

    func testTheShippedOwnDataJobRunsOnATableUnderItsNames() throws {
        // jobs/own_data.toml's names are the renamed fixture's: its roles, columns and score must fit it.
        var text = try String(contentsOfFile: OwnDataTests.shipped, encoding: .utf8)
        let out = CLI.path("own-shipped-run")
        for (key, value) in [("data", "\"\(OwnDataTests.tables.renamed)\""), ("out", "\"\(out)\""), ("generate_events", "2000"),
                             ("shard_events", "1000"), ("epochs", "2"), ("widths", "[32, 16]"), ("restarts", "2"),
                             ("steps", "40"), ("snapshot_every", "20"), ("validation_events", "500"), ("noise", "8"),
                             ("batch", "128")] {
            let pattern = "(?m)^\(key) = [^#\\n]*"
            XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), "own_data.toml sets \(key)")
            text = text.replacingOccurrences(of: pattern, with: "\(key) = \(value) ", options: .regularExpression)
        }
        text = text.replacingOccurrences(of: "[ensemble]\n", with: "[ensemble]\ngenerator_widths = [32, 32]\n"
                                         + "discriminator_widths = [32, 16]\n")
        let job = CLI.fixture(text: text, to: CLI.path("own-shipped.toml"))
        let r = try CLI.run(["pipeline", job], ranks: 2, timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("note: the default score"), r.stdout)
        let evaluation = try JSONValue.parse(try String(contentsOfFile: out + "/evaluation.json", encoding: .utf8))
        guard case .object(let ks)? = evaluation["ks"] else { return XCTFail("evaluation.json has no ks table") }
        XCTAssertEqual(ks.map(\.key), OwnDataTests.renaming.map(\.1) + ["mll", "ptll", "met", "phi_miss", "dphi_ll", "njets"])
        XCTAssertNotNil(evaluation["ks_sum_paper"], "mll + phi_miss + KS(iso1)")
    }
}
