import Comm
import EventStore
import Foundation
import Support
import Training

/// Stop and rerun of a study (`study augment`, `study latent`): a list of independent points, each
/// seeded by its index alone, whose `result.json` files are the study's saved progress. Points are
/// dealt to the ranks in rounds (point = round + rank); after every round the ranks agree on errors
/// and on a stop signal (SIGTERM/SIGUSR1), which ends the study at that boundary with exit 75 (78
/// when no point finished since the last stop). A rerun keeps the finished points when they were
/// computed with the same `configuration` and redoes the rest, so the study's file ends as an
/// uninterrupted run's; a rerun of a finished study only rewrites it.
struct StudyGrid {
    /// The study directory.
    let out: String
    /// Its folder of points: STUDY/FOLDER/pI/result.json.
    let folder: String
    let count: Int
    /// "study augment": the lines' prefix.
    let command: String
    /// The stop record's stage and the test hook's (LATENTSIM_TEST_STOP=STAGE:N, a tick per finished point).
    let stage: String
    /// What a point is, for the lines: ("point", "grid points").
    let unit: (one: String, many: String)
    /// The text of everything a point's result depends on, kept as STUDY/FOLDER/config.toml.
    let configuration: String
    /// The finished study's files (augment.json, timing.json), removed first so that no earlier
    /// result passes for this run's.
    let outputs: [String]
    /// The input tables the points were computed from, keyed in `configuration` by content (`Table.key`).
    var tables: [Table] = []

    /// An input table of the points: its role in the settings ("background"), its path and the
    /// SHA-256 of its content (`StudySample.fingerprint`), which `configuration` holds as
    /// `background_sha256` in place of the path: a table regenerated under the same path is another
    /// table, one moved or copied elsewhere is the same.
    struct Table: Equatable {
        let role: String
        let path: String
        let sha256: String
        var key: String { role + "_sha256" }
    }

    func path(_ name: String) -> String { (out as NSString).appendingPathComponent(name) }
    func directory(_ index: Int) -> String { path("\(folder)/p\(index)") }
    func result(_ index: Int) -> String { path("\(folder)/p\(index)/result.json") }
    var configurationFile: String { path("\(folder)/config.toml") }
    var record: StopRecord { StopRecord(directory: out, stage: stage) }

    /// seed: every rank learns which points are finished already (rank 0 decides, `prepareRoot`).
    func prepare(comm: Communicator, console: Console) throws -> [Int] {
        var note: String?
        let kept = try EnsembleRun.broadcast(try comm.agree { () -> [Int] in
            guard comm.isRoot else { return [] }
            let prepared = try prepareRoot()
            note = prepared.note
            return prepared.kept
        }, comm: comm)
        try comm.barrier()
        if let note { console.line(note) }
        return kept
    }

    /// "; 2 finished point(s) kept from an earlier run", or "" when none was.
    func keptNote(_ kept: [Int]) -> String {
        kept.isEmpty ? "" : "; \(kept.count) finished \(unit.one)(s) kept from an earlier run"
    }

    /// Rank 0: removes `outputs`; keeps the finished points when STUDY/FOLDER/config.toml holds
    /// this configuration and removes every other point's directory. Another configuration starts
    /// afresh, with a note naming its first difference; but finished points computed from another
    /// input table (`refuseOtherTables`) are refused, not recomputed. Returns the kept indices.
    func prepareRoot() throws -> (kept: [Int], note: String?) {
        let fm = FileManager.default
        let stored = try? String(contentsOfFile: configurationFile, encoding: .utf8)
        let same = stored == configuration
        if let stored, !same { try refuseOtherTables(stored: stored) }
        var kept: [Int] = []
        do {
            for name in outputs + (same ? [] : [folder]) where fm.fileExists(atPath: path(name)) {
                try fm.removeItem(atPath: path(name))
            }
            if !same { record.clear() }
            for index in 0..<count {
                if same && fm.fileExists(atPath: result(index)) {
                    kept.append(index)
                } else if fm.fileExists(atPath: directory(index)) {
                    try fm.removeItem(atPath: directory(index))
                }
            }
            try fm.createDirectory(atPath: path(folder), withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot prepare the study directory '\(out)': \(OutputPath.reason(error)); choose another --out",
                             exitCode: ExitStatus.cannotCreate)
        }
        try OutputPath(configurationFile).write(text: configuration)
        let note = stored.flatMap { same ? nil : difference(stored: $0) }.map {
            "\(command): the points in \(path(folder)) were computed with another configuration (\($0)); recomputing them"
        }
        return (kept, note)
    }

    /// Finished points whose stored configuration names another content for one of `tables`'
    /// roles (the table was regenerated or replaced) are not silently dropped nor mixed with new
    /// ones: one line saying which table, both digests' first 16 hex digits, where, and the fixes.
    func refuseOtherTables(stored: String) throws {
        guard (0..<count).contains(where: { FileManager.default.fileExists(atPath: result($0)) }),
              let old = try? TOMLDocument(parsing: stored, file: configurationFile) else { return }
        for table in tables {
            guard let was = old.tables.lazy.compactMap({ $0[table.key]?.value.stringValue }).first, was != table.sha256 else { continue }
            throw InputError("\(command): the \(table.role) table '\(table.path)' is not the one the finished \(unit.many) in "
                             + "\(path(folder)) were computed from (content SHA-256 \(was.prefix(16))… expected, \(table.sha256.prefix(16))… "
                             + "found); restore that table, delete \(path(folder)) to recompute them all from this one, or choose another --out",
                             exitCode: ExitStatus.dataError)
        }
    }

    /// The first value that differs between the stored configuration and this one, as
    /// "[study] n_real is [300] in STUDY/FOLDER/config.toml but [300, 600] now".
    func difference(stored: String) -> String {
        guard let old = try? TOMLDocument(parsing: stored, file: configurationFile),
              let new = try? TOMLDocument(parsing: configuration, file: "the current settings") else { return "it cannot be read" }
        let paths = new.tables.map(\.path) + old.tables.map(\.path).filter { p in !new.tables.contains { $0.path == p } }
        for path in paths {
            let a = old.table(path), b = new.table(path)
            for key in Set(a?.keys ?? []).union(b?.keys ?? []).sorted() where a?[key]?.value != b?[key]?.value {
                let name = (path.isEmpty ? "" : (b ?? a).map { $0.displayName + " " } ?? "") + key
                return ConfigDifference(name: name, stored: a?[key]?.value.tomlText, current: b?[key]?.value.tomlText)
                    .describe(storedIn: configurationFile)
            }
        }
        return "it is laid out differently"
    }

    /// shard -> loop: runs this rank's points of every round (`point` returns a point's result; a
    /// resumable error from inside it, a stage stopped on the signal, counts as a stop there) and
    /// stops on a signal at the round's end. Rank 0 returns every point's result in index order.
    func run(kept: [Int], comm: Communicator, console: Console, point: (Int) throws -> JSONValue,
             line: (Int, JSONValue, Double) -> String) throws -> [JSONValue] {
        for round in stride(from: 0, to: count, by: comm.size) {
            let index = round + comm.rank
            let stoppedInside = try comm.agree { () -> Bool in
                guard index < count, !kept.contains(index) else { return false }
                let started = Stopwatch()
                let value: JSONValue
                do { value = try point(index) } catch let stop as ReportableError where stop.exitCode == ExitStatus.resumable {
                    return true
                }
                let output = OutputPath(result(index))
                try output.prepare()
                try output.write(text: value.encoderPrettyText + "\n")
                console.line(line(index, value, started.seconds))
                StopSignal.tick(stage)
                return false
            }
            let inside = try comm.allreduce(Int32(stoppedInside ? 1 : 0), op: .max) != 0
            let signalled = try comm.stopRequested()
            // A signal during the last round lets the study finish: nothing is left to save.
            if inside || (signalled && round + comm.size < count) { throw stopped(comm) }
        }
        comm.clearing(record)
        return try comm.agree {
            guard comm.isRoot else { return [] }
            return try (0..<count).map { try JSONValue.parse(String(contentsOfFile: result($0), encoding: .utf8)) }
        }
    }

    /// The stop: exit 75 naming the finished points, or 78 when none finished since the last stop.
    func stopped(_ comm: Communicator) -> Error {
        let done = comm.isRoot ? (0..<count).filter { FileManager.default.fileExists(atPath: result($0)) }.count : 0
        return comm.stopped(record, total: count, unit: unit.many,
                            stop: StageStopped("finished \(done) of \(count) \(unit.many), kept in \(path(folder))")) { done }
    }
}
