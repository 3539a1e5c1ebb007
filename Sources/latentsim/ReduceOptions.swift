import ArgumentParser
import Comm
import EventStore
import Foundation
import Support
import Training
import Generation
import Evaluation

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
    @Option(help: "Rotate events so mu2_py = 0 (true/false; default: when mu2_px/mu2_py exist).") var rotate: Bool?
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
    @Option(help: "Comma-separated features carried into the latent space unchanged, counted in --latent (with --pair-mass mu1,mu2, mu1_E holds the dimuon mass).")
    var keep: String?
    @Option(help: "Comma-separated derived quantities (e.g. mll) whose per-event error joins the autoencoder loss.") var derivedLoss: String?
    @Option(help: "Weight of the derived-quantity terms (default 1).") var derivedWeight: Double?
    @Flag(help: "Drop rows with NaN/Inf instead of refusing the file.") var dropNonfinite = false
    @Option(help: "Run directory.") var out: String?
    @Flag(help: "Continue from RUN/model.h5.") var resume = false

    static let schema: [ConfigOption] = [
        ConfigOption("data", .string, help: "Input table (HDF5 or CSV)."),
        ConfigOption("dataset", .string, default: "events", help: "Dataset or group inside the HDF5 file (default events)."),
        ConfigOption("columns", .strings, help: "Feature columns."),
        ConfigOption("method", .string, default: "ae", help: "ae or pca."),
        ConfigOption("latent", .int, default: 4, help: "Number of latent variables n."),
        ConfigOption("epochs", .int, default: 20, help: "Training epochs."),
        ConfigOption("steps", .int, help: "Stop after this many optimizer steps in total."),
        ConfigOption("batch", .int, default: 512, help: "Global batch size."),
        ConfigOption("threads", .int, default: 1, help: "Worker threads per rank."),
        ConfigOption("seed", .int, default: 1, help: "Random seed."),
        ConfigOption("widths", .ints, default: [512, 128, 64, 8], help: "Encoder hidden widths."),
        ConfigOption("lr", .double, default: 1e-3, help: "Learning rate."),
        ConfigOption("optimizer", .string, default: "adam", help: "adam, adadelta or sgd."),
        ConfigOption("schedule", .string, default: "cosine", help: "cosine or constant."),
        ConfigOption("holdout", .double, default: 0.1, help: "Held-out fraction."),
        ConfigOption("checkpoint_every", .int, default: 1000, help: "Checkpoint every K steps."),
        ConfigOption("rotate", .bool, help: "Rotate events so mu2_py = 0."),
        ConfigOption("pair_mass", .strings, default: .array([]), help: "Vectors whose pair mass replaces the first energy."),
        ConfigOption("keep", .strings, default: .array([]), help: "Features carried into the latent space unchanged (counted in latent)."),
        ConfigOption("derived_loss", .strings, default: .array([]), help: "Derived quantities in the autoencoder loss."),
        ConfigOption("derived_weight", .double, default: 1.0, help: "Weight of the derived-quantity terms."),
        ConfigOption("log1p", .strings, default: .array([]), help: "Columns mapped through log1p before standardisation."),
        ConfigOption("zero_spike", .strings, default: .array([]), help: "Columns whose zero spike is moved below their continuum."),
        ConfigOption("quantile", .strings, default: .array([]), help: "Columns mapped through their CDF onto a standard normal."),
        ConfigOption("quantile_ties", .string, default: "spread", help: "Spikes under quantile: spread or midpoint."),
        ConfigOption("quantile_spread", .strings, default: .array([]), help: "Quantile columns whose spikes are spread whatever quantile_ties says."),
        ConfigOption("drop_nonfinite", .bool, default: false, help: "Drop rows with NaN/Inf."),
        ConfigOption("out", .string, help: "Run directory."),
    ]

    /// default < job file [reduce] < command line, then validated.
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
        var job = try JobConfig.load(path: config, section: "reduce", schema: ReduceOptions.schema,
                                     otherSections: PipelineSettings.sections(besides: "reduce"))
        let methodName = try job.string("method", cli: method)
        guard let m = Reducer.Method(rawValue: methodName) else {
            throw InputError("unknown method '\(methodName)'; expected one of: ae, pca", exitCode: ExitStatus.usage)
        }
        let seedValue = try job.int("seed", cli: seed.map { Int(truncatingIfNeeded: $0) })
        var s = ReduceSettings(
            data: try job.string("data", cli: data), dataset: try job.string("dataset", cli: dataset),
            columns: try job.strings("columns", cli: list(columns)), method: m,
            latent: try job.int("latent", cli: latent), epochs: try job.int("epochs", cli: epochs),
            steps: job.value("steps", cli: steps.map { .integer(Int64($0)) })?.intValue.map { Int($0) },
            batch: try job.int("batch", cli: batch), threads: try job.int("threads", cli: threads), seed: UInt64(bitPattern: Int64(seedValue)),
            widths: try job.ints("widths", cli: widthList), lr: try job.double("lr", cli: lr),
            optimizer: try job.string("optimizer", cli: optimizer),
            schedule: try job.string("schedule", cli: schedule), holdout: try job.double("holdout", cli: holdout),
            checkpointEvery: try job.int("checkpoint_every", cli: checkpointEvery),
            rotate: job.value("rotate", cli: rotate.map { .bool($0) })?.boolValue,
            representation: Representation(log1p: try job.strings("log1p", cli: list(log1pColumns)),
                                           zeroSpike: try job.strings("zero_spike", cli: list(zeroSpike)),
                                           quantile: try job.strings("quantile", cli: list(quantile)),
                                           quantileTies: try Representation.ties(job.string("quantile_ties", cli: quantileTies)),
                                           quantileSpread: try job.strings("quantile_spread", cli: list(quantileSpread)),
                                           pairMass: try job.strings("pair_mass", cli: list(pairMass))),
            keep: try job.strings("keep", cli: list(keep)),
            derivedLoss: try job.strings("derived_loss", cli: list(derivedLoss)),
            derivedWeight: try job.double("derived_weight", cli: derivedWeight),
            dropNonFinite: try job.bool("drop_nonfinite", cli: dropNonfinite ? true : nil),
            out: try job.string("out", cli: out), resume: resume, toml: "")
        try s.validate()
        s.toml = job.describe()
        return s
    }
}
