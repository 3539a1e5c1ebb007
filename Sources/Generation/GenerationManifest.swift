import Comm
import EventStore
import Foundation
import Support
import Training

/// GEN/manifest.json: what a `latentsim generate` output holds and how to check it (JSONValue's
/// JSONEncoder-style pretty text, names sorted). Written with
/// `complete: false` before any shard is (re)generated and with `complete: true` and every
/// checksum once all shards and the master are in place, so a directory left by an interrupted run
/// never looks finished; `verify` and a resuming run compare the shards against it.
public struct GenerationManifest: Codable, Equatable {
    public struct Shard: Codable, Equatable {
        public var file: String
        public var firstRow: Int
        public var rows: Int
        /// nil until the shard is written (in a manifest with `complete: false`).
        public var sha256: String?
        /// What the support guard did in this shard (nil: no guard, or not written yet).
        public var support: GuardCounts? = nil

        public enum CodingKeys: String, CodingKey { case file, firstRow = "first_row", rows, sha256, support }
    }

    /// The support guard's work (`SupportGuard.Counts`): events whose first draw fell outside the
    /// training range ± margin, replacement draws, and per column the rejected draws with it outside.
    public struct GuardCounts: Codable, Equatable {
        public var rejectedEvents: Int
        public var redraws: Int
        public var rejectedByColumn: [String: Int]

        public enum CodingKeys: String, CodingKey { case rejectedEvents = "rejected_events", redraws, rejectedByColumn = "rejected_by_column" }

        public init(_ counts: SupportGuard.Counts, columns: [String]) {
            rejectedEvents = counts.rejectedEvents
            redraws = counts.redraws
            rejectedByColumn = Dictionary(uniqueKeysWithValues: zip(columns, counts.byColumn))
        }

        public mutating func add(_ other: GuardCounts) {
            rejectedEvents += other.rejectedEvents
            redraws += other.redraws
            rejectedByColumn.merge(other.rejectedByColumn, uniquingKeysWith: +)
        }
    }

    /// `generate`'s support guard (absent: off, or a model without a stored range): the margin, the
    /// redraw limit per event and the totals over every shard.
    public struct Guard: Codable, Equatable {
        public var margin: Double
        public var maxRedraws: Int
        public var total: GuardCounts?

        public enum CodingKeys: String, CodingKey { case margin, maxRedraws = "max_redraws", total }
    }

    public enum Layout: String, Codable, CaseIterable { case shards, single }

    /// `generate --reweight`: the real events the weights' classifier trained on, so that `evaluate`
    /// can refuse to measure the weighted figures against them (`EvaluateStage+Reweighting`).
    public struct Reweighting: Codable, Equatable {
        /// REAL as an absolute path, and its SHA-256 when the classifier read it.
        public var real: String
        public var sha256: String
        /// The first `firstRows` rows of REAL were read (non-finite ones dropped); the classifier trained on
        /// `rows` of them, the held-out ones included.
        public var firstRows: Int
        public var rows: Int

        public enum CodingKeys: String, CodingKey { case real, sha256, firstRows = "first_rows", rows }

        public init(real: String, sha256: String, firstRows: Int, rows: Int) {
            self.real = real
            self.sha256 = sha256
            self.firstRows = firstRows
            self.rows = rows
        }
    }

    public static let name = "manifest.json"
    public static let master = "events.h5"
    public static let format = "latentsim-generation-1"

    public var format = GenerationManifest.format
    /// SHA-256 of generator.h5 (+ reducer.h5).
    public var model: String
    public var seed: UInt64
    public var events: Int
    public var shardEvents: Int
    public var layout: Layout
    public var columns: [String]
    public var shards: [Shard]
    public var seconds: Double
    public var complete: Bool
    /// nil without `--reweight` (the member is then absent).
    public var reweight: Reweighting? = nil
    /// nil without the support guard (the member is then absent).
    public var supportGuard: Guard? = nil

    public enum CodingKeys: String, CodingKey {
        case format, model, seed, events, shardEvents = "shard_events", layout, columns, shards, seconds, complete, reweight
        case supportGuard = "support_guard"
    }

    /// The shard plan of N events: `shard-00000.h5`, … of `shardEvents` rows each (the last one
    /// shorter), or the one file `events.h5` written collectively.
    public static func plan(events: Int, shardEvents: Int, layout: Layout) -> [Shard] {
        guard layout == .shards else { return [Shard(file: master, firstRow: 0, rows: events, sha256: nil)] }
        let count = (events + shardEvents - 1) / shardEvents
        return (0..<count).map { s in
            let first = s * shardEvents
            return Shard(file: String(format: "shard-%05d.h5", s), firstRow: first, rows: min(events, first + shardEvents) - first,
                         sha256: nil)
        }
    }

    /// Same generation request (model, seed, size, layout, support guard): the shards may be reused.
    public func matches(_ other: GenerationManifest) -> Bool {
        model == other.model && seed == other.seed && events == other.events && shardEvents == other.shardEvents
            && layout == other.layout && columns == other.columns && supportGuard?.margin == other.supportGuard?.margin
            && supportGuard?.maxRedraws == other.supportGuard?.maxRedraws
    }

    static func describe(_ g: Guard?) -> String {
        g.map { "support margin \($0.margin) (\($0.maxRedraws) redraws)" } ?? "no support guard"
    }

    /// Why `other` (the request) cannot reuse this directory, for the refusal message.
    public func difference(from other: GenerationManifest) -> String {
        if model != other.model { return "a different model (sha256 \(model.prefix(12))…, this one \(other.model.prefix(12))…)" }
        if seed != other.seed { return "seed \(seed) (this run: \(other.seed))" }
        if events != other.events { return "\(events) events (this run: \(other.events))" }
        if shardEvents != other.shardEvents { return "shards of \(shardEvents) events (this run: \(other.shardEvents))" }
        if layout != other.layout { return "layout '\(layout.rawValue)' (this run: '\(other.layout.rawValue)')" }
        if columns == other.columns {
            return "\(GenerationManifest.describe(supportGuard)) (this run: \(GenerationManifest.describe(other.supportGuard)))"
        }
        return "columns \(columns.joined(separator: ",")) (this run: \(other.columns.joined(separator: ",")))"
    }

    public static func read(directory: String) throws -> GenerationManifest {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError("'\(path)' does not exist or is unreadable; '\(directory)' is not the output of `latentsim generate`",
                             exitCode: ExitStatus.noInput)
        }
        do {
            return try JSONValue.decode(GenerationManifest.self, from: text)
        } catch {
            throw InputError("'\(path)' is not a generation manifest (\(error)); rerun `latentsim generate` with --overwrite",
                             exitCode: ExitStatus.dataError)
        }
    }

    /// Writes GEN/manifest.json (one rank; temporary name, then rename).
    public func write(directory: String) throws {
        let text = try JSONValue(encoding: self).encoderPrettyText + "\n"
        try OutputPath((directory as NSString).appendingPathComponent(GenerationManifest.name)).write(text: text)
    }
}
