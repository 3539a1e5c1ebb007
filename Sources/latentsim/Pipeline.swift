import ArgumentParser
import Comm
import Workflows

struct Pipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole chain in one MPI job: simulate (or your table) → reduce → ensemble → select → generate "
            + "→ evaluate → report.",
        discussion: "mpirun -np 2 latentsim pipeline jobs/quickstart.toml. The job file's [pipeline] table sets the "
            + "output directory, the simulated and generated event counts, or data = \"table.h5\" (HDF5 or CSV; dataset "
            + "names its HDF5 table) to learn your own table instead of simulating, with [roles] (or --roles) naming the "
            + "columns that play the physics roles; [reduce] and [ensemble] configure those stages, and [generate] the "
            + "generate stage's support guard (support_margin, or support_guard = false). Outputs: DIR/dy.h5 (simulated), "
            + "DIR/reduce/ (autoencoder), DIR/heldout.h5 (the held-out real "
            + "rows, never trained on), DIR/ensemble/ (leaderboard, best/), DIR/generated/ (shards, events.h5, "
            + "manifest.json), DIR/evaluation.json (KS per column and quantity, generated vs held-out real) and "
            + "DIR/report/index.html (plots; without Python's plotting packages the pipeline notes it and still succeeds). "
            + "SIGTERM/SIGUSR1 stop the running stage at its next safe point (exit 75); rerunning continues: a finished "
            + "simulation and reduction are kept, an interrupted reduction resumes from its checkpoint, the ensemble and "
            + "generation resume.")

    @Argument(help: "Job file (TOML).") var job: String
    @Option(help: "Output directory (default: [pipeline] out of the job file, else runs/pipeline).") var out: String?
    @Option(help: RolesHelp.option)
    var roles: String?
    @Option(help: "Worker threads per rank for reduce and the ensemble (default: their `threads` in the job file); under Slurm, --cpus-per-task.")
    var threads: Int?

    func run() throws {
        let comm = try Communicator.world()
        let settings = try comm.agree { () -> PipelineSettings in
            var s = try PipelineSettings.load(job: job, out: out, roles: roles)
            s.threads = threads
            return s
        }
        try PipelineStages.run(settings, comm: comm, console: Console(comm: comm))
    }
}
