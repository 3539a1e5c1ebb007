import Comm
import EventStore
import Foundation

/// GEN/manifest.json: what a `latentsim generate` output holds and how to check it. Written with
/// `complete: false` before any shard is (re)generated and with `complete: true` and every
/// checksum once all shards and the master are in place, so a directory left by an interrupted run
/// never looks finished; `verify` and a resuming run compare the shards against it.
struct GenerationManifest: Codable, Equatable {
    struct Shard: Codable, Equatable {
        var file: String
        var firstRow: Int
        var rows: Int
        /// nil until the shard is written (in a manifest with `complete: false`).
        var sha256: String?

        enum CodingKeys: String, CodingKey { case file, firstRow = "first_row", rows, sha256 }
    }

    enum Layout: String, Codable, CaseIterable { case shards, single }

    static let name = "manifest.json"
    static let master = "events.h5"
    static let format = "latentsim-generation-1"

    var format = GenerationManifest.format
    /// SHA-256 of generator.h5 (+ reducer.h5).
    var model: String
    var seed: UInt64
    var events: Int
    var shardEvents: Int
    var layout: Layout
    var columns: [String]
    var shards: [Shard]
    var seconds: Double
    var complete: Bool

    enum CodingKeys: String, CodingKey {
        case format, model, seed, events, shardEvents = "shard_events", layout, columns, shards, seconds, complete
    }

    /// The shard plan of N events: `shard-00000.h5`, … of `shardEvents` rows each (the last one
    /// shorter), or the one file `events.h5` written collectively.
    static func plan(events: Int, shardEvents: Int, layout: Layout) -> [Shard] {
        guard layout == .shards else { return [Shard(file: master, firstRow: 0, rows: events, sha256: nil)] }
        let count = (events + shardEvents - 1) / shardEvents
        return (0..<count).map { s in
            let first = s * shardEvents
            return Shard(file: String(format: "shard-%05d.h5", s), firstRow: first, rows: min(events, first + shardEvents) - first,
                         sha256: nil)
        }
    }

    /// Same generation request (model, seed, size, layout): the shards may be reused.
    func matches(_ other: GenerationManifest) -> Bool {
        model == other.model && seed == other.seed && events == other.events && shardEvents == other.shardEvents
            && layout == other.layout && columns == other.columns
    }

    /// Why `other` (the request) cannot reuse this directory, for the refusal message.
    func difference(from other: GenerationManifest) -> String {
        if model != other.model { return "a different model (sha256 \(model.prefix(12))…, this one \(other.model.prefix(12))…)" }
        if seed != other.seed { return "seed \(seed) (this run: \(other.seed))" }
        if events != other.events { return "\(events) events (this run: \(other.events))" }
        if shardEvents != other.shardEvents { return "shards of \(shardEvents) events (this run: \(other.shardEvents))" }
        if layout != other.layout { return "layout '\(layout.rawValue)' (this run: '\(other.layout.rawValue)')" }
        return "columns \(columns.joined(separator: ",")) (this run: \(other.columns.joined(separator: ",")))"
    }

    static func read(directory: String) throws -> GenerationManifest {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("'\(path)' does not exist or is unreadable; '\(directory)' is not the output of `latentsim generate`",
                             exitCode: ExitStatus.noInput)
        }
        do {
            return try JSONDecoder().decode(GenerationManifest.self, from: data)
        } catch {
            throw InputError("'\(path)' is not a generation manifest (\(error)); rerun `latentsim generate` with --overwrite",
                             exitCode: ExitStatus.dataError)
        }
    }

    /// Writes GEN/manifest.json (one rank; temporary name, then rename).
    func write(directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let text = String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        try OutputPath((directory as NSString).appendingPathComponent(GenerationManifest.name)).write(text: text)
    }
}
