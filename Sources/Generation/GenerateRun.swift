import Comm
import EventStore
import Foundation
import Support
import Training

/// One `latentsim generate` invocation: checks the output directory against an earlier manifest
/// (refusing another model's or seed's output unless --overwrite), keeps the shards whose
/// checksum still matches, regenerates the others (rank s mod size owns shard s; a shard is
/// written by one process, streaming chunk by chunk), then writes the virtual-dataset master and
/// the final manifest. `--layout single` writes one file collectively instead.
public struct GenerateRun {
    public let model: GeneratorModel
    public let source: GeneratorModel.Source
    public let events: Int
    public let shardEvents: Int
    public let seed: UInt64
    public let layout: GenerationManifest.Layout
    public let out: String
    public let overwrite: Bool
    public let comm: Communicator
    /// No progress and no summary line (benchmarks).
    public var quiet = false
    public var console: Console { Console(comm: comm) }

    public init(model: GeneratorModel, source: GeneratorModel.Source, events: Int, shardEvents: Int, seed: UInt64,
         layout: GenerationManifest.Layout, out: String, overwrite: Bool, comm: Communicator) {
        self.model = model
        self.source = source
        self.events = events
        self.shardEvents = layout == .single ? events : shardEvents
        self.seed = seed
        self.layout = layout
        self.out = out
        self.overwrite = overwrite
        self.comm = comm
    }

    public func path(_ file: String) -> String { (out as NSString).appendingPathComponent(file) }

    public var request: GenerationManifest {
        GenerationManifest(model: source.hash, seed: seed, events: events, shardEvents: shardEvents, layout: layout,
                           columns: model.columns, shards: GenerationManifest.plan(events: events, shardEvents: shardEvents,
                                                                                   layout: layout),
                           seconds: 0, complete: false, reweight: source.reweighting,
                           supportGuard: model.supportGuard.map { GenerationManifest.Guard(margin: $0.margin, maxRedraws: SupportGuard.maxRedraws) })
    }

    public mutating func execute() throws {
        let clock = Stopwatch()
        var manifest = request
        var earlier: [GenerationManifest.Shard] = []
        let previousText = try comm.broadcast(try comm.agree { comm.isRoot ? try prepareDirectory(manifest, earlier: &earlier) : "" })
        let previous = previousText.split(separator: ",", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : String($0) }
        let outcome = layout == .shards ? try generateShards(manifest.shards, previous: previous)
                                        : try generateSingle(manifest.shards[0], previous: previous.first ?? nil)
        for (s, sha) in outcome.hashes.enumerated() { manifest.shards[s].sha256 = sha }
        if manifest.supportGuard != nil { recordGuard(&manifest, outcome: outcome, earlier: earlier) }
        if outcome.stopped { throw stopped(manifest) }
        let seconds = try comm.allreduce(clock.seconds, op: .max)
        try comm.agree {
            guard comm.isRoot else { return }
            if layout == .shards {
                try VirtualTable.write(path: path(GenerationManifest.master), columns: model.columns,
                                       sources: manifest.shards.map { VirtualTable.Source(file: $0.file, rows: $0.rows) },
                                       attributes: attributes(firstRow: 0, rows: events))
            }
            manifest.seconds = (seconds * 1000).rounded() / 1000
            manifest.complete = true
            try manifest.write(directory: out)
        }
        comm.clearing(record)
        guard !quiet else { return }
        if let line = guardLine(manifest) { console.line(line) }
        let shards = manifest.shards.count
        let rate = Double(outcome.generated) / max(seconds, 1e-9)
        let reused = outcome.kept > 0 ? ", kept \(outcome.kept) intact" : ""
        console.line("generated \(outcome.generated) of \(events) events (seed \(seed), \(source.space) \(source.kind)) into "
                     + (layout == .shards ? "\(outcome.regenerated) of \(shards) shard(s)\(reused)" : "one file written collectively")
                     + " on \(comm.size) rank(s) in \(seconds.formatted(2)) s: \(Int(rate)) events/s "
                     + "(\(Int(rate / Double(comm.size))) per rank) -> \(path(GenerationManifest.master))")
    }

    /// The requeue guard's record of shards complete at each stop (GEN/.latentsim-stop-generate.json).
    public var record: StopRecord { StopRecord(directory: out, stage: "generate") }

    /// After a stop at a shard boundary: rank 0 records the complete shards' checksums in the manifest
    /// (still `complete: false`, so a rerun checks them against it), and every rank gets the error to throw.
    private func stopped(_ manifest: GenerationManifest) -> Error {
        let complete = manifest.shards.filter { $0.sha256 != nil }.count
        do {
            try comm.agree { if comm.isRoot { try manifest.write(directory: out) } }
        } catch {
            return error
        }
        let detail = "\(complete) of \(manifest.shards.count) \(layout == .shards ? "shard(s)" : "file(s)") of \(out) are complete "
            + "and listed with their SHA-256 in \(path(GenerationManifest.name)) (complete: false)"
        return comm.stopped(record, total: manifest.shards.count, unit: "files", stop: StageStopped(detail)) { complete }
    }

    /// File attributes of a shard (and the master): what made it and which rows it holds.
    public func attributes(firstRow: Int, rows: Int) -> [(String, AttributeValue)] {
        [("model", .string(source.hash)), ("space", .string(source.space)), ("generator", .string(source.kind)),
         ("seed", .int(Int64(bitPattern: seed))), ("events", .int(Int64(events))), ("first_row", .int(Int64(firstRow))),
         ("rows", .int(Int64(rows)))]
    }

    /// Rank 0: makes sure `out` is writable and holds either nothing of ours, or an earlier run of
    /// the same request (else refuses, unless --overwrite, which removes our files first); writes the
    /// pending manifest. Returns the earlier checksums, comma-separated ("" for unknown).
    private func prepareDirectory(_ manifest: GenerationManifest, earlier: inout [GenerationManifest.Shard]) throws -> String {
        let fm = FileManager.default
        try OutputPath(path(GenerationManifest.name)).prepare()
        let ours = ((try? fm.contentsOfDirectory(atPath: out)) ?? []).filter(GenerateRun.isOurs).sorted()
        var previous = [String?](repeating: nil, count: manifest.shards.count)
        if overwrite {
            for name in ours { try remove(name) }
            record.clear()
        } else if fm.fileExists(atPath: path(GenerationManifest.name)) {
            let old: GenerationManifest
            do { old = try GenerationManifest.read(directory: out) } catch let error as InputError {
                throw InputError(error.message + "; or pass --overwrite to replace '\(out)'", exitCode: ExitStatus.cannotCreate)
            }
            guard old.matches(manifest), old.shards.count == manifest.shards.count else {
                throw InputError("'\(out)' already holds events generated with \(old.difference(from: manifest)); pass "
                                 + "--overwrite to replace them, or choose another --out", exitCode: ExitStatus.cannotCreate)
            }
            previous = old.shards.map(\.sha256)
            earlier = old.shards
        } else if !ours.isEmpty {
            throw InputError("'\(out)' already holds \(ours.prefix(3).joined(separator: ", "))\(ours.count > 3 ? ", …" : "") "
                             + "but no manifest.json; pass --overwrite to replace them, or choose another --out",
                             exitCode: ExitStatus.cannotCreate)
        }
        for name in ours where name.hasSuffix(".partial") { try? remove(name) }
        if layout == .shards, fm.fileExists(atPath: path(GenerationManifest.master)) { try remove(GenerationManifest.master) }
        var pending = manifest
        for s in pending.shards.indices where previous[s] != nil {
            pending.shards[s].sha256 = previous[s]
            pending.shards[s].support = earlier[s].support
        }
        try pending.write(directory: out)
        return previous.map { $0 ?? "" }.joined(separator: ",")
    }

    /// Files a generate run writes (and --overwrite may remove): shards, master, manifest, temporaries.
    public static func isOurs(_ name: String) -> Bool {
        let plain = name.hasPrefix(".") && name.hasSuffix(".partial") ? String(name.dropFirst().dropLast(8)) : name
        return plain == GenerationManifest.master || plain == GenerationManifest.name
            || (plain.hasPrefix("shard-") && plain.hasSuffix(".h5"))
    }

    private func remove(_ name: String) throws {
        do { try FileManager.default.removeItem(atPath: path(name)) } catch {
            throw InputError("cannot remove '\(path(name))' (\(OutputPath.reason(error))); check the permissions of '\(out)'",
                             exitCode: ExitStatus.cannotCreate)
        }
    }
}
