import Comm
import EventStore
import Foundation
import Support

/// An ensemble of restarts in one MPI job: COMM_WORLD is split into R/r groups of r ranks; restarts
/// are handed out dynamically through a shared counter (a group that finishes takes the next
/// unstarted one); each group trains its restart data-parallel. With successive halving the run
/// goes in four stages (25 %, 50 %, 75 %, 100 % of the steps) and after each of the first three
/// the worse half of the surviving restarts (by best KS sum so far) is stopped.
/// Thrown after a stop signal once every group saved its restart's state.
public struct EnsembleStopped: ReportableError {
    public let run: String
    public var exitCode: Int32 { ExitStatus.resumable }
    public var label: String { "stopped" }
    public var description: String {
        "a signal arrived; every running restart saved its state in \((run as NSString).appendingPathComponent("restarts")); "
            + "rerun the same command to continue"
    }
}

public enum EnsembleRun {
    public static func run(_ given: GANSettings, world: Communicator, console: Console) throws {
        let settings = try world.agree { try given.forWorld(size: world.size) }
        let group = try world.split(color: world.rank / settings.ranksPerRestart, key: world.rank)
        let data = try world.agree { try GANData.load(settings, comm: group) }
        // Before RUN/ is created: a refused split or score leaves no run directory behind.
        let heldOutRows = Int(try group.allreduce(Int64(data.prepared.heldOut.rows), op: .sum))
        let sized = try world.agree { try settings.fitted(trainingRows: data.trainTotal, heldOutRows: heldOutRows) }
        for note in sized.notes { console.line(note) }
        let score = try world.agree { try data.scoreChoice(settings) }
        if let note = score.note { console.line(note) }
        // The quantities actually scored: records, the leaderboard and the selection use them.
        var s = sized.settings
        s.score = score.names
        try world.agree { if world.isRoot { try prepareRunDirectory(s) } }
        if s.space == .full {
            // A latent-space ensemble trains on its reducer's split, whose RUN/heldout.h5 the reducer wrote.
            let heldOut = (s.out as NSString).appendingPathComponent(HeldOutTable.fileName)
            let rows = try HeldOutTable.write(source: s.data, dataset: s.dataset, dropNonFinite: s.dropNonFinite,
                                              split: data.prepared.split, to: heldOut, comm: world)
            console.line("ensemble: held-out rows (never trained on): \(rows) rows of \(s.data) -> \(heldOut)")
        }
        let scorer = try SnapshotScorer(names: s.score, weights: ScoreChoice.weights(s.score, s.scoreWeights), data: data,
                                        events: s.validationEvents, seed: s.seed, comm: group)
        console.line("ensemble: \(s.restartIndices.count) restart(s) of a \(s.model.rawValue) in \(s.space.rawValue) space "
                     + "(\(data.outputColumns.count) columns, \(data.trainTotal) training rows) on \(world.size / s.ranksPerRestart) "
                     + "group(s) of \(s.ranksPerRestart) rank(s); \(s.steps) steps, snapshot every \(s.snapshotEvery)")
        var alive = try world.agree { world.isRoot ? unfinished(s) : [] }
        alive = try broadcast(alive, comm: world)
        let stages = stageEnds(s)
        for (stageIndex, end) in stages.enumerated() {
            let stopped = try abortingOnError(world) {
                try runStage(alive, until: end, s: s, data: data, scorer: scorer, world: world, group: group, console: console)
            }
            if try world.allreduce(Int32(stopped ? 1 : 0), op: .max) != 0 {
                throw world.stopped(StopRecord(directory: s.out, stage: "ensemble"), total: s.restartIndices.count * s.steps,
                                    unit: "restart steps", stop: EnsembleStopped(run: s.out)) { savedSteps(s) }
            }
            if stageIndex < stages.count - 1 {
                alive = try world.agree { world.isRoot ? try prune(alive, at: end, s: s, console: console) : [] }
                alive = try broadcast(alive, comm: world)
            }
        }
        try world.agree { if world.isRoot { try finish(s, console: console) } }
        world.clearing(StopRecord(directory: s.out, stage: "ensemble"))
    }

    /// Trains every restart of `tasks` to `end`; returns whether a stop signal ended this group's work.
    private static func runStage(_ tasks: [Int], until end: Int, s: GANSettings, data: GANData, scorer: SnapshotScorer,
                                 world: Communicator, group: Communicator, console: Console) throws -> Bool {
        let counter = try SharedCounter(comm: world)
        defer { try? counter.free() }
        while true {
            let drawn = group.isRoot ? try counter.next() : 0
            let next = Int(try group.broadcast(drawn))
            guard next < tasks.count else { return false }
            let restart = try RestartRun(index: tasks[next], settings: s, data: data, scorer: scorer, comm: group, console: console)
            let outcome = try restart.run(until: end)
            if outcome == .stopped { return true }
            if outcome == .diverged || end == s.steps {
                try group.agree {
                    guard group.isRoot else { return }
                    try restart.files.writeResult(RestartFiles.Result(restart: restart.index, seed: s.restartSeed(restart.index), steps: s.steps,
                                                        finished: true, pruned: false, pruned_at: nil,
                                                        diverged: outcome == .diverged, group: world.rank / s.ranksPerRestart))
                }
            }
        }
    }

    /// Groups work independently between stages, so an error inside one group cannot be agreed
    /// with the others: its rank reports it and aborts the whole job (no rank is left waiting).
    private static func abortingOnError<T>(_ world: Communicator, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PeerFailure {
            usleep(500_000)  // let the reporting rank print first
            world.abort(code: error.exitCode)
        } catch let error as ReportableError {
            FileHandle.standardError.write(Data("\(error.label): \(error.description)\n".utf8))
            world.abort(code: error.exitCode)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            world.abort(code: ExitStatus.software)
        }
    }
}
