import Comm
import EventStore
import Foundation
import Generation
import Support
import Training

/// The [pipeline] table of a job file: where the chain writes, what it simulates (or which table of
/// the user's it reads instead, `data`) and how much it generates. The other stages read their own
/// tables ([reduce], [ensemble]) and `[roles]` from the same file.
public struct PipelineSettings {
    public var job: String
    public var out: String
    public var process: String
    /// The user's table (HDF5 or CSV) replacing the simulation, and its HDF5 dataset; nil: simulate.
    public var data: String?
    public var dataset: String
    /// Which columns play the physics roles (`[roles]`, `--roles`), for every stage.
    public var roles = ColumnRoles()
    /// `--roles` as given, handed on to the reduce and ensemble stages.
    public var rolesOption: String?
    public var events: Int
    public var seed: UInt64
    public var generateEvents: Int
    public var shardEvents: Int
    public var metric: String
    /// In-process workers per rank for reduce and the ensemble (`pipeline --threads`, e.g. Slurm's
    /// --cpus-per-task); nil keeps each stage's `threads` from the job file.
    public var threads: Int? = nil
    /// [generate] support_guard / support_margin: the generate stage's support guard (nil: off).
    public var supportMargin: Double? = SupportGuard.defaultMargin

    public static let schema: [ConfigOption] = [
        ConfigOption("out", .string, default: "runs/pipeline", help: "Directory of every stage's output."),
        ConfigOption("process", .string, default: "dy", help: "Built-in process to simulate: dy or zh-inv."),
        ConfigOption("data", .string, help: "Your own table (HDF5 or CSV) instead of the simulation."),
        ConfigOption("dataset", .string, default: "events", help: "Dataset or group of `data` (HDF5)."),
        ConfigOption("events", .int, default: 400_000, help: "Simulated events (training and held-out)."),
        ConfigOption("seed", .int, default: 1, help: "Seed of the simulation and of generation."),
        ConfigOption("generate_events", .int, default: 1_000_000, help: "Events to generate with the best model."),
        ConfigOption("shard_events", .int, default: 250_000, help: "Events per generated shard."),
        ConfigOption("metric", .string, default: "ks-sum", help: "Selection metric: ks-sum or rank-sum."),
    ]

    public static func load(job: String, out: String?, roles: String? = nil) throws -> PipelineSettings {
        var config = try JobConfig.load(path: job, section: "pipeline", schema: schema, otherSections: JobSections.besides("pipeline"))
        let data = config.value("data")?.stringValue
        if let data, let line = config.fileValues["process"]?.line {
            throw InputError("\(job) line \(line): [pipeline] sets both process (simulate) and data = \"\(data)\" (your table); "
                             + "expected one of them; remove process to use your table", exitCode: ExitStatus.usage)
        }
        if data != nil, let line = config.fileValues["events"]?.line {
            throw InputError("\(job) line \(line): [pipeline] events sets how many events to simulate, but data = \"\(data!)\" "
                             + "replaces the simulation; remove events (every row of the table is used)", exitCode: ExitStatus.usage)
        }
        var s = PipelineSettings(
            job: job, out: try config.string("out", cli: out), process: try config.string("process", cli: nil),
            data: data, dataset: try config.string("dataset"),
            events: try config.int("events", cli: nil),
            seed: UInt64(bitPattern: Int64(try config.int("seed", cli: nil))),
            generateEvents: try config.int("generate_events", cli: nil), shardEvents: try config.int("shard_events", cli: nil),
            metric: try config.string("metric", cli: nil))
        s.rolesOption = roles
        s.roles = try ColumnRoles.load(job: job, cli: roles)
        for (name, value) in [("events", s.events), ("generate_events", s.generateEvents), ("shard_events", s.shardEvents)]
        where value < 1 {
            throw InputError("[pipeline] \(name) must be at least 1, found \(value) in '\(job)'", exitCode: ExitStatus.usage)
        }
        // The later stages' tables, keys and types, now: a typo in [ensemble] must not wait for the
        // simulation and the reduction to finish (their values are resolved when the stage runs).
        for (section, schema) in [("reduce", ReduceSettings.schema), ("ensemble", GANSettings.schema)] {
            _ = try JobConfig.load(path: job, section: section, schema: schema, otherSections: JobSections.besides(section))
        }
        s.supportMargin = try GenerateSettings.supportMargin(job: job)
        if let data, !FileManager.default.fileExists(atPath: data) {
            throw InputError("[pipeline] data = \"\(data)\" in '\(job)': no such file; expected an event table (HDF5 or CSV); "
                             + "fix the path", exitCode: ExitStatus.noInput)
        }
        return s
    }

    public func path(_ name: String) -> String { (out as NSString).appendingPathComponent(name) }
    /// The table every stage reads: the user's `data`, else the simulated DIR/dy.h5.
    public var table: String { data ?? path("dy.h5") }
    public var heldOut: String { path("heldout.h5") }
    public var reduce: String { path("reduce") }
    public var ensemble: String { path("ensemble") }
    public var generated: String { path("generated") }
    public var evaluation: String { path("evaluation.json") }
}
