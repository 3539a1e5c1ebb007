import ArgumentParser
import Comm
import EventStore
import Foundation
import Physics
import Support
import Training
import Generation
import Evaluation

/// Command-line options of `ensemble` and `train-gan`; each overrides the same key of the job
/// file's [ensemble] table.
struct EnsembleOptions: ParsableArguments {
    @Option(help: "Job file (TOML) whose [ensemble] table holds defaults for every option.") var config: String?
    @Option(help: "Training table (HDF5 or CSV).") var data: String?
    @Option(help: "Dataset or group inside the HDF5 file (default events).") var dataset: String?
    @Option(help: "Run directory of `latentsim reduce` (or its model.h5), for space = latent.") var reducer: String?
    @Option(help: "latent (learn the reducer's codes; default) or full (learn the k preprocessed features).") var space: String?
    @Option(help: "Feature columns for space = full (default: every column of the table).") var columns: String?
    @Option(help: "gan (default), wgan-gp or vae.") var model: String?
    @Option(help: "Training steps per restart (default 10000).") var steps: Int?
    @Option(help: "Score a snapshot every K steps (default 100).") var snapshotEvery: Int?
    @Option(help: "Generated events per snapshot score (default 20000).") var validationEvents: Int?
    @Option(help: "Comma-separated quantities whose KS sum is the score (default mll,phi_miss,mu1_iso).") var score: String?
    @Option(help: "Number of restarts M (default 8).") var restarts: Int?
    @Option(help: "MPI ranks per restart r; r must divide the rank count (default 1).") var ranksPerRestart: Int?
    @Option(help: "Base seed; restart i uses seed + i (default 1).") var seed: UInt64?
    @Option(help: "Global batch: half real, half generated (default 512).") var batch: Int?
    @Option(help: "adadelta (default), adam or sgd.") var optimizer: String?
    @Option(help: "Learning rate (default 1.0 for adadelta, 2e-4 for adam, 0.01 for sgd).") var lr: Double?
    @Option(help: "Generator weight average for snapshots: decay (default 0.999; 0 samples the raw weights).") var ema: Double?
    @Option(help: "Keep the best K snapshots of each restart as checkpoints (default 5).") var topK: Int?
    @Option(help: "Selection metric: ks-sum (default) or rank-sum.") var metric: String?
    @Option(help: "none (default) or successive-halving.") var prune: String?
    @Option(help: "Worker threads per rank, each on its share of the batch with a single-threaded OpenBLAS (default 1). T workers in one process train like T ranks of one worker.") var threads: Int?
    @Flag(help: "Drop rows with NaN/Inf instead of refusing the file.") var dropNonfinite = false
    @Option(help: "Run directory.") var out: String?

    static let schema: [ConfigOption] = [
        ConfigOption("data", .string, help: "Training table (HDF5 or CSV)."),
        ConfigOption("dataset", .string, default: "events", help: "Dataset or group inside the HDF5 file."),
        ConfigOption("reducer", .string, help: "Run directory of `latentsim reduce`, for space = latent."),
        ConfigOption("space", .string, default: "latent", help: "latent or full."),
        ConfigOption("columns", .strings, help: "Feature columns for space = full."),
        ConfigOption("rotate", .bool, help: "Rotate events so mu2_py = 0 (space = full)."),
        ConfigOption("log1p", .strings, default: .array([]), help: "Columns mapped through log1p (space = full)."),
        ConfigOption("zero_spike", .strings, default: .array([]), help: "Columns whose zero spike is moved below their continuum (space = full)."),
        ConfigOption("quantile", .strings, default: .array([]), help: "Columns mapped through their CDF onto a standard normal (space = full)."),
        ConfigOption("quantile_ties", .string, default: "spread", help: "Spikes under quantile: spread or midpoint (space = full)."),
        ConfigOption("quantile_spread", .strings, default: .array([]), help: "Quantile columns spread whatever quantile_ties says (space = full)."),
        ConfigOption("pair_mass", .strings, default: .array([]), help: "Vectors whose pair mass replaces the first energy (space = full)."),
        ConfigOption("holdout", .double, default: 0.1, help: "Held-out fraction (space = full)."),
        ConfigOption("model", .string, default: "gan", help: "gan, wgan-gp or vae."),
        ConfigOption("steps", .int, default: 10000, help: "Training steps per restart."),
        ConfigOption("snapshot_every", .int, default: 100, help: "Score a snapshot every K steps."),
        ConfigOption("validation_events", .int, default: 20000, help: "Generated events per score."),
        ConfigOption("score", .strings, default: ["mll", "phi_miss", "mu1_iso"], help: "Score quantities."),
        ConfigOption("restarts", .int, default: 8, help: "Number of restarts."),
        ConfigOption("ranks_per_restart", .int, default: 1, help: "MPI ranks per restart."),
        ConfigOption("threads", .int, default: 1, help: "In-process worker threads per rank."),
        ConfigOption("seed", .int, default: 1, help: "Base seed."),
        ConfigOption("batch", .int, default: 512, help: "Global batch, half real and half generated."),
        ConfigOption("noise", .int, default: 8, help: "Generator noise dimension."),
        ConfigOption("generator_widths", .ints, default: [64, 128, 256, 512, 256, 128], help: "Generator hidden widths."),
        ConfigOption("discriminator_widths", .ints, default: [128, 128, 256, 256, 128, 64, 32, 16, 8],
                     help: "Discriminator hidden widths."),
        ConfigOption("slope", .double, default: 0.2, help: "LeakyReLU slope."),
        ConfigOption("optimizer", .string, default: "adadelta", help: "adadelta, adam or sgd."),
        ConfigOption("schedule", .string, default: "constant", help: "Learning rate: constant, or cosine decay to lr/100 over the steps."),
        ConfigOption("lr", .double, help: "Learning rate (default by optimizer)."),
        ConfigOption("regression", .strings, default: ["mll"], help: "Quantities with moment regression terms."),
        ConfigOption("c1", .double, default: 1e-4, help: "Weight of the batch-mean regression term."),
        ConfigOption("c2", .double, default: 1e-4, help: "Weight of the batch-width regression term."),
        ConfigOption("gp_lambda", .double, default: 10, help: "WGAN-GP penalty weight."),
        ConfigOption("critic_steps", .int, default: 5, help: "WGAN-GP critic updates per generator update."),
        ConfigOption("vae_latent", .int, default: 8, help: "VAE latent dimension."),
        ConfigOption("vae_widths", .ints, default: [256, 256], help: "VAE encoder hidden widths (decoder mirrored)."),
        ConfigOption("vae_beta", .double, default: 0.05,
                     help: "VAE KL weight; samples shrink variance by β/2 per standardised column, so keep it small."),
        ConfigOption("ema", .double, default: 0.999,
                     help: "Decay of the generator weights' moving average that snapshots sample from (0: raw weights)."),
        ConfigOption("top_k", .int, default: 5, help: "Snapshot checkpoints kept per restart."),
        ConfigOption("metric", .string, default: "ks-sum", help: "ks-sum or rank-sum."),
        ConfigOption("prune", .string, default: "none", help: "none or successive-halving."),
        ConfigOption("drop_nonfinite", .bool, default: false, help: "Drop rows with NaN/Inf."),
        ConfigOption("out", .string, help: "Run directory."),
    ]

    /// default < job file [ensemble] < command line, then validated.
    func resolve() throws -> GANSettings {
        let list = Console.commaList
        var job = try JobConfig.load(path: config, section: "ensemble", schema: EnsembleOptions.schema,
                                     otherSections: PipelineSettings.sections(besides: "ensemble"))
        func choice<T: RawRepresentable>(_ key: String, _ cli: String?, _: T.Type, _ allowed: String) throws -> T
        where T.RawValue == String {
            let name = try job.string(key, cli: cli)
            guard let value = T(rawValue: name) else {
                throw InputError("unknown \(key) '\(name)'; expected one of: \(allowed)", exitCode: ExitStatus.usage)
            }
            return value
        }
        let regression = try job.strings("regression", cli: nil).map { name -> DerivedQuantity in
            guard let q = DerivedQuantity(rawValue: name) else {
                throw InputError("unknown regression quantity '\(name)'; expected one of: "
                                 + DerivedQuantity.allCases.map(\.rawValue).joined(separator: ", "), exitCode: ExitStatus.usage)
            }
            return q
        }
        func selectionMetric() throws -> Leaderboard.Metric {
            let name = try job.string("metric", cli: metric)
            guard let m = Leaderboard.Metric(rawValue: name) else {
                throw InputError("unknown metric '\(name)'; expected ks-sum or rank-sum", exitCode: ExitStatus.usage)
            }
            return m
        }
        let optimizerName = try job.string("optimizer", cli: optimizer)
        let defaultLR = ["adadelta": 1.0, "adam": 2e-4, "sgd": 0.01][optimizerName] ?? 1.0
        var s = GANSettings(
            data: try job.string("data", cli: data), dataset: try job.string("dataset", cli: dataset),
            reducer: job.value("reducer", cli: reducer.map { .string($0) })?.stringValue,
            space: try choice("space", space, GANSettings.Space.self, "latent, full"),
            columns: try list(columns) ?? (job.value("columns", cli: nil) == nil ? nil : job.strings("columns", cli: nil)),
            rotate: job.value("rotate", cli: nil)?.boolValue,
            representation: Representation(log1p: try job.strings("log1p", cli: nil),
                                           zeroSpike: try job.strings("zero_spike", cli: nil),
                                           quantile: try job.strings("quantile", cli: nil),
                                           quantileTies: try Representation.ties(job.string("quantile_ties", cli: nil)),
                                           quantileSpread: try job.strings("quantile_spread", cli: nil),
                                           pairMass: try job.strings("pair_mass", cli: nil)),
            holdout: try job.double("holdout", cli: nil),
            model: try choice("model", model, GANSettings.Model.self, "gan, wgan-gp, vae"),
            steps: try job.int("steps", cli: steps), snapshotEvery: try job.int("snapshot_every", cli: snapshotEvery),
            validationEvents: try job.int("validation_events", cli: validationEvents),
            score: try job.strings("score", cli: list(score)), restarts: try job.int("restarts", cli: restarts),
            ranksPerRestart: try job.int("ranks_per_restart", cli: ranksPerRestart),
            seed: UInt64(bitPattern: Int64(try job.int("seed", cli: seed.map { Int(truncatingIfNeeded: $0) }))),
            batch: try job.int("batch", cli: batch), noise: try job.int("noise", cli: nil),
            generatorWidths: try job.ints("generator_widths", cli: nil),
            discriminatorWidths: try job.ints("discriminator_widths", cli: nil),
            slope: Float(try job.double("slope", cli: nil)), optimizer: optimizerName,
            schedule: try job.string("schedule", cli: nil),
            lr: job.value("lr", cli: lr.map { .float($0) })?.doubleValue ?? defaultLR,
            regression: regression, c1: try job.double("c1", cli: nil), c2: try job.double("c2", cli: nil),
            gpLambda: try job.double("gp_lambda", cli: nil), criticSteps: try job.int("critic_steps", cli: nil),
            vaeLatent: try job.int("vae_latent", cli: nil), vaeWidths: try job.ints("vae_widths", cli: nil),
            vaeBeta: try job.double("vae_beta", cli: nil),
            ema: try job.double("ema", cli: ema), topK: try job.int("top_k", cli: topK), metric: try selectionMetric(),
            prune: try job.string("prune", cli: prune),
            dropNonFinite: try job.bool("drop_nonfinite", cli: dropNonfinite ? true : nil),
            out: try job.string("out", cli: out), toml: "", threads: try job.int("threads", cli: threads))
        try s.validate()
        s.toml = job.describe()
        return s
    }
}
