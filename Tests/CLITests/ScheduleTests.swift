import Foundation
import XCTest
@testable import Support
@testable import Training
@testable import Generation
@testable import Evaluation
import Comm

/// The learning-rate schedule shared by reduce and the ensembles, and its option in a job file.
final class ScheduleTests: XCTestCase {
    /// Cosine: lr at the first step, lr/100 at the last, lr·(0.01 + 0.99·½) half way.
    func testCosineDecaysFromLrToAHundredth() {
        XCTAssertEqual(LearningRateSchedule.value(lr: 2, schedule: "cosine", step: 0, total: 101), 2)
        XCTAssertEqual(LearningRateSchedule.value(lr: 2, schedule: "cosine", step: 50, total: 101), Float(2 * 0.505), accuracy: 1e-6)
        XCTAssertEqual(LearningRateSchedule.value(lr: 2, schedule: "cosine", step: 100, total: 101), 0.02, accuracy: 1e-7)
        XCTAssertEqual(LearningRateSchedule.value(lr: 2, schedule: "cosine", step: 500, total: 101), 0.02, accuracy: 1e-7,
                       "steps past the end keep the final rate")
        XCTAssertEqual(LearningRateSchedule.value(lr: 2, schedule: "constant", step: 70, total: 101), 2)
    }

    func testUnknownScheduleIsRefusedWithOneLine() throws {
        let job = CLI.path("schedule-bad.toml")
        try (try String(contentsOfFile: EnsembleTests.job, encoding: .utf8) + "\nschedule = \"linear\"\n")
            .write(toFile: job, atomically: true, encoding: .utf8)
        let r = try CLI.run(["ensemble", "--config", job, "--data", ReduceTests.data, "--reducer", EnsembleTests.reducer,
                             "--out", CLI.path("schedule-bad")], ranks: 2)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: unknown schedule 'linear'; expected one of: constant, cosine"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("schedule-bad")), "nothing written")
    }
}
