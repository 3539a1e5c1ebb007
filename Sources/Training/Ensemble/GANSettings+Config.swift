import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

extension GANSettings {
    public static let schema: [ConfigOption] = [
        ConfigOption("data", .string, help: "Training table (HDF5 or CSV)."),
        ConfigOption("dataset", .string, default: "events", help: "Dataset or group inside the HDF5 file."),
        ConfigOption("reducer", .string, help: "Run directory of `latentsim reduce`, for space = latent."),
        ConfigOption("space", .string, default: "latent", help: "latent or full."),
        ConfigOption("columns", .strings, help: "Feature columns for space = full."),
        ConfigOption("rotate", .bool, help: "Rotate events so the mu2_py role's column is 0 (space = full)."),
        ConfigOption("log1p", .strings, default: .array([]), help: "Columns mapped through log1p (space = full)."),
        ConfigOption("zero_spike", .strings, default: .array([]), help: "Columns whose zero spike is moved below their continuum (space = full)."),
        ConfigOption("quantile", .strings, default: .array([]), help: "Columns mapped through their CDF onto a standard normal (space = full)."),
        ConfigOption("quantile_ties", .string, default: "spread", help: "Spikes under quantile: spread or midpoint (space = full)."),
        ConfigOption("quantile_spread", .strings, default: .array([]), help: "Quantile columns spread whatever quantile_ties says (space = full)."),
        ConfigOption("pair_mass", .strings, default: .array([]), help: "Vectors whose pair mass replaces the first energy (space = full)."),
        ConfigOption("pair_pt", .bool, default: false, help: "With pair_mass: the pair's px, py replace the first vector's (space = full)."),
        ConfigOption("on_shell", .strings, default: .array([]), help: "The pair_mass vectors put back on their mass shells after generation, keeping their pair mass (space = full)."),
        ConfigOption("ordered", .strings, default: .array([]),
                     help: "Descending columns, leading first, 0 = absent (the jet pTs): each later one as its ratio to the one before (space = full)."),
        ConfigOption("holdout", .double, default: 0.1, help: "Held-out fraction (space = full)."),
        ConfigOption("model", .string, default: "gan", help: "gan, wgan-gp, vae or flow."),
        ConfigOption("steps", .int, default: 10000, help: "Training steps per restart."),
        ConfigOption("snapshot_every", .int, default: 100, help: "Score a snapshot every K steps."),
        ConfigOption("validation_events", .int, default: 20000, help: "Generated events per score."),
        ConfigOption("score", .strings, default: ["mll", "phi_miss", "mu1_iso"],
                     help: "Score quantities; \"all\" = every column and derived quantity, \"classifier\" = snapshot classifier AUC − 0.5."),
        ConfigOption("score_weights", .numbers, default: .table([:]), help: "Weights of score quantities, e.g. {ptll = 2.0} (others 1)."),
        ConfigOption("restarts", .int, default: 8, help: "Number of restarts."),
        ConfigOption("ranks_per_restart", .intOrAuto, default: 1,
                     help: "MPI ranks per restart, or \"auto\": as many groups as share the restarts evenly (restarts = 1: every rank in one group)."),
        ConfigOption("threads", .int, default: 1, help: "In-process worker threads per rank."),
        ConfigOption("seed", .int, default: 1, help: "Base seed."),
        ConfigOption("batch", .int, default: 512, help: "Global batch, half real and half generated."),
        ConfigOption("noise", .int, default: 8, help: "Generator noise dimension (GANs; the VAE reads vae_latent values, a flow one per column)."),
        ConfigOption("generator_widths", .ints, default: [64, 128, 256, 512, 256, 128], help: "Generator hidden widths (GANs)."),
        ConfigOption("discriminator_widths", .ints, default: [128, 128, 256, 256, 128, 64, 32, 16, 8],
                     help: "Discriminator hidden widths (GANs)."),
        ConfigOption("slope", .double, default: 0.2, help: "LeakyReLU slope."),
        ConfigOption("optimizer", .string, default: "adadelta", help: "adadelta, adam or sgd."),
        ConfigOption("schedule", .string, default: "constant", help: "Learning rate: constant, or cosine decay to lr/100 over the steps."),
        ConfigOption("lr", .double, help: "Learning rate (default by optimizer)."),
        ConfigOption("regression", .strings, default: ["mll"], help: "Quantities with moment regression terms (GANs)."),
        ConfigOption("c1", .double, default: 1e-4, help: "Weight of the batch-mean regression term (GANs)."),
        ConfigOption("c2", .double, default: 1e-4, help: "Weight of the batch-width regression term (GANs)."),
        ConfigOption("gp_lambda", .double, default: 10, help: "WGAN-GP penalty weight."),
        ConfigOption("critic_steps", .int, default: 5, help: "WGAN-GP critic updates per generator update."),
        ConfigOption("vae_latent", .int, default: 8, help: "VAE latent dimension."),
        ConfigOption("vae_widths", .ints, default: [256, 256], help: "VAE encoder hidden widths (decoder mirrored)."),
        ConfigOption("vae_beta", .double, default: 0.05,
                     help: "VAE KL weight; samples shrink variance by β/2 per standardised column, so keep it small."),
        ConfigOption("flow_widths", .ints, default: [256, 256, 256], help: "Flow-matching velocity network hidden widths."),
        ConfigOption("flow_steps", .int, default: 16, help: "Flow sampler: ODE steps from noise to a row."),
        ConfigOption("flow_integrator", .string, default: "midpoint",
                     help: "Flow sampler: midpoint or heun (2 passes per step, second order) or euler (1 pass, first order)."),
        ConfigOption("ema", .double, default: 0.999,
                     help: "Decay of the generator weights' moving average that snapshots sample from (0: raw weights; GANs and flows, not the VAE)."),
        ConfigOption("top_k", .int, default: 5, help: "Snapshot checkpoints kept per restart."),
        ConfigOption("metric", .string, default: "ks-sum", help: "ks-sum or rank-sum."),
        ConfigOption("prune", .string, default: "none", help: "none or successive-halving."),
        ConfigOption("drop_nonfinite", .bool, default: false, help: "Drop rows with NaN/Inf."),
        ConfigOption("out", .string, help: "Run directory."),
    ] + GANSettings.mmdSchema

    /// default < job file [ensemble] < overrides (command line, pipeline), then validated.
    public static func resolve(config: String?, overrides: ConfigOverrides) throws -> GANSettings {
        var job = try JobConfig.load(path: config, section: "ensemble", schema: schema,
                                     otherSections: JobSections.besides("ensemble"), overrides: overrides)
        func choice<T: RawRepresentable>(_ key: String, _: T.Type, _ allowed: String) throws -> T
        where T.RawValue == String {
            let name = try job.string(key)
            guard let value = T(rawValue: name) else {
                throw InputError("unknown \(key) '\(name)'; expected one of: \(allowed)", exitCode: ExitStatus.usage)
            }
            return value
        }
        let regression = try job.strings("regression").map { name -> DerivedQuantity in
            guard let q = DerivedQuantity(rawValue: name) else {
                throw InputError("unknown regression quantity '\(name)'; expected one of: "
                                 + DerivedQuantity.allCases.map(\.rawValue).joined(separator: ", "), exitCode: ExitStatus.usage)
            }
            return q
        }
        func selectionMetric() throws -> Leaderboard.Metric {
            let name = try job.string("metric")
            guard let m = Leaderboard.Metric(rawValue: name) else {
                throw InputError("unknown metric '\(name)'; expected ks-sum or rank-sum", exitCode: ExitStatus.usage)
            }
            return m
        }
        let optimizerName = try job.string("optimizer")
        let defaultLR = ["adadelta": 1.0, "adam": 2e-4, "sgd": 0.01][optimizerName] ?? 1.0
        var s = GANSettings(
            data: try job.string("data"), dataset: try job.string("dataset"),
            reducer: job.value("reducer")?.stringValue,
            space: try choice("space", GANSettings.Space.self, "latent, full"),
            columns: job.value("columns") == nil ? nil : try job.strings("columns"),
            rotate: job.value("rotate")?.boolValue,
            representation: try Representation(job: &job),
            holdout: try job.double("holdout"),
            model: try choice("model", GANSettings.Model.self, "gan, wgan-gp, vae, flow"),
            steps: try job.int("steps"), snapshotEvery: try job.int("snapshot_every"),
            validationEvents: try job.int("validation_events"),
            score: try job.strings("score"), restarts: try job.int("restarts"),
            ranksPerRestart: try job.intOrAuto("ranks_per_restart") ?? 0,
            seed: UInt64(bitPattern: Int64(try job.int("seed"))),
            batch: try job.int("batch"), noise: try job.int("noise"),
            generatorWidths: try job.ints("generator_widths"),
            discriminatorWidths: try job.ints("discriminator_widths"),
            slope: Float(try job.double("slope")), optimizer: optimizerName,
            schedule: try job.string("schedule"),
            lr: job.value("lr")?.doubleValue ?? defaultLR,
            regression: regression, c1: try job.double("c1"), c2: try job.double("c2"),
            gpLambda: try job.double("gp_lambda"), criticSteps: try job.int("critic_steps"),
            vaeLatent: try job.int("vae_latent"), vaeWidths: try job.ints("vae_widths"),
            vaeBeta: try job.double("vae_beta"),
            ema: try job.double("ema"), topK: try job.int("top_k"), metric: try selectionMetric(),
            prune: try job.string("prune"),
            dropNonFinite: try job.bool("drop_nonfinite"),
            out: try job.string("out"), toml: "", threads: try job.int("threads"))
        s.ranksPerRestartIsAuto = try job.intOrAuto("ranks_per_restart") == nil
        s.flowWidths = try job.ints("flow_widths")
        s.flowSteps = try job.int("flow_steps")
        s.flowIntegrator = try choice("flow_integrator", FlowIntegrator.self, "midpoint, heun, euler")
        s.scoreIsDefault = job.overrides["score"] == nil && job.fileValues["score"] == nil
        s.roles = try ColumnRoles.load(job: config, cli: overrides.roles)
        s.scoreWeights = try job.numbers("score_weights")
        try s.readMMD(&job)
        try s.validate()
        try s.refuseUnreadOptions(job)
        s.toml = job.describe() + s.roles.tomlText
        return s
    }
}
