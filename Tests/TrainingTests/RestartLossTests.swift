import Comm
import EventStore
import Foundation
import XCTest
@testable import Support
@testable import Training

/// The loss means in snapshots.jsonl: a restart trained in-process against the same trainer stepped
/// by hand, and a restart stopped between two snapshots and resumed against an uninterrupted one.
final class RestartLossTests: XCTestCase {
    /// 6 steps, a snapshot every 4: records at step 4 (4 steps) and at the end, step 6 (2 steps).
    func settings(out: String) throws -> (GANSettings, GANData) {
        var (s, data) = try RegressionPathTests.data(latent: false, comm: try Communicator.selfOnly())
        s.space = .full
        s.steps = 6
        s.snapshotEvery = 4
        s.batch = 16
        s.noise = 4
        s.generatorWidths = [8]
        s.discriminatorWidths = [8]
        s.optimizer = "adam"
        s.lr = 1e-3
        s.validationEvents = 40
        s.score = ["mll"]
        s.topK = 1
        s.out = NSTemporaryDirectory() + "latentsim-loss-\(getpid())-\(out)"
        try? FileManager.default.removeItem(atPath: s.out)
        return (s, data)
    }

    func restart(_ s: GANSettings, _ data: GANData) throws -> RestartRun {
        let comm = try Communicator.selfOnly()
        let scorer = try SnapshotScorer(names: s.score, data: data, events: s.validationEvents, seed: s.seed, comm: comm)
        return try RestartRun(index: 0, settings: s, data: data, scorer: scorer, comm: comm, console: Console(comm: comm))
    }

    func records(_ s: GANSettings) throws -> [JSONValue] {
        let text = try String(contentsOfFile: RestartFiles(run: s.out, index: 0).snapshots, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    func testRecordsHoldTheMeanStepLossesSinceTheLastSnapshot() throws {
        let (s, data) = try settings(out: "mean")
        defer { try? FileManager.default.removeItem(atPath: s.out) }
        // The same restart stepped by hand: same seed, data and learning rates as RestartRun.
        let comm = try Communicator.selfOnly()
        let trainer = try Trainers.make(s, data: data, seed: s.restartSeed(0), comm: comm)
        var steps: [[(String, Double)]] = []
        for step in 0..<s.steps {
            let rate = LearningRateSchedule.value(lr: s.lr, schedule: s.schedule, step: step, total: s.steps)
            for optimizer in trainer.models.map(\.optimizer) { optimizer.learningRate = rate }
            steps.append(try trainer.step(step).values)
        }
        XCTAssertEqual(try restart(s, data).run(until: s.steps), .reached)
        let written = try records(s)
        XCTAssertEqual(written.map { $0["step"]?.int }, [4, 6])
        for (record, range) in zip(written, [0..<4, 4..<6]) {
            XCTAssertEqual(record["loss_steps"]?.int, range.count)
            let losses = try XCTUnwrap(record["losses"]?.members)
            XCTAssertEqual(losses.map(\.key), ["d_loss", "g_loss", "regression"])
            for (j, member) in losses.enumerated() {
                let mean = range.map { steps[$0][j].1 }.reduce(0, +) / Double(range.count)
                let value = try XCTUnwrap(member.value.double, "\(member.key) at step \(range.upperBound) is not a number")
                XCTAssertTrue(value.isFinite && mean.isFinite)
                XCTAssertEqual(value, Double(String(format: "%.6g", mean)), "\(member.key), steps \(range)")
            }
        }
        // The losses move: a record of constant zeros would also be "finite".
        XCTAssertNotEqual(written[0]["losses"], written[1]["losses"])
    }

    /// A stop after step 1 saves the sum of one step in state.h5; the resumed restart's record at
    /// step 4 averages all four steps, as the uninterrupted restart's does.
    func testAStopBetweenSnapshotsResumesTheLossSums() throws {
        let (reference, data) = try settings(out: "ref")
        let (s, _) = try settings(out: "stopped")
        defer { for run in [reference.out, s.out] { try? FileManager.default.removeItem(atPath: run) } }
        XCTAssertEqual(try restart(reference, data).run(until: s.steps), .reached)
        StopSignal.flag.pointee = SIGUSR1
        let stopped: RestartRun.Outcome
        do {
            defer { StopSignal.flag.pointee = 0 }
            stopped = try restart(s, data).run(until: s.steps)
        }
        XCTAssertEqual(stopped, .stopped)
        XCTAssertEqual(try records(s), [], "stopped after step 1, before the first snapshot")
        let state = try Checkpoint.read(from: RestartFiles(run: s.out, index: 0).state)
        XCTAssertEqual(try state.int("step"), 1)
        XCTAssertEqual(try state.int("loss_steps"), 1)
        XCTAssertEqual(try restart(s, data).run(until: s.steps), .reached)
        func withoutSeconds(_ r: JSONValue) -> [String] {
            (r.members ?? []).filter { $0.key != "seconds" }.map { "\($0.key)=\($0.value.serialized)" }
        }
        XCTAssertEqual(try records(s).map(withoutSeconds), try records(reference).map(withoutSeconds))
        XCTAssertEqual(try records(s).map { $0["loss_steps"]?.int }, [4, 2])
    }
}
