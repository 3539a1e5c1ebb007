import Comm
import EventStore
import Foundation
import XCTest
@testable import Support
@testable import Training

/// `reduce` and a full-space `ensemble` write RUN/heldout.h5: exactly the rows of the training table
/// that their split held out (every column, file order, original values), the same for 1 and 2 ranks,
/// and as many as the table's rows minus the training rows the run reported.
final class HeldOutTests: XCTestCase {
    static var data: String = {
        let path = CLI.path("held-dy.h5")
        CLI.fixture(["simulate", "--events", "3000", "--seed", "11", "--out", path])
        return path
    }()

    /// The rows of `data` that `split` holds out, worked out here from the whole table on one process.
    func expected(_ split: HeldOutSplit) throws -> EventTable {
        let table = try EventReader.read(path: HeldOutTests.data, comm: try Communicator.selfOnly()).table
        var held = EventTable(columns: table.columns, rows: 0)
        for r in 0..<table.rows where split.isHeldOut(globalRow: r) {
            held.values += table.values[(r * table.width)..<((r + 1) * table.width)]
            held.rows += 1
        }
        return held
    }

    /// Reads RUN/heldout.h5 and checks it against `expected` row by row; also the reported training
    /// rows plus the held-out rows make the whole table.
    func check(_ run: String, _ expected: EventTable, stdout: String, trainingPattern: String,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let read = try EventReader.read(path: run + "/heldout.h5", comm: try Communicator.selfOnly())
        XCTAssertEqual(read.table.columns, expected.columns, file: file, line: line)
        XCTAssertEqual(read.table.rows, expected.rows, file: file, line: line)
        XCTAssertTrue(read.table.values.map(\.bitPattern) == expected.values.map(\.bitPattern), "values differ", file: file, line: line)
        let match = try XCTUnwrap(stdout.range(of: trainingPattern, options: .regularExpression), stdout, file: file, line: line)
        let training = Int(stdout[match].split(separator: " ").first { Int($0) != nil } ?? "")
        XCTAssertEqual(training.map { $0 + expected.rows }, 3000, stdout, file: file, line: line)
        let attributes = try EventInfo.attributes(path: run + "/heldout.h5", layout: read.layout)
        XCTAssertTrue(attributes.contains { $0.0 == "source" && $0.1 == .string(HeldOutTests.data) }, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: OutputPath(run + "/heldout.h5").temporary), file: file, line: line)
    }

    func testReduceWritesTheRowsItHeldOutForOneAndTwoRanks() throws {
        let expected = try expected(HeldOutSplit(fraction: 0.2, seed: 6))
        XCTAssertEqual(Double(expected.rows), 600, accuracy: 90, "about 20 % of 3000 rows")
        for ranks in [0, 2] {
            let run = CLI.path("held-pca-np\(ranks)")
            let r = try CLI.run(["reduce", "--method", "pca", "--data", HeldOutTests.data, "--columns", "mu1_E,mu1_px,mu2_E,mu2_px",
                                 "--latent", "2", "--holdout", "0.2", "--seed", "6", "--out", run], ranks: ranks)
            XCTAssertEqual(r.status, 0, r.stderr)
            try check(run, expected, stdout: r.stdout, trainingPattern: "on [0-9]+ training rows")
            XCTAssertTrue(r.stdout.contains("held-out rows (never trained on): \(expected.rows) rows of \(HeldOutTests.data) -> "
                                            + "\(run)/heldout.h5"), r.stdout)
        }
    }

    func testFullSpaceEnsembleWritesTheRowsItHeldOutForOneAndTwoRanks() throws {
        let expected = try expected(HeldOutSplit(fraction: 0.1, seed: 4))  // the ensemble's default holdout, its --seed
        let job = CLI.fixture(text: """
            [ensemble]
            generator_widths = [16]
            discriminator_widths = [16]
            batch = 64
            steps = 4
            snapshot_every = 2
            validation_events = 300
            top_k = 1
            """, to: CLI.path("held-job.toml"))
        for ranks in [0, 2] {
            let run = CLI.path("held-full-np\(ranks)")
            let r = try CLI.run(["ensemble", "--config", job, "--data", HeldOutTests.data, "--space", "full", "--restarts", "1",
                                 "--seed", "4", "--out", run], ranks: ranks)
            XCTAssertEqual(r.status, 0, r.stderr)
            try check(run, expected, stdout: r.stdout, trainingPattern: "[0-9]+ training rows\\)")
        }
    }
}
