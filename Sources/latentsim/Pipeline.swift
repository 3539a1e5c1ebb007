import ArgumentParser
import Comm
import EventStore
import Foundation
import Support
import Training
import Generation
import Evaluation

struct Pipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole chain in one MPI job: simulate → reduce → ensemble → select → generate → evaluate.",
        discussion: "mpirun -np 2 latentsim pipeline jobs/quickstart.toml. The job file's [pipeline] table sets the "
            + "output directory, the simulated and generated event counts; [reduce] and [ensemble] configure those "
            + "stages. Outputs: DIR/dy.h5 (simulated), DIR/reduce/ (autoencoder), DIR/heldout.h5 (the held-out real "
            + "rows, never trained on), DIR/ensemble/ (leaderboard, best/), DIR/generated/ (shards, events.h5, "
            + "manifest.json) and DIR/evaluation.json (KS per column and quantity, generated vs held-out real). "
            + "Rerunning continues: a finished simulation and reduction are kept, the ensemble and generation resume.")

    @Argument(help: "Job file (TOML).") var job: String
    @Option(help: "Output directory (default: [pipeline] out of the job file, else runs/pipeline).") var out: String?

    func run() throws {
        let comm = try Communicator.world()
        let console = Console(comm: comm)
        let s = try comm.agree { try PipelineSettings.load(job: job, out: out) }
        let clock = Stopwatch()
        try PipelineStages.simulate(s, comm: comm, console: console)
        try PipelineStages.reduce(s, comm: comm, console: console)
        try PipelineStages.writeHeldOut(s, comm: comm, console: console)
        try PipelineStages.stage("ensemble", console) {
            try Ensemble.parse(["--config", s.job, "--data", s.table, "--reducer", s.reduce, "--out", s.ensemble]).run()
        }
        try PipelineStages.stage("select", console) { try Select.parse([s.ensemble, "--metric", s.metric]).run() }
        try PipelineStages.stage("generate", console) {
            try Generate.parse(["--model", s.path("ensemble/best"), "--events", String(s.generateEvents), "--out", s.generated,
                                "--shard-events", String(s.shardEvents), "--seed", String(s.seed)]).run()
        }
        try PipelineStages.stage("evaluate", console) {
            try Evaluate.parse(["--real", s.heldOut, "--generated", s.generated, "--out", s.evaluation]).run()
        }
        console.line(PipelineStages.summary(s, seconds: clock.seconds))
    }
}
