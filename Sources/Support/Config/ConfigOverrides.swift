/// Values given outside the job file, keyed by the option's TOML name: command-line flags, or a
/// pipeline handing a stage its paths. They win over the job file and the built-in default.
public struct ConfigOverrides: Sendable {
    public private(set) var values: [String: TOMLValue] = [:]
    /// `--roles` (ROLE=COLUMN,…), read with the job file's `[roles]` by `ColumnRoles.load`.
    public var roles: String?

    public init() {}

    public subscript(name: String) -> TOMLValue? { values[name] }

    public mutating func set(_ name: String, _ value: String?) { values[name] = value.map(TOMLValue.string) ?? values[name] }
    public mutating func set(_ name: String, _ value: Int?) { values[name] = value.map { .integer(Int64($0)) } ?? values[name] }
    public mutating func set(_ name: String, _ value: Double?) { values[name] = value.map(TOMLValue.float) ?? values[name] }
    public mutating func set(_ name: String, _ value: Bool?) { values[name] = value.map(TOMLValue.bool) ?? values[name] }
    public mutating func set(_ name: String, _ value: [String]?) {
        values[name] = value.map { .array($0.map(TOMLValue.string)) } ?? values[name]
    }
    public mutating func set(_ name: String, _ value: [Int]?) {
        values[name] = value.map { .array($0.map { .integer(Int64($0)) }) } ?? values[name]
    }
}

/// The tables of a job file: each stage reads its own and accepts the others, so one pipeline
/// file configures every stage.
public enum JobSections {
    public static let all = ["pipeline", "simulate", "reduce", "ensemble", "select", "generate", "evaluate", "roles"]
    public static func besides(_ section: String) -> [String] { all.filter { $0 != section } }
}
