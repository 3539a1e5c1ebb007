import Comm
import EventStore
import Foundation
import NN
import Support

/// One restart trained by one group: from its saved state (if any) to a given step, scoring a
/// snapshot every `snapshot_every` steps, keeping the top-k snapshot checkpoints, and saving the
/// resumable state at every snapshot (and on a stop signal). The group's rank 0 writes the files.
public final class RestartRun {
    public enum Outcome { case reached, diverged, stopped }

    public let index: Int
    public let files: RestartFiles
    private let s: GANSettings
    private let data: GANData
    private let comm: Communicator
    private let console: Console
    private let scorer: SnapshotScorer
    private let trainer: GeneratorTrainer
    private var kept: [(step: Int, sum: Double)] = []

    public init(index: Int, settings: GANSettings, data: GANData, scorer: SnapshotScorer, comm: Communicator, console: Console) throws {
        self.index = index
        s = settings
        self.data = data
        self.scorer = scorer
        self.comm = comm
        self.console = console
        files = RestartFiles(run: settings.out, index: index)
        trainer = try Trainers.make(settings, data: data, seed: settings.restartSeed(index), comm: comm)
    }

    /// Trains to step `end` (or the end of the run); returns how it stopped. Each record holds the
    /// step losses' means since the previous one: summed here (in place), reset at every record,
    /// and saved with the state (a stop between snapshots resumes with the sums).
    public func run(until end: Int) throws -> Outcome {
        var (start, secondsBefore, losses) = try resume()
        guard start < end else { return .reached }
        let clock = Stopwatch()
        var last = clock.seconds
        let optimizers = trainer.models.map(\.optimizer)
        for step in start..<end {
            let rate = LearningRateSchedule.value(lr: s.lr, schedule: s.schedule, step: step, total: s.steps)
            for optimizer in optimizers { optimizer.learningRate = rate }
            let stepLosses = try trainer.step(step)
            losses.add(stepLosses)
            let done = step + 1
            guard stepLosses.isFinite else {
                let score = SnapshotScore(ks: s.score.map { ($0, .nan) }, columns: [], diverged: true, reason: "non-finite loss")
                try comm.agree { if comm.isRoot { try files.append(RestartFiles.record(restart: index, step: done, score: score,
                                                                                          seconds: secondsBefore + clock.seconds,
                                                                                          losses: losses)) } }
                console.line("restart \(index) step \(done): diverged (non-finite loss); the restart stops here")
                return .diverged
            }
            if done % s.snapshotEvery == 0 || done == s.steps {
                let score = try trainer.withSamplingWeights { try scorer.score(sampler: trainer.sampler) }
                try comm.agree { if comm.isRoot { try keep(score, step: done, seconds: secondsBefore + clock.seconds, losses: &losses) } }
                losses.reset()
                let now = clock.seconds
                console.line(logLine(done, losses: stepLosses, score: score, rate: Double(s.snapshotEvery) / max(now - last, 1e-9)))
                last = now
            }
            StopSignal.tick("ensemble")
            if stepLosses.stopRequested {
                try comm.agree {
                    if comm.isRoot { try GeneratorSnapshot.state(trainer, step: done, restart: index, losses: losses).write(to: files.state) }
                }
                return .stopped
            }
        }
        return .reached
    }

    /// Restores the saved state on every rank of the group; returns (step, training seconds so far,
    /// loss sums since the last record).
    private func resume() throws -> (Int, Double, LossAverages) {
        let exists = try comm.broadcast(Int32(comm.isRoot && FileManager.default.fileExists(atPath: files.state) ? 1 : 0))
        guard exists != 0 else {
            try comm.agree {
                guard comm.isRoot else { return }
                try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
                try files.truncateRecords(through: 0)
            }
            return (0, 0, LossAverages(names: trainer.lossNames))
        }
        let (step, losses) = try comm.agree { try GeneratorSnapshot.restore(trainer, from: files.state) }
        let seconds = try comm.agree { () -> Double in
            guard comm.isRoot else { return 0 }
            try files.truncateRecords(through: step)
            let records = files.readRecords(through: step)
            kept = records.filter { !$0.diverged && FileManager.default.fileExists(atPath: files.snapshot(step: $0.step)) }
                .map { ($0.step, $0.sum) }.sorted { ($0.sum, $0.step) < ($1.sum, $1.step) }
            return records.last?.seconds ?? 0
        }
        console.line("resuming restart \(index) from step \(step)")
        return (step, try comm.broadcast(seconds), losses)
    }

    /// Records the score and the loss means, keeps the snapshot if it is among the best k, and saves
    /// the state with the loss sums reset (rank 0; the caller resets its sums on every rank).
    private func keep(_ score: SnapshotScore, step: Int, seconds: Double, losses: inout LossAverages) throws {
        try files.append(RestartFiles.record(restart: index, step: step, score: score, seconds: seconds, losses: losses))
        losses.reset()
        if !score.diverged && (kept.count < s.topK || score.sum < kept[kept.count - 1].sum) {
            try trainer.withSamplingWeights {
                try GeneratorSnapshot.checkpoint(sampler: trainer.sampler, settings: s, data: data,
                                                 restart: index, step: step, score: score).write(to: files.snapshot(step: step))
            }
            kept.append((step, score.sum))
            kept.sort { ($0.sum, $0.step) < ($1.sum, $1.step) }
            while kept.count > s.topK {
                try? FileManager.default.removeItem(atPath: files.snapshot(step: kept.removeLast().step))
            }
        }
        try GeneratorSnapshot.state(trainer, step: step, restart: index, losses: losses).write(to: files.state)
    }

    private func logLine(_ step: Int, losses: StepLosses, score: SnapshotScore, rate: Double) -> String {
        let l = losses.values.map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: " ")
        let ks = score.diverged ? "diverged (\(score.reason))"
            : score.ks.map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: " ") + " KS sum \(String(format: "%.4f", score.sum))"
        return "restart \(index) step \(step)/\(s.steps) \(l) | \(ks) | \(String(format: "%.1f", rate)) steps/s"
    }
}
