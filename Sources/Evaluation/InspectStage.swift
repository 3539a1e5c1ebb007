import Comm
import EventStore
import Foundation
import Physics
import Support

/// The inspect stage: what a table holds, before anything is trained on it.
public enum InspectStage {
    /// Prints the table's layout, size, attributes, per-column statistics and those of the physics
    /// quantities its columns allow (each rank reads a share of the rows), and which column plays
    /// each physics role (`roles`).
    public static func run(file: String, dataset: String, roles: ColumnRoles = ColumnRoles(), comm: Communicator,
                           console: Console) throws {
        let read = try EventReader.read(path: file, dataset: dataset, nonFinite: .keep, comm: comm)
        try comm.agree { try roles.check(columns: read.layout.columns, table: file) }
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
        for line in roleLines(columns: read.layout.columns, roles: roles) { console.line(line) }
        let derived = try quantities(read.table, roles: roles)
        if derived.width > 0 {
            console.line("")
            console.line(try ColumnStatistics.compute(derived, comm: comm).table())
        }
    }

    /// The physics quantities computable from the table's columns, as a table of their own.
    private static func quantities(_ table: EventTable, roles: ColumnRoles) throws -> EventTable {
        let names = DerivedQuantity.computable(from: table.columns, roles: roles)
        var out = EventTable(columns: names.map(\.rawValue), rows: table.rows, firstRow: table.firstRow)
        for (j, q) in names.enumerated() {
            for (r, v) in try table.quantity(q.rawValue, roles: roles).enumerated() { out[r, j] = Float(v) }
        }
        return out
    }

    /// "roles     mu1_E=E1 (mapped) … nvtx (by name); unplayed: jet1_pt …" and the derived
    /// quantities they allow, or the roles each missing quantity needs.
    public static func roleLines(columns: [String], roles: ColumnRoles) -> [String] {
        let played = ColumnRoles.all.compactMap { role -> String? in
            guard let column = roles.column(role, in: columns) else { return nil }
            return roles.mapping[role] != nil ? "\(role)=\(column)" : role
        }
        let unplayed = ColumnRoles.all.filter { roles.column($0, in: columns) == nil }
        let derived = DerivedQuantity.computable(from: columns, roles: roles).map(\.rawValue)
        let lacking = DerivedQuantity.allCases.filter { !columns.contains($0.rawValue) && !derived.contains($0.rawValue) }
            .map { q in "\(q.rawValue) (needs \(q.inputs.filter { roles.column($0, in: columns) == nil }.joined(separator: ",")))" }
        return ["roles     " + (played.isEmpty ? "none" : played.joined(separator: " "))
                    + " (ROLE=COLUMN: mapped in \(roles.source); ROLE: matched by name)",
                "unplayed  " + (unplayed.isEmpty ? "none" : unplayed.joined(separator: " ")),
                "derived   " + (derived.isEmpty ? "none" : derived.joined(separator: " "))
                    + (lacking.isEmpty ? "" : "; not computable: " + lacking.joined(separator: ", "))]
    }
}
