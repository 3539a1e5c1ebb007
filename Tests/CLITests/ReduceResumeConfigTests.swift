import EventStore
import Foundation
import XCTest

/// `reduce --resume` continues only the training it was given: a run directory whose model.h5 was
/// trained with another lr, batch, seed, widths or role is refused in one line, on every rank,
/// before anything is written; steps and checkpoint_every may change (a longer resumed run).
final class ReduceResumeConfigTests: XCTestCase {
    func reduce(_ out: String, ranks: Int = 0, _ extra: [String] = []) throws -> CLI.Outcome {
        try CLI.run(["reduce", "--data", ReduceTests.data, "--columns", ReduceTests.columns, "--latent", "3",
                     "--widths", "16,8", "--batch", "64", "--seed", "3", "--lr", "0.003", "--steps", "6",
                     "--checkpoint-every", "3", "--out", out] + extra, ranks: ranks)
    }

    func testAChangedConfigurationIsRefusedAndNothingIsWritten() throws {
        let run = CLI.path("resume-config"), model = run + "/model.h5"
        let first = try reduce(run)
        XCTAssertEqual(first.status, 0, first.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: run).sorted()
        func snapshot() throws -> [Data] { try files.map { try Data(contentsOf: URL(fileURLWithPath: run + "/" + $0)) } }
        let before = try snapshot()
        let fix = "to resume it, or choose another --out"
        for (extra, ranks, difference) in [
            (["--lr", "0.01"], 2, "lr is 0.003 in \(model) but 0.01 now; rerun with lr = 0.003"),
            (["--batch", "32"], 3, "batch is 64 in \(model) but 32 now; rerun with batch = 64"),
            (["--seed", "4"], 0, "seed is 3 in \(model) but 4 now; rerun with seed = 3"),
            (["--widths", "16,4"], 0, "widths is [16, 8] in \(model) but [16, 4] now; rerun with widths = [16, 8]"),
            (["--roles", "jet1_pt=j1pt"], 0, "[roles] jet1_pt is unset in \(model) but \"j1pt\" now; rerun without [roles] jet1_pt"),
        ] {
            let r = try reduce(run, ranks: ranks, extra + ["--resume"])
            XCTAssertEqual(r.status, 64, "\(extra): \(r.stderr)")
            XCTAssertEqual(r.errorLines, ["error: '\(run)' holds a reduction with a different configuration: \(difference) \(fix)"])
            XCTAssertEqual(r.stdout, "", "\(extra): refused before training")
        }
        XCTAssertEqual(try snapshot(), before, "a refused resume leaves the run directory as it was")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run).sorted(), files)
        // More steps and another checkpoint interval continue the same training.
        let longer = try reduce(run, ranks: 2, ["--steps", "9", "--checkpoint-every", "4", "--resume"])
        XCTAssertEqual(longer.status, 0, longer.stderr)
        XCTAssertEqual(try Checkpoint.read(from: model).int("step"), 9)
    }
}
