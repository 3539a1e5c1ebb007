import EventStore
import Foundation
import Support

/// The verify stage: a `generate` output against its manifest (every shard's SHA-256, rows and
/// columns; the master's mappings). The first problem is thrown as one line (66 missing, 65 damaged).
public enum VerifyStage {
    /// The one-line OK summary, or the first problem as an error.
    public static func check(directory: String) throws -> String {
        let manifest = try GenerationManifest.read(directory: directory)
        let root = directory as NSString
        guard manifest.complete else {
            throw InputError("'\(root.appendingPathComponent(GenerationManifest.name))' is incomplete: the generate run that wrote it "
                             + "did not finish; rerun the same `latentsim generate` command to resume it", exitCode: ExitStatus.dataError)
        }
        let rerun = "rerun the same `latentsim generate` command to regenerate it"
        for shard in manifest.shards {
            let file = root.appendingPathComponent(shard.file)
            guard FileManager.default.fileExists(atPath: file) else {
                throw InputError("'\(file)' is missing (listed in manifest.json); \(rerun)", exitCode: ExitStatus.noInput)
            }
            let sha = try SHA256.hex(files: [file])
            guard sha == shard.sha256 else {
                throw InputError("'\(file)' is damaged: its sha256 is \(sha), manifest.json lists \(shard.sha256 ?? "none"); \(rerun)",
                                 exitCode: ExitStatus.dataError)
            }
            let table = try VirtualTable.describe(path: file)
            guard table.rows == shard.rows, table.columns == manifest.columns else {
                throw InputError("'\(file)' holds \(table.rows) rows of \(table.columns.joined(separator: ",")) but manifest.json lists "
                                 + "\(shard.rows) rows of \(manifest.columns.joined(separator: ",")); \(rerun)",
                                 exitCode: ExitStatus.dataError)
            }
        }
        if manifest.layout == .shards { try checkMaster(manifest, directory: directory) }
        let bytes = manifest.shards.reduce(0) { total, shard in
            total + ((try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(shard.file))[.size] as? Int) ?? 0)
        }
        return "OK: \(manifest.events) events in \(manifest.shards.count) file(s) (\(bytes / 1_000_000) MB), checksums, rows and "
            + "columns match manifest.json" + (manifest.layout == .shards ? ", master maps every shard" : "") + " ('\(directory)')"
    }

    private static func checkMaster(_ manifest: GenerationManifest, directory: String) throws {
        let path = (directory as NSString).appendingPathComponent(GenerationManifest.master)
        let fix = "rerun the same `latentsim generate` command to rewrite it"
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError("master '\(path)' is missing; \(fix)", exitCode: ExitStatus.noInput)
        }
        let master = try VirtualTable.describe(path: path)
        guard master.rows == manifest.events, master.columns == manifest.columns else {
            throw InputError("master '\(path)' is a table of \(master.rows) rows × \(master.columns.count) columns, manifest.json lists "
                             + "\(manifest.events) × \(manifest.columns.count); \(fix)", exitCode: ExitStatus.dataError)
        }
        guard master.mappings.count == manifest.shards.count else {
            throw InputError("master '\(path)' has \(master.mappings.count) virtual mappings for \(manifest.shards.count) shards; \(fix)",
                             exitCode: ExitStatus.dataError)
        }
        for (m, shard) in zip(master.mappings, manifest.shards) {
            let expected = shard.firstRow..<(shard.firstRow + shard.rows)
            guard m.file == shard.file, m.dataset == "/events", m.rows == expected, m.sourceRows == 0..<shard.rows,
                  m.width == manifest.columns.count, m.sourceWidth == manifest.columns.count else {
                throw InputError("master '\(path)' maps rows \(m.rows) to '\(m.file)' \(m.dataset) rows \(m.sourceRows), expected rows "
                                 + "\(expected) from '\(shard.file)' /events rows \(0..<shard.rows); \(fix)", exitCode: ExitStatus.dataError)
            }
        }
    }
}
