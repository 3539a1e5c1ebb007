import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `ordered` in a full-space ensemble, as the built binary under mpirun: the stored preprocessing
/// carries the step, and every generated event has descending jet pTs with absent jets (0) only
/// after the last present one, at or above the data's threshold, whatever the (barely trained)
/// generator produces, also while the MMD term pulls on two of the ordered jets (its gradient goes
/// through the step's Jacobian). Misuse in a job file is refused with one line and exit 64.
final class OrderedJetsTests: XCTestCase {
    static let jets = ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]

    func testGeneratedJetsAreOrderedAndMisuseIsRefused() throws {
        let job = CLI.fixture(text: (try String(contentsOfFile: EnsembleTests.job, encoding: .utf8)) + """

        space = "full"
        regression = []
        quantile = ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]
        ordered = ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]
        mmd = ["ptll"]
        mmd_columns = ["jet2_pt", "jet3_pt"]
        mmd_weight = 0.1
        mmd_batch = 40
        """, to: CLI.path("ordered-job.toml"))
        let e = try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--restarts", "2", "--out", CLI.path("ordered-gan")],
                            ranks: 2)
        XCTAssertEqual(e.status, 0, e.stderr)
        let stored = try String(contentsOfFile: CLI.path("ordered-gan") + "/config.toml", encoding: .utf8)
        XCTAssertTrue(stored.contains("ordered = [\"jet1_pt\", \"jet2_pt\", \"jet3_pt\", \"jet4_pt\", \"jet5_pt\"]\n"), stored)
        let records = try String(contentsOfFile: CLI.path("ordered-gan") + "/restarts/000/snapshots.jsonl", encoding: .utf8)
        let mmd = try records.split(separator: "\n").map { line in
            try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["losses"] as? [String: Double])?["mmd"])
        }
        XCTAssertTrue(!mmd.isEmpty && mmd.allSatisfy { $0 > 0 && $0.isFinite }, "the MMD term through ordered: \(mmd)")
        let g = try CLI.run(["generate", "--model", CLI.path("ordered-gan") + "/best", "--events", "4000", "--out", CLI.path("ordered-gen")],
                            ranks: 2)
        XCTAssertEqual(g.status, 0, g.stderr)
        let read = { (path: String) in
            try EventReader.read(path: path, dataset: "events", nonFinite: .refuse, comm: Communicator.selfOnly()).table
        }
        let table = try read(CLI.path("ordered-gen") + "/events.h5"), real = try read(EnsembleTests.data)
        let (gj, rj) = (try Self.jets.map { try XCTUnwrap(table.columnIndex($0)) }, try Self.jets.map { try XCTUnwrap(real.columnIndex($0)) })
        let threshold = try XCTUnwrap(rj.flatMap { c in (0..<real.rows).map { real[$0, c] } }.filter { $0 > 0 }.min())
        var present = [Int](repeating: 0, count: 5)
        for r in 0..<table.rows {
            let jets = gj.map { table[r, $0] }
            XCTAssertEqual(jets, jets.sorted(by: >), "row \(r): descending")
            XCTAssertTrue(jets.allSatisfy { $0 == 0 || $0 >= threshold }, "row \(r): \(jets) below the threshold \(threshold)")
            for k in 0..<5 where jets[k] > 0 { present[k] += 1 }
        }
        XCTAssertGreaterThan(present[0], 0, "jets are generated")
        XCTAssertLessThan(present[0], table.rows, "and absent ones too")

        let bad = CLI.fixture(text: "[ensemble]\nspace = \"full\"\nregression = []\nordered = [\"jet2_pt\", \"jet1_pt\"]\n",
                              to: CLI.path("ordered-bad.toml"))
        let r = try CLI.run(["ensemble", "--config", bad, "--data", EnsembleTests.data, "--out", CLI.path("ordered-bad")], ranks: 2)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: ordered lists jet2_pt before jet1_pt; expected the jets leading first "
                                      + "(jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt); reorder ordered"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("ordered-bad") + "/best"), "no model from a refused job")
    }
}
