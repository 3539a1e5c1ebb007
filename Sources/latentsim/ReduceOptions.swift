import ArgumentParser
import Comm
import Foundation
import Support
import Training

/// Command-line options of `reduce`; each overrides the same key of the job file's [reduce] table.
struct ReduceOptions: ParsableArguments {
    @Option(help: "Job file (TOML) whose [reduce] table holds defaults for every option.") var config: String?
    @Option(help: "Input table (HDF5 or CSV).") var data: String?
    @Option(help: "Dataset or group inside the HDF5 file (default events).") var dataset: String?
    @Option(help: "Comma-separated feature columns.") var columns: String?
    @Option(help: "ae or pca (default ae).") var method: String?
    @Option(help: "Number of latent variables n (default 4).") var latent: Int?
    @Option(help: "Training epochs (default 20).") var epochs: Int?
    @Option(help: "Stop after this many optimizer steps in total (default: every step of every epoch).") var steps: Int?
    @Option(help: "Global batch size, split across ranks (default 512).") var batch: Int?
    @Option(help: "Worker threads per rank, each on its share of the batch with a single-threaded OpenBLAS (default 1). T workers in one process train like T ranks of one worker.") var threads: Int?
    @Option(help: "Random seed (default 1).") var seed: UInt64?
    @Option(help: "Encoder hidden widths, comma-separated; the decoder mirrors them (default 512,128,64,8).") var widths: String?
    @Option(help: "Learning rate (default 0.001).") var lr: Double?
    @Option(help: "adam, adadelta or sgd (default adam).") var optimizer: String?
    @Option(help: "Learning-rate schedule: cosine (decay to lr/100; default) or constant.") var schedule: String?
    @Option(help: "Held-out fraction for evaluation (default 0.1).") var holdout: Double?
    @Option(help: "Checkpoint every K steps (default 1000).") var checkpointEvery: Int?
    @Option(help: "Rotate events so the mu2_py role's column is 0 (true/false; default: when columns play mu2_px/mu2_py, see --roles).") var rotate: Bool?
    @Option(name: .customLong("log1p"), help: "Comma-separated non-negative columns mapped through log1p before standardisation (e.g. jet pTs).")
    var log1pColumns: String?
    @Option(help: "Comma-separated non-negative columns with a spike of zeros (jet pTs, isolations): the spike is moved below the continuum's start.")
    var zeroSpike: String?
    @Option(help: "Comma-separated columns mapped through their training CDF onto a standard normal (exact inverse).")
    var quantile: String?
    @Option(help: "Where --quantile puts a spike of equal values: spread (random, smooth) or midpoint (deterministic; default spread).")
    var quantileTies: String?
    @Option(help: "Comma-separated --quantile columns whose spikes are spread even with --quantile-ties midpoint (e.g. kept features).")
    var quantileSpread: String?
    @Option(help: "Two vectors, e.g. mu1,mu2: the first one's energy is replaced by the pair's invariant mass before scaling.")
    var pairMass: String?
    @Option(help: "The --pair-mass vectors, e.g. mu1,mu2: put back on their mass shells (fitted on the training rows) after generation, keeping their pair mass.")
    var onShell: String?
    @Option(help: "Comma-separated descending columns, leading first, 0 = absent (e.g. the jet pTs): each later one as its ratio to the one before.")
    var ordered: String?
    @Option(help: "Comma-separated features carried into the latent space unchanged, counted in --latent (with --pair-mass mu1,mu2, mu1_E holds the dimuon mass).")
    var keep: String?
    @Option(help: "Comma-separated derived quantities (e.g. mll) whose per-event error joins the autoencoder loss.") var derivedLoss: String?
    @Option(help: "Weight of the derived-quantity terms (default 1).") var derivedWeight: Double?
    @Flag(help: "Drop rows with NaN/Inf instead of refusing the file.") var dropNonfinite = false
    @Option(help: "Run directory.") var out: String?
    @Flag(help: "Continue from RUN/model.h5 (from step 0 while there is none, so a requeued job can always pass it).")
    var resume = false
    @Option(help: RolesHelp.option) var roles: String?

    /// The flags given, as overrides of the job file's [reduce] table; then one library call.
    func resolve() throws -> ReduceSettings {
        let list = Console.commaList
        let widthList = try list(widths).map { items in
            try items.map { item -> Int in
                guard let w = Int(item) else {
                    throw InputError("--widths expects comma-separated integers, found '\(item)'", exitCode: ExitStatus.usage)
                }
                return w
            }
        }
        var o = ConfigOverrides()
        o.set("data", data); o.set("dataset", dataset); o.set("columns", list(columns)); o.set("method", method)
        o.set("latent", latent); o.set("epochs", epochs); o.set("steps", steps); o.set("batch", batch)
        o.set("threads", threads); o.set("seed", seed.map { Int(truncatingIfNeeded: $0) }); o.set("widths", widthList)
        o.set("lr", lr); o.set("optimizer", optimizer); o.set("schedule", schedule); o.set("holdout", holdout)
        o.set("checkpoint_every", checkpointEvery); o.set("rotate", rotate); o.set("log1p", list(log1pColumns))
        o.set("zero_spike", list(zeroSpike)); o.set("quantile", list(quantile)); o.set("quantile_ties", quantileTies)
        o.set("quantile_spread", list(quantileSpread)); o.set("pair_mass", list(pairMass)); o.set("keep", list(keep))
        o.set("on_shell", list(onShell))
        o.set("ordered", list(ordered))
        o.set("derived_loss", list(derivedLoss)); o.set("derived_weight", derivedWeight)
        o.set("drop_nonfinite", dropNonfinite ? true : nil); o.set("out", out); o.roles = roles
        return try ReduceSettings.resolve(config: config, overrides: o, resume: resume)
    }
}
