import Comm
import EventStore
import Foundation
import Physics
import Support

/// Where a study draws events from: a built-in process simulated on demand (event i depends only
/// on the process, the seed and i, so any slice is reproducible on any rank), or a table read
/// whole and shuffled once by the study's seed.
enum StudySample {
    case builtIn(EventGenerator)
    case table(EventTable, path: String, sha256: String)

    static func isBuiltIn(_ name: String) -> Bool { PhysicsProcess(rawValue: name) != nil }

    /// A built-in process with this seed, or the table at `name` in Philox(seed, stream) order.
    static func open(_ name: String, dataset: String, seed: UInt64, stream: UInt64) throws -> StudySample {
        if let process = PhysicsProcess(rawValue: name) { return .builtIn(EventGenerator(process: process, seed: seed)) }
        guard FileManager.default.fileExists(atPath: name) else {
            throw InputError("study table '\(name)' not found: expected a built-in process ("
                             + PhysicsProcess.allCases.map(\.rawValue).joined(separator: ", ") + ") or an HDF5/CSV table path",
                             exitCode: ExitStatus.noInput)
        }
        let table = try EventReader.read(path: name, dataset: dataset, comm: try Communicator.selfOnly()).table
        let sha256 = try fingerprint(table)
        var order = Array(0..<table.rows)
        var rng = Philox(seed: seed, stream: stream, substream: 0x5354_5544)  // "STUD"
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
        var shuffled = EventTable(columns: table.columns, rows: table.rows)
        let w = table.width
        for (r, source) in order.enumerated() {
            for j in 0..<w { shuffled.values[r * w + j] = table.values[source * w + j] }
        }
        return .table(shuffled, path: name, sha256: sha256)
    }

    /// The SHA-256 of a table's content as read: its column names (one per line), then its values
    /// (row-major float32, in the file's order). What a study's points are keyed on
    /// (`StudyGrid.Table`): not the path, which a regenerated table keeps, nor the file's bytes,
    /// which also depend on how the same values were written (layout, chunks, attributes, a writer
    /// that records object times, CSV number spelling). The table is in memory
    /// already: 0.08 s for the quickstart's 400k × 18 dy.h5, beside 1.2 s to read it (debug build).
    static func fingerprint(_ table: EventTable) throws -> String {
        let hasher = try SHA256()
        try Array((table.columns.joined(separator: "\n") + "\n").utf8).withUnsafeBytes { try hasher.update($0) }
        try table.values.withUnsafeBytes { try hasher.update($0) }
        return try hasher.finish()
    }

    /// This sample as one of a study's input tables (`role`: "background"), nil for a built-in process.
    func table(_ role: String) -> StudyGrid.Table? {
        guard case .table(_, let path, let sha256) = self else { return nil }
        return StudyGrid.Table(role: role, path: path, sha256: sha256)
    }

    var columns: [String] {
        switch self {
        case .builtIn: return EventGenerator.columns
        case .table(let t, _, _): return t.columns
        }
    }

    /// Rows available (a built-in process has no limit).
    var rows: Int {
        switch self {
        case .builtIn: return Int.max
        case .table(let t, _, _): return t.rows
        }
    }

    /// Refuses a table with fewer than `needed` rows before any training starts.
    func require(_ needed: Int, purpose: String) throws {
        guard case .table(let t, let path, _) = self, t.rows < needed else { return }
        throw InputError("'\(path)' has \(t.rows) usable rows but the study needs \(needed) for \(purpose); "
                         + "use a larger table or smaller n_real / signal_events / test_events", exitCode: ExitStatus.dataError)
    }

    /// The rows `range` (all columns), refusing a range beyond a table's end with the fix.
    func rows(_ range: Range<Int>, purpose: String) throws -> EventTable {
        switch self {
        case .builtIn(let generator):
            var table = generator.generate(rows: range)
            table.firstRow = 0
            return table
        case .table(let t, let path, _):
            guard range.upperBound <= t.rows else {
                throw InputError("'\(path)' has \(t.rows) usable rows but the study needs \(range.upperBound) for \(purpose); "
                                 + "use a larger table or smaller n_real / signal_events / test_events", exitCode: ExitStatus.dataError)
            }
            var table = t.slice(range)
            table.firstRow = 0
            return table
        }
    }

    /// The named columns of `table`, in order; one line naming the missing ones otherwise.
    static func select(_ table: EventTable, _ names: [String], from what: String) throws -> EventTable {
        let missing = names.filter { table.columnIndex($0) == nil }
        guard missing.isEmpty else {
            throw InputError("\(what) lacks the generator's column(s) \(missing.joined(separator: ", ")); the signal, background "
                             + "and test tables need the background's columns", exitCode: ExitStatus.dataError)
        }
        return table.selecting(names.map { table.columnIndex($0)! })
    }
}
