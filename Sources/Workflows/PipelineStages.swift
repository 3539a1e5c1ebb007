import Comm
import Evaluation
import EventStore
import Foundation
import Generation
import Physics
import Support
import Training

/// The pipeline: simulate (or the user's `data`) → reduce → held-out rows → ensemble → select →
/// generate → evaluate → report, each stage one typed library call on the same communicator.
/// SIGTERM/SIGUSR1 (Slurm's warning) stops the running stage at its next safe point with exit 75,
/// and rerunning continues: a finished simulation and reduction are kept, an interrupted reduction
/// resumes from its checkpoint, the ensemble and generation resume, select and evaluate (short) run again.
public enum PipelineStages {
    public static func run(_ s: PipelineSettings, comm: Communicator, console: Console) throws {
        let clock = Stopwatch()
        StopSignal.install()
        if s.data != nil {
            try checkData(s, comm: comm, console: console)
        } else {
            try simulate(s, comm: comm, console: console)
        }
        try reduce(s, comm: comm, console: console)
        try writeHeldOut(s, comm: comm, console: console)
        var overrides = s.overrides
        overrides.set("reducer", s.reduce)
        overrides.set("out", s.ensemble)
        overrides.set("threads", s.threads)
        let ensemble = try comm.agree { try GANSettings.resolve(config: s.job, overrides: overrides) }
        try stage("ensemble", console) { try EnsembleRun.run(ensemble, world: comm, console: console) }
        try stage("select", console) {
            try SelectStage.run(SelectSettings(run: s.ensemble, metric: s.metric), comm: comm, console: console)
        }
        var generate = try comm.agree {
            try GenerateSettings(model: s.path("ensemble/best"), events: s.generateEvents, out: s.generated,
                                 shardEvents: s.shardEvents, seed: s.seed)
        }
        generate.supportMargin = s.supportMargin
        try stage("generate", console) { try GenerateStage.run(generate, comm: comm) }
        var evaluate = EvaluateSettings(real: s.heldOut, generated: s.generated, out: s.evaluation)
        evaluate.roles = s.roles
        try stage("evaluate", console) { try EvaluateStage.run(evaluate, comm: comm, console: console) }
        try report(s, comm: comm, console: console)
        console.line(summary(s, seconds: clock.seconds))
    }

    public static func stage(_ name: String, _ console: Console, _ body: () throws -> Void) throws {
        console.line("== pipeline: \(name)")
        try body()
    }

    /// Simulates the table unless a complete one with the same process, seed and size is there.
    public static func simulate(_ s: PipelineSettings, comm: Communicator, console: Console) throws {
        let same = try comm.agree { () -> Bool in
            guard comm.isRoot, FileManager.default.fileExists(atPath: s.table),
                  let layout = try? EventReader.describe(path: s.table, comm: try Communicator.selfOnly()),
                  let attributes = try? EventInfo.attributes(path: s.table, layout: layout) else { return false }
            let found = Dictionary(attributes.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
            return found["process"] == .string(s.process) && found["seed"] == .int(Int64(bitPattern: s.seed))
                && layout.rows == s.events
        }
        if try comm.broadcast(Int32(same ? 1 : 0)) != 0 {
            console.line("== pipeline: simulate (kept \(s.table))")
            return
        }
        let settings = try comm.agree { try SimulateSettings(process: s.process, events: s.events, seed: s.seed, out: s.table) }
        try stage("simulate", console) { try SimulateStage.run(settings, comm: comm, console: console) }
    }

    /// Trains the reducer unless the run directory holds a finished one (its reconstruction report);
    /// continues from RUN/model.h5 when an interrupted run left that checkpoint.
    public static func reduce(_ s: PipelineSettings, comm: Communicator, console: Console) throws {
        let run = s.reduce as NSString
        let fm = FileManager.default
        let state = comm.isRoot ? (fm.fileExists(atPath: run.appendingPathComponent("reconstruction.json")) ? 2
                                   : fm.fileExists(atPath: run.appendingPathComponent("model.h5")) ? 1 : 0) : 0
        let found = try comm.broadcast(Int32(state))
        if found == 2 {
            console.line("== pipeline: reduce (kept \(s.reduce))")
            return
        }
        var overrides = s.overrides
        overrides.set("out", s.reduce)
        overrides.set("threads", s.threads)
        let settings = try comm.agree { try ReduceSettings.resolve(config: s.job, overrides: overrides, resume: found == 1) }
        try stage(found == 1 ? "reduce (resuming from \(run.appendingPathComponent("model.h5")))" : "reduce", console) {
            try ReduceStage.run(settings, comm: comm, console: console)
        }
    }

    /// DIR/heldout.h5: the rows of the table that the reducer (and so the GANs) held out.
    public static func writeHeldOut(_ s: PipelineSettings, comm: Communicator, console: Console) throws {
        let reducer = try comm.agree { try Reducer.load(path: (s.reduce as NSString).appendingPathComponent("model.h5")) }
        var overrides = s.overrides
        overrides.set("out", s.reduce)
        let reduce = try comm.agree { try ReduceSettings.resolve(config: s.job, overrides: overrides) }
        let rows = try HeldOutTable.write(source: s.table, dataset: s.data == nil ? "events" : s.dataset,
                                          dropNonFinite: reduce.dropNonFinite, split: reducer.split, to: s.heldOut, comm: comm)
        console.line("== pipeline: held-out real events: \(rows) rows of \(s.table) -> \(s.heldOut)")
    }

    public static func summary(_ s: PipelineSettings, seconds: Double) -> String {
        """
        == pipeline finished in \(String(format: "%.0f", seconds)) s
           \(s.data == nil ? "simulated table " : "your table      ")     \(s.table)
           reducer              \(s.reduce)/ (model.h5, reconstruction.json, latent.h5)
           held-out real events \(s.heldOut)
           ensemble             \(s.ensemble)/ (leaderboard.csv, best/)
           generated events     \(s.generated)/events.h5 (h5py: h5py.File("\(s.generated)/events.h5")["events"])
           evaluation           \(s.evaluation)
        """
    }
}
