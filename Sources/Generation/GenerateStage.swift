import Comm
import Foundation
import NN
import Support

/// What `generate` needs: the model directory (RUN/best), how many events, where, the shard size,
/// the seed, the layout and whether another model's output may be replaced.
public struct GenerateSettings {
    public var model: String
    public var events: Int
    public var out: String
    public var shardEvents: Int
    public var seed: UInt64
    public var layout: GenerationManifest.Layout
    public var overwrite: Bool
    /// `--reweight`: real events the reweighting classifier trains on (nil: no weight column), and how many.
    public var reweight: String? = nil
    /// nil: `defaultReweightRows`.
    public var reweightRows: Int? = nil
    public static let defaultReweightRows = 100_000
    /// How the reweighting classifier trains and its logits become weights (`--reweight-clip`, `--reweight-min-ess`,
    /// `--reweight-exclude`, `--reweight-holdout`, `--reweight-patience`, `--reweight-hidden`).
    public var reweighting = Reweighter.Settings()
    /// Those of the `--reweight-*` options above given on the command line (refused without `--reweight`).
    public var reweightingOptions: [String] = []
    /// `--flow-steps` / `--flow-integrator`: a flow's sampling instead of the snapshot's own.
    public var flow = GeneratorModel.FlowSampling()
    /// `--config` / `--roles`: which columns play the physics roles the reweighting needs (the
    /// frame's reference mu2_px/mu2_py, the derived quantities' inputs). Without `--config`, the
    /// `[roles]` of MODEL/config.toml (the copy of the run's config that `ensemble` puts in best/),
    /// which `--roles` overrides role by role.
    public var rolesConfig: String? = nil
    public var rolesOption: String? = nil
    /// The support guard's margin m (`SupportGuard`): events outside the training range ± m × its
    /// width are redrawn; nil: no guard (`--no-support-guard`, [generate] support_guard = false).
    public var supportMargin: Double? = SupportGuard.defaultMargin

    /// Checks the counts and the layout name; one line naming the fix otherwise.
    public init(model: String, events: Int, out: String, shardEvents: Int = 1_000_000, seed: UInt64 = 1,
                layout: String = "shards", overwrite: Bool = false) throws {
        guard events > 0 else {
            throw InputError("--events must be a positive number of events, found \(events)", exitCode: ExitStatus.usage)
        }
        guard shardEvents > 0 else {
            throw InputError("--shard-events must be a positive number of events per shard, found \(shardEvents)",
                             exitCode: ExitStatus.usage)
        }
        guard let kind = GenerationManifest.Layout(rawValue: layout) else {
            throw InputError("--layout must be one of: shards, single; found '\(layout)'", exitCode: ExitStatus.usage)
        }
        self.model = model
        self.events = events
        self.out = out
        self.shardEvents = shardEvents
        self.seed = seed
        self.layout = kind
        self.overwrite = overwrite
    }

    /// `--config`, `--roles`, `--reweight-rows` and the `reweightingOptions` set up the reweighting
    /// classifier (which columns it reads, how many events it trains on, how its logits become weights); the generator itself needs none of them (its frame
    /// and columns come from the model), so without `--reweight` they would change nothing: refused
    /// in one line rather than ignored.
    public func checkReweightOptions() throws {
        guard reweight == nil else { return }
        let given = [rolesConfig.map { _ in "--config" }, rolesOption.map { _ in "--roles" }, reweightRows.map { _ in "--reweight-rows" }]
            .compactMap { $0 } + reweightingOptions
        guard !given.isEmpty else { return }
        let names = given.count == 1 ? given[0] : given.dropLast().joined(separator: ", ") + " and " + given.last!
        let (verb, it, them) = given.count == 1 ? ("applies", "it", given[0]) : ("apply", "them", "them")
        throw InputError("\(names) only \(verb) with --reweight (the reweighting classifier is the only part of generate that "
                         + "reads \(it)); add --reweight REAL or drop \(them)", exitCode: ExitStatus.usage)
    }
}

/// The generate stage: load the model once, then `GenerateRun` (shards, master, manifest).
public enum GenerateStage {
    public static func run(_ s: GenerateSettings, comm: Communicator) throws {
        try comm.agree { try s.checkReweightOptions() }
        var (model, source) = try comm.agree { try GeneratorModel.load(directory: s.model, flow: s.flow) }
        if let margin = s.supportMargin {
            if let range = model.support {
                model.supportGuard = SupportGuard(range: range, margin: margin)
            } else {
                Console(comm: comm).line("note: '\(s.model)' stores no training range (a model trained before the support guard): "
                                         + "generating without the guard; retrain it to keep events inside the training range")
            }
        }
        if case .flow(let steps, let integrator)? = source.sampling {
            Console(comm: comm).line("sampling: \(steps) \(integrator.rawValue) steps per event (\(steps * integrator.evaluations) "
                                     + "network passes) instead of the snapshot's own")
        }
        if let real = s.reweight {
            let roles = try comm.agree { try ColumnRoles.load(job: s.rolesConfig ?? modelConfig(s.model), cli: s.rolesOption) }
            try reweight(model, source: &source, real: real, rows: s.reweightRows ?? GenerateSettings.defaultReweightRows,
                         settings: s.reweighting, seed: s.seed, roles: roles,
                         given: s.rolesConfig != nil || s.rolesOption != nil, comm: comm)
        }
        var run = GenerateRun(model: model, source: source, events: s.events, shardEvents: s.shardEvents, seed: s.seed,
                              layout: s.layout, out: s.out, overwrite: s.overwrite, comm: comm)
        try run.execute()
    }

    /// MODEL/config.toml when it exists (RUN/best of an ensemble holds a copy of the run's config).
    static func modelConfig(_ model: String) -> String? {
        let path = (model as NSString).appendingPathComponent("config.toml")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
