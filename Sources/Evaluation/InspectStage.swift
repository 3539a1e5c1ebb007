import Comm
import EventStore
import Foundation
import Physics
import Support

/// The inspect stage: what a table holds, before anything is trained on it.
public enum InspectStage {
    /// Prints the table's layout, size, attributes, per-column statistics and those of the physics
    /// quantities its columns allow (each rank reads a share of the rows).
    public static func run(file: String, dataset: String, comm: Communicator, console: Console) throws {
        let read = try EventReader.read(path: file, dataset: dataset, nonFinite: .keep, comm: comm)
        let stats = try ColumnStatistics.compute(read.table, comm: comm)
        console.line("file      \(file)")
        console.line("layout    \(read.layout.description)")
        console.line("rows      \(read.layout.rows)")
        console.line("columns   \(read.layout.columns.count)")
        let attributes = try EventInfo.attributes(path: file, layout: read.layout)
        if !attributes.isEmpty {
            console.line("attrs     " + attributes.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        }
        console.line(stats.table())
        let derived = try quantities(read.table)
        if derived.width > 0 {
            console.line("")
            console.line(try ColumnStatistics.compute(derived, comm: comm).table())
        }
        if let advice = smallTableAdvice(rows: read.layout.rows, file: file) { console.line(""); console.line(advice) }
    }

    /// The physics quantities computable from the table's columns, as a table of their own.
    private static func quantities(_ table: EventTable) throws -> EventTable {
        let names = DerivedQuantity.allCases.filter { table.isComputable($0) && table.columnIndex($0.rawValue) == nil }
        var out = EventTable(columns: names.map(\.rawValue), rows: table.rows, firstRow: table.firstRow)
        for (j, q) in names.enumerated() {
            for (r, v) in try table.quantity(q.rawValue).enumerated() { out[r, j] = Float(v) }
        }
        return out
    }
}
