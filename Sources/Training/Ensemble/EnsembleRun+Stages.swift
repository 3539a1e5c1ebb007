import Comm
import EventStore
import Foundation
import Support

extension EnsembleRun {
    /// Creates RUN/, refuses a run directory that holds a different configuration, writes
    /// config.toml and (latent space) a copy of the reducer model as RUN/reducer.h5. Rank 0 only.
    public static func prepareRunDirectory(_ s: GANSettings) throws {
        let run = s.out as NSString
        let configPath = run.appendingPathComponent("config.toml")
        try OutputPath(configPath).prepare()
        if let old = try? String(contentsOfFile: configPath, encoding: .utf8) {
            try refuseDifferent(old, at: configPath, s)
        }
        try OutputPath(configPath).write(text: s.toml)
        if let model = s.reducerModel, s.space == .latent {
            _ = try Reducer.load(path: model)
            let copy = run.appendingPathComponent("reducer.h5")
            let output = OutputPath(copy)
            try? FileManager.default.removeItem(atPath: output.temporary)
            do { try FileManager.default.copyItem(atPath: model, toPath: output.temporary) } catch {
                throw InputError("cannot copy the reducer model '\(model)' to '\(copy)' (\(OutputPath.reason(error)))",
                                 exitCode: ExitStatus.cannotCreate)
            }
            try output.commit()
        }
    }

    /// Refuses to resume a run whose stored config.toml differs from `s` in an effective value; an
    /// option the stored file lacks (written before the option existed) counts as its default.
    static func refuseDifferent(_ old: String, at path: String, _ s: GANSettings) throws {
        try ConfigDifference.refuseResume(of: "an ensemble", in: s.out, stored: old, storedFile: path, storedName: "config.toml",
                                          unreadableFix: "choose another --out", current: s.toml, section: "ensemble",
                                          schema: GANSettings.schema)
    }

    /// Restarts without a result.json (not finished, pruned or diverged yet). Rank 0 only.
    public static func unfinished(_ s: GANSettings) -> [Int] {
        s.restartIndices.filter { RestartFiles(run: s.out, index: $0).readResult() == nil }
    }

    /// The ensemble's saved work, for the requeue guard: every step of a finished, pruned or diverged
    /// restart, and the step of each unfinished restart's state.h5. Rank 0 only.
    public static func savedSteps(_ s: GANSettings) -> Int {
        s.restartIndices.reduce(0) { sum, index in
            let files = RestartFiles(run: s.out, index: index)
            if files.readResult() != nil { return sum + s.steps }
            let step = (try? Checkpoint.read(from: files.state)).flatMap { try? $0.int("step") } ?? 0
            return sum + Int(step)
        }
    }

    public static func broadcast(_ values: [Int], comm: Communicator) throws -> [Int] {
        let count = Int(try comm.broadcast(Int64(values.count)))
        var buffer = comm.isRoot ? values.map(Int64.init) : [Int64](repeating: 0, count: count)
        try comm.broadcast(&buffer)
        return buffer.map(Int.init)
    }

    /// Stage ends: the whole run, or 25/50/75/100 % (at snapshot boundaries) with successive halving.
    public static func stageEnds(_ s: GANSettings) -> [Int] {
        guard s.prune == "successive-halving" else { return [s.steps] }
        let ends = [1, 2, 3].map { q -> Int in
            let raw = s.steps * q / 4
            return max(s.snapshotEvery, raw / s.snapshotEvery * s.snapshotEvery)
        }
        return Array(Set(ends.filter { $0 < s.steps })).sorted() + [s.steps]
    }

    /// Keeps the better half (rounded up) of `alive` by best KS sum so far; marks the rest pruned. Rank 0 only.
    public static func prune(_ alive: [Int], at step: Int, s: GANSettings, console: Console) throws -> [Int] {
        let best = alive.map { index -> (Int, Double) in
            let records = RestartFiles(run: s.out, index: index).readRecords(through: step)
            return (index, records.filter { !$0.diverged }.map(\.sum).min() ?? .infinity)
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        let keep = (best.count + 1) / 2
        for (index, _) in best[keep...] {
            let files = RestartFiles(run: s.out, index: index)
            try files.writeResult(.init(restart: index, seed: s.restartSeed(index), steps: s.steps, finished: false,
                                        pruned: true, pruned_at: step, diverged: nil, group: nil))
        }
        let text = best.map { "\($0.0): \($0.1.isFinite ? String(format: "%.4f", $0.1) : "diverged")" }.joined(separator: ", ")
        console.line("successive halving at step \(step): best KS sum so far \(text); keeping "
                     + best[..<keep].map { String($0.0) }.joined(separator: ", "))
        return best[..<keep].map(\.0).sorted()
    }

    /// Leaderboard, selection of the best snapshot into RUN/best/, and the summary. Rank 0 only.
    public static func finish(_ s: GANSettings, console: Console) throws {
        let metric = s.metric
        let board = try Leaderboard.load(run: s.out, quantities: s.score)
        try board.write(run: s.out, metric: metric)
        guard let best = board.best(by: metric) else {
            throw InputError("no snapshot of '\(s.out)' can be selected: every snapshot diverged; lower the learning "
                             + "rate or change the model", exitCode: ExitStatus.software)
        }
        try Leaderboard.installBest(run: s.out, entry: best, metric: metric)
        console.line(board.formattedTable(metric: metric, top: 10))
        console.line("best: restart \(best.restart) step \(best.step) (\(metric.rawValue)); generator and preprocessing in "
                     + "\((s.out as NSString).appendingPathComponent("best"))")
    }
}
