import Comm
import EventStore
import Foundation
import Support

extension ReduceSettings {
    public static let schema: [ConfigOption] = [
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
        ConfigOption("rotate", .bool, help: "Rotate events so the mu2_py role's column is 0."),
        ConfigOption("pair_mass", .strings, default: .array([]), help: "Vectors whose pair mass replaces the first energy."),
        ConfigOption("pair_pt", .bool, default: false, help: "With pair_mass: the pair's px, py replace the first vector's."),
        ConfigOption("on_shell", .strings, default: .array([]), help: "The pair_mass vectors put back on their mass shells after generation, keeping their pair mass."),
        ConfigOption("ordered", .strings, default: .array([]),
                     help: "Descending columns, leading first, 0 = absent (the jet pTs): each later one as its ratio to the one before."),
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

    /// default < job file [reduce] < overrides (command line, pipeline), then validated.
    public static func resolve(config: String?, overrides: ConfigOverrides, resume: Bool = false) throws -> ReduceSettings {
        var job = try JobConfig.load(path: config, section: "reduce", schema: schema,
                                     otherSections: JobSections.besides("reduce"), overrides: overrides)
        let methodName = try job.string("method")
        guard let m = Reducer.Method(rawValue: methodName) else {
            throw InputError("unknown method '\(methodName)'; expected one of: ae, pca", exitCode: ExitStatus.usage)
        }
        var s = ReduceSettings(
            data: try job.string("data"), dataset: try job.string("dataset"),
            columns: try job.strings("columns"), method: m,
            latent: try job.int("latent"), epochs: try job.int("epochs"),
            steps: job.value("steps")?.intValue.map { Int($0) },
            batch: try job.int("batch"), threads: try job.int("threads"),
            seed: UInt64(bitPattern: Int64(try job.int("seed"))),
            widths: try job.ints("widths"), lr: try job.double("lr"),
            optimizer: try job.string("optimizer"),
            schedule: try job.string("schedule"), holdout: try job.double("holdout"),
            checkpointEvery: try job.int("checkpoint_every"),
            rotate: job.value("rotate")?.boolValue,
            representation: try Representation(job: &job),
            keep: try job.strings("keep"),
            derivedLoss: try job.strings("derived_loss"),
            derivedWeight: try job.double("derived_weight"),
            dropNonFinite: try job.bool("drop_nonfinite"),
            out: try job.string("out"), resume: resume, toml: "")
        s.roles = try ColumnRoles.load(job: config, cli: overrides.roles)
        try s.validate()
        s.toml = job.describe() + s.roles.tomlText
        return s
    }
}
