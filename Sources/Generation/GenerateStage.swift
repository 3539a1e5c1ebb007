import Comm
import Foundation
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
    public var reweightRows = 100_000

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
}

/// The generate stage: load the model once, then `GenerateRun` (shards, master, manifest).
public enum GenerateStage {
    public static func run(_ s: GenerateSettings, comm: Communicator) throws {
        var (model, source) = try comm.agree { try GeneratorModel.load(directory: s.model) }
        if let real = s.reweight { try reweight(model, source: &source, real: real, rows: s.reweightRows, seed: s.seed, comm: comm) }
        var run = GenerateRun(model: model, source: source, events: s.events, shardEvents: s.shardEvents, seed: s.seed,
                              layout: s.layout, out: s.out, overwrite: s.overwrite, comm: comm)
        try run.execute()
    }
}
