import Foundation
import XCTest

/// `select --score` re-ranks an ensemble on quantities other than the score it trained with, from the
/// KS values its snapshot records hold (`ks`, `ks_columns`, `ks_derived`), on fabricated run
/// directories (SelectTests' layout, without result.json: no restart ended pruned). Records trained with the paper's score (hand computation;
/// all = mu1_E, mu1_iso, then mll, ptll, met, phi_miss):
///   r0 s100: mll .01 phi_miss .01 mu1_iso .01 (sum .03); mu1_E .20; ptll .20, met .10 → all .53
///   r0 s200: every value .02 (sum .06) → all .12
///   r1 s100: mll .03 phi_miss .03 mu1_iso .03 (sum .09); mu1_E .05; ptll .05, met .05 → all .24
/// so the paper's score picks r0 s100 and `all`, `ptll` or `mu1_E` pick r0 s200. Old records (no
/// `ks_derived`) are refused for a derived quantity they lack with one pinned line, exit 64.
final class SelectRescoreTests: XCTestCase {
    static func line(_ restart: Int, _ step: Int, _ paper: Double, muE: Double, ptll: Double, met: Double, old: Bool) -> String {
        let p = String(paper), derived = old ? "" : #", "ks_derived": {"ptll": \#(ptll), "met": \#(met)}"#
        return #"{"restart": \#(restart), "step": \#(step), "ks": {"mll": \#(p), "phi_miss": \#(p), "mu1_iso": \#(p)}, "#
            + #""ks_columns": {"mu1_E": \#(muE), "mu1_iso": \#(p)}\#(derived), "ks_sum": \#(3 * paper), "diverged": false, "reason": ""}"#
    }

    static func records(old: Bool) -> [(restart: Int, lines: [String], stored: [Int])] {
        [(0, [line(0, 100, 0.01, muE: 0.2, ptll: 0.2, met: 0.1, old: old), line(0, 200, 0.02, muE: 0.02, ptll: 0.02, met: 0.02, old: old),
              #"{"restart": 0, "step": 300, "ks": {}, "ks_columns": {}, "ks_sum": null, "diverged": true, "reason": "non-finite loss"}"#],
          [100, 200]),
         (1, [line(1, 100, 0.03, muE: 0.05, ptll: 0.05, met: 0.05, old: old)], [100])]
    }

    /// A run directory as SelectTests fabricates one (snapshot "checkpoints" are distinct byte strings).
    func fabricate(_ name: String, old: Bool) throws -> String {
        let run = CLI.path(name)
        try? FileManager.default.removeItem(atPath: run)
        for r in SelectRescoreTests.records(old: old) {
            let dir = run + "/restarts/" + String(format: "%03d", r.restart)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try (r.lines.joined(separator: "\n") + "\n").write(toFile: dir + "/snapshots.jsonl", atomically: true, encoding: .utf8)
            for step in r.stored {
                try Data("checkpoint r\(r.restart) s\(step)".utf8).write(to: URL(fileURLWithPath: dir + "/snapshot-"
                                                                                  + String(format: "%08d", step) + ".h5"))
            }
        }
        try "[ensemble]\nrestarts = 2\n".write(toFile: run + "/config.toml", atomically: true, encoding: .utf8)
        return run
    }

    func select(_ run: String, _ extra: [String]) throws -> (status: Int32, picked: String, ks: [String], out: String, errors: [String]) {
        let r = try CLI.run(["select", run] + extra)
        let selection = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/best/selection.json")))
            as? [String: Any]
        let picked = "r\(selection?["restart"] as? Int ?? -1) s\(selection?["step"] as? Int ?? -1)"
        return (r.status, picked, (selection?["ks"] as? [String: Any]).map { Array($0.keys).sorted() } ?? [], r.stdout, r.errorLines)
    }

    func testRerankingOnAllOrAnyRecordedQuantityAndOldRecordsRefused() throws {
        let run = try fabricate("rescore", old: false)
        let paper = ["mll", "mu1_iso", "phi_miss"], all = ["met", "mll", "mu1_E", "mu1_iso", "phi_miss", "ptll"]
        var r = try select(run, [])
        XCTAssertEqual([String(r.status), r.picked], ["0", "r0 s100"], r.out)
        XCTAssertEqual(r.ks, paper)
        r = try select(run, ["--score", "all"])
        XCTAssertEqual([String(r.status), r.picked], ["0", "r0 s200"], r.out)
        XCTAssertEqual(r.ks, all)
        XCTAssertTrue(r.out.contains("ranked by ks-sum over mu1_E, mu1_iso, mll, ptll, met, phi_miss:"), r.out)
        r = try select(run, ["--metric", "rank-sum"])
        XCTAssertEqual([String(r.status), r.picked], ["0", "r0 s200"], "a bare select keeps the score of the selection: \(r.out)")
        XCTAssertEqual(r.ks, all)
        r = try select(run, ["--score", "mll,phi_miss,mu1_iso", "--metric", "ks-sum"])
        XCTAssertEqual([String(r.status), r.picked, r.ks.joined(separator: ",")], ["0", "r0 s100", paper.joined(separator: ",")])
        for (score, pick) in [("ptll", "r0 s200"), ("mu1_E,met", "r0 s200"), ("mll", "r0 s100")] {
            r = try select(run, ["--score", score])
            XCTAssertEqual([String(r.status), r.picked], ["0", pick], "\(score): \(r.errors)")
        }
        let restarts = run + "/restarts"
        r = try select(run, ["--score", "mll,pt"])
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.errors, ["error: score quantity 'pt' has no KS value in the record of step 100 in '\(restarts)/000/snapshots.jsonl' "
                                  + "(it is neither a column nor a derived quantity the columns allow, nor a scored classifier term); "
                                  + "re-rank on quantities it holds: mll, phi_miss, mu1_iso, mu1_E, ptll, met"])
        r = try select(run, ["--score", ""])
        XCTAssertEqual(r.errors, ["error: --score is empty; name the quantities to rank on, e.g. --score all or --score mll,ptll"])
        XCTAssertEqual(r.status, 64)

        // An ensemble trained before records held every derived quantity.
        let old = try fabricate("rescore-old", old: true)
        let oldRestarts = old + "/restarts"
        r = try select(old, ["--score", "all"])
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.errors, ["error: score all needs the KS of every derived quantity, but the record of step 100 in "
                                  + "'\(oldRestarts)/000/snapshots.jsonl' holds only its score's and the columns' (written before "
                                  + "snapshot records held every derived quantity); re-rank on quantities it holds: mll, phi_miss, "
                                  + "mu1_iso, mu1_E"])
        r = try select(old, ["--score", "ptll"])
        XCTAssertEqual(r.errors, ["error: score quantity 'ptll' has no KS value in the record of step 100 in "
                                  + "'\(oldRestarts)/000/snapshots.jsonl' (written before snapshot records held every derived "
                                  + "quantity); re-rank on quantities it holds: mll, phi_miss, mu1_iso, mu1_E"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: old + "/best"), "a refused score installs nothing")
        r = try select(old, ["--score", "mu1_E"])
        XCTAssertEqual([String(r.status), r.picked], ["0", "r0 s200"], "\(r.errors)")
    }
}
