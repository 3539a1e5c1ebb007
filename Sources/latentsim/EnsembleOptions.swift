import ArgumentParser
import Comm
import Foundation
import Support
import Training

/// Command-line options of `ensemble` and `train-gan`; each overrides the same key of the job
/// file's [ensemble] table.
struct EnsembleOptions: ParsableArguments {
    @Option(help: "Job file (TOML) whose [ensemble] table holds defaults for every option.") var config: String?
    @Option(help: "Training table (HDF5 or CSV).") var data: String?
    @Option(help: "Dataset or group inside the HDF5 file (default events).") var dataset: String?
    @Option(help: "Run directory of `latentsim reduce` (or its model.h5), for space = latent.") var reducer: String?
    @Option(help: "latent (learn the reducer's codes; default) or full (learn the k preprocessed features).") var space: String?
    @Option(help: "Feature columns for space = full (default: every column of the table).") var columns: String?
    @Option(help: "gan (default), wgan-gp, vae or flow.") var model: String?
    @Option(help: "Training steps per restart (default 10000).") var steps: Int?
    @Option(help: "Score a snapshot every K steps (default 100).") var snapshotEvery: Int?
    @Option(help: "Generated events per snapshot score (default 20000).") var validationEvents: Int?
    @Option(help: "Held-out fraction of the table, never trained on (space = full; default 0.1).") var holdout: Double?
    @Option(help: "Comma-separated quantities whose KS sum is the score (default mll,phi_miss,mu1_iso, or what of it the table can give); all = every column and derived quantity; classifier = the snapshot classifier's AUC − 0.5.") var score: String?
    @Option(help: "Weights of score quantities as name=number pairs, e.g. ptll=2,met=1.5 (others count once).") var scoreWeights: String?
    @Option(help: "Number of restarts M (default 8).") var restarts: Int?
    @Option(help: "MPI ranks per restart r, which must divide the rank count (default 1); auto: as many groups as share the restarts evenly (restarts 1: every rank in one group).") var ranksPerRestart: String?
    @Option(help: "Base seed; restart i uses seed + i (default 1).") var seed: UInt64?
    @Option(help: "Global batch: half real, half generated (default 512).") var batch: Int?
    @Option(help: "adadelta (default), adam or sgd.") var optimizer: String?
    @Option(help: "Learning rate (default 1.0 for adadelta, 2e-4 for adam, 0.01 for sgd).") var lr: Double?
    @Option(help: "Generator weight average for snapshots: decay (default 0.999; 0 samples the raw weights; not for the VAE, which samples its raw weights).") var ema: Double?
    @Option(help: "Keep the best K snapshots of each restart as checkpoints (default 5).") var topK: Int?
    @Option(help: "Selection metric: ks-sum (default) or rank-sum.") var metric: String?
    @Option(help: "none (default) or successive-halving.") var prune: String?
    @Option(help: "Worker threads per rank, each on its share of the batch with a single-threaded OpenBLAS (default 1). T workers in one process train like T ranks of one worker.") var threads: Int?
    @Flag(help: "Drop rows with NaN/Inf instead of refusing the file.") var dropNonfinite = false
    @Option(help: "Run directory.") var out: String?
    @Option(help: RolesHelp.option) var roles: String?

    /// The flags given, as overrides of the job file's [ensemble] table; then one library call.
    func resolve() throws -> GANSettings {
        let list = Console.commaList
        var o = ConfigOverrides()
        o.set("data", data); o.set("dataset", dataset); o.set("reducer", reducer); o.set("space", space)
        o.set("columns", list(columns)); o.set("model", model); o.set("steps", steps); o.set("snapshot_every", snapshotEvery)
        o.set("validation_events", validationEvents); o.set("holdout", holdout); o.set("score", list(score)); o.set("restarts", restarts)
        o.set("score_weights", try ConfigOverrides.numbers(scoreWeights, flag: "--score-weights"))
        if let r = try ConfigOverrides.intOrAuto(ranksPerRestart, flag: "--ranks-per-restart") { o.set("ranks_per_restart", value: r) }
        o.set("seed", seed.map { Int(truncatingIfNeeded: $0) })
        o.set("batch", batch); o.set("optimizer", optimizer); o.set("lr", lr); o.set("ema", ema); o.set("top_k", topK)
        o.set("metric", metric); o.set("prune", prune); o.set("threads", threads); o.set("drop_nonfinite", dropNonfinite ? true : nil); o.set("out", out)
        o.roles = roles
        return try GANSettings.resolve(config: config, overrides: o)
    }
}
