import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `--roles` and `[roles]` outside the pipeline: `inspect` says which roles the columns play and
/// which quantities follow; a full-space `ensemble` (rotation, regression terms, default score)
/// under the user's names trains and scores exactly as under ours.
final class OwnDataRolesTests: XCTestCase {
    static let muons = "mu1_E=E1,mu1_px=px1,mu1_py=py1,mu1_pz=pz1,mu2_E=E2,mu2_px=px2,mu2_py=py2,mu2_pz=pz2"

    /// A full-space ensemble of one restart of small networks, `steps` steps with a snapshot every
    /// 10, plus `lines` (regression terms, optimizer, ...).
    static func smallEnsemble(steps: Int, _ lines: String = "") -> String {
        """
        [ensemble]
        space = "full"
        generator_widths = [16, 16]
        discriminator_widths = [16, 8]
        batch = 64
        steps = \(steps)
        snapshot_every = 10
        validation_events = 300
        top_k = 1
        restarts = 1
        \(lines)
        """
    }

    func lines(_ stdout: String, prefix: String) -> [String] {
        stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    func testInspectListsTheRolesAndTheQuantitiesAPartialMapAllows() throws {
        let r = try CLI.run(["inspect", OwnDataTests.tables.renamed, "--roles", OwnDataRolesTests.muons], ranks: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(lines(r.stdout, prefix: "roles ") + lines(r.stdout, prefix: "unplayed ") + lines(r.stdout, prefix: "derived "), [
            "roles     mu1_E=E1 mu1_px=px1 mu1_py=py1 mu1_pz=pz1 mu2_E=E2 mu2_px=px2 mu2_py=py2 mu2_pz=pz2 "
                + "(ROLE=COLUMN: mapped in --roles; ROLE: matched by name)",
            "unplayed  nvtx met_px met_py mu1_iso mu2_iso jet1_pt jet2_pt jet3_pt jet4_pt jet5_pt",
            "derived   mll ptll dphi_ll; not computable: met (needs met_px,met_py), phi_miss (needs met_px,met_py), "
                + "njets (needs jet1_pt,jet2_pt,jet3_pt,jet4_pt,jet5_pt)",
        ])
        // The built-in names match by name: every role is played and every quantity follows.
        let original = try CLI.run(["inspect", OwnDataTests.tables.original])
        XCTAssertEqual(original.status, 0, original.stderr)
        XCTAssertEqual(lines(original.stdout, prefix: "unplayed "), ["unplayed  none"])
        XCTAssertEqual(lines(original.stdout, prefix: "derived "), ["derived   mll ptll met phi_miss dphi_ll njets"])
    }

    func testAFullSpaceEnsembleUnderRolesScoresLikeTheOriginalNames() throws {
        let job = CLI.fixture(text: OwnDataRolesTests.smallEnsemble(steps: 20, """
        regression = ["mll", "ptll", "phi_miss"]
        c1 = 1e-3
        c2 = 1e-3
        optimizer = "adam"
        lr = 1e-3
        """), to: CLI.path("own-full.toml"))
        let all = OwnDataTests.rolesOption
        var records: [String] = []
        for (label, data, roles) in [("original", OwnDataTests.tables.original, [String]()),
                                     ("renamed", OwnDataTests.tables.renamed, ["--roles", all])] {
            let out = CLI.path("own-full-\(label)")
            let r = try CLI.run(["ensemble", "--config", job, "--data", data, "--out", out] + roles, ranks: 2)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertFalse(r.stdout.contains("note: the default score"), r.stdout)
            // Everything but the wall-clock seconds of each snapshot.
            records.append(try String(contentsOfFile: out + "/restarts/000/snapshots.jsonl", encoding: .utf8)
                .replacingOccurrences(of: "\"seconds\": [0-9.e+-]+", with: "\"seconds\": -", options: .regularExpression))
        }
        var translated = records[1]
        for (original, renamed) in OwnDataTests.renaming {
            translated = translated.replacingOccurrences(of: "\"\(renamed)\"", with: "\"\(original)\"")
        }
        XCTAssertTrue(records[1].contains("\"iso1\""), "the default score's mu1_iso is the user's iso1")
        XCTAssertEqual(translated, records[0], "same snapshots, scores and losses under either names")
        // The run stores its roles: `--config RUN/config.toml` repeats it.
        let config = try String(contentsOfFile: CLI.path("own-full-renamed") + "/config.toml", encoding: .utf8)
        XCTAssertTrue(config.hasSuffix("\n" + OwnDataTests.rolesTable),
                      config)
        XCTAssertFalse(try String(contentsOfFile: CLI.path("own-full-original") + "/config.toml", encoding: .utf8).contains("[roles]"))
    }

    /// `generate --reweight` on a model trained under roles takes them from MODEL/config.toml (best/'s
    /// copy of the run's config): the frame is the azimuth of the columns playing mu2_px/mu2_py and the
    /// derived quantities come from the roles' columns, so the renamed table's events and weights are
    /// the original names' bit for bit (23 quantities: 17 columns without mu2_py, 6 derived). Without
    /// the roles (the same model, no config.toml) the classifier sees the 18 raw columns and the weights differ.
    func testReweightUnderRolesGivesTheOriginalNamesWeights() throws {
        let job = CLI.fixture(text: OwnDataRolesTests.smallEnsemble(steps: 10), to: CLI.path("own-rw.toml"))
        let all = OwnDataTests.rolesOption
        // A 10-step GAN is all but separable (held-out loss ≈ 0.06): the calibrated weights would sit at the
        // default clip for most events, so the clip is opened to keep them distinct.
        func generate(_ model: String, real: String, out: String) throws -> (stdout: String, table: EventTable) {
            let g = try CLI.run(["generate", "--model", model, "--events", "800", "--shard-events", "400", "--seed", "3",
                                 "--reweight", real, "--reweight-rows", "1000", "--reweight-clip", "1000000", "--out", out], ranks: 2)
            XCTAssertEqual(g.status, 0, g.stderr)
            return (g.stdout, try GenerateFixtures.read(out + "/events.h5"))
        }
        var tables: [EventTable] = []
        for (label, data, roles) in [("original", OwnDataTests.tables.original, [String]()),
                                     ("renamed", OwnDataTests.tables.renamed, ["--roles", all])] {
            let out = CLI.path("own-rw-\(label)")
            let e = try CLI.run(["ensemble", "--config", job, "--data", data, "--out", out] + roles, ranks: 2)
            XCTAssertEqual(e.status, 0, e.stderr)
            let g = try generate(out + "/best", real: data, out: out + "/generated")
            XCTAssertTrue(g.stdout.contains("reweighting: classifier trained on 1000 real events of \(data) and as many generated "
                                            + "ones (21 quantities)"), g.stdout)
            XCTAssertEqual(g.stdout.contains("; roles from [roles] in \(out)/best/config.toml"), label == "renamed", g.stdout)
            tables.append(g.table)
        }
        XCTAssertEqual(tables[1].columns, OwnDataTests.renaming.map(\.1) + ["weight"])
        XCTAssertEqual(tables[1].values, tables[0].values, "same events and weights under either names")
        let weights = tables[1].column(try XCTUnwrap(tables[1].columnIndex("weight")))
        XCTAssertGreaterThan(Set(weights).count, 400, "the weights vary between events")
        // The renamed model without its config.toml: no roles, no frame, no derived quantity, no muon energy to leave out.
        let bare = CLI.path("own-rw-bare")
        try? FileManager.default.removeItem(atPath: bare)
        try FileManager.default.createDirectory(atPath: bare, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.path("own-rw-renamed/best/generator.h5"), toPath: bare + "/generator.h5")
        let g = try generate(bare, real: OwnDataTests.tables.renamed, out: CLI.path("own-rw-bare-generated"))
        XCTAssertTrue(g.stdout.contains("as many generated ones (18 quantities)"), g.stdout)
        XCTAssertEqual(g.table.selecting(Array(0..<18)).values, tables[1].selecting(Array(0..<18)).values, "same events")
        XCTAssertNotEqual(g.table.column(18), weights, "weights without the roles differ")
    }

    func testEvaluateUnderRolesGivesTheOriginalNamesNumbers() throws {
        // Real: the fixture's first 1500 rows; "generated": its last 1500 (any other sample would do).
        var reports: [String] = []
        func lastHalf(_ path: String) throws -> String {
            let table = try EventReader.read(path: path, comm: try Communicator.selfOnly()).table
            let half = CLI.path("half-" + URL(fileURLWithPath: path).lastPathComponent)
            try EventWriter.write(table.slice(1500..<3000), to: half, attributes: [], comm: try Communicator.selfOnly())
            return half
        }
        let all = OwnDataTests.rolesOption
        for (label, table, roles) in [("original", OwnDataTests.tables.original, [String]()),
                                      ("renamed", OwnDataTests.tables.renamed, ["--config", OwnDataTests.shipped])] {
            let out = CLI.path("own-eval-\(label).json")
            let generated = try lastHalf(table)
            let r = try CLI.run(["evaluate", "--real", table, "--generated", generated, "--max-rows", "1500", "--classifier-rows", "0",
                                 "--out", out] + roles, ranks: 2)
            XCTAssertEqual(r.status, 0, r.stderr)
            reports.append(try String(contentsOfFile: out, encoding: .utf8).replacingOccurrences(of: generated, with: "GENERATED")
                .replacingOccurrences(of: table, with: "TABLE"))
            if label == "renamed" {
                // The same through --roles instead of the job file's [roles].
                let cli = try CLI.run(["evaluate", "--real", table, "--generated", generated, "--max-rows", "1500",
                                       "--classifier-rows", "0", "--out", out + ".cli", "--roles", all], ranks: 2)
                XCTAssertEqual(cli.status, 0, cli.stderr)
                XCTAssertEqual(try String(contentsOfFile: out + ".cli", encoding: .utf8), try String(contentsOfFile: out, encoding: .utf8))
            }
        }
        var translated = reports[1]
        for (original, renamed) in OwnDataTests.renaming {
            translated = translated.replacingOccurrences(of: "\"\(renamed)\"", with: "\"\(original)\"")
        }
        XCTAssertTrue(translated.contains("\"ks_sum_paper\": "), translated)
        XCTAssertTrue(translated.contains("\"njets\": "), translated)
        XCTAssertEqual(translated, reports[0])
    }
}
