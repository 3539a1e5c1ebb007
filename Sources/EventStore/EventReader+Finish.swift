import Comm
import Support

extension EventReader {
    /// Common last step for every layout: zero-row check, then the NaN/Inf policy, agreed across ranks.
    static func finish(table: EventTable, layout: TableLayout, nonFinite: NonFinitePolicy,
                       comm: Communicator) throws -> Result {
        try comm.agree {
            if layout.rows == 0 {
                let place = layout.kind == .csv ? "'\(layout.path)'" : "'\(layout.path)' \(layout.kind == .group ? "group" : "dataset") '\(layout.dataset)'"
                throw InputError("\(place) has no rows; expected at least one event")
            }
        }
        switch nonFinite {
        case .keep:
            return Result(table: table, layout: layout, totalRows: layout.rows, droppedRows: 0)
        case .refuse:
            try comm.agree {
                if let (row, column) = firstNonFinite(table) {
                    let value = table[row, column]
                    throw InputError("\(location(layout, row: table.firstRow + row)), column '\(table.columns[column])': "
                                     + "expected a finite value, found \(value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")); "
                                     + "clean the input or pass --drop-nonfinite")
                }
            }
            return Result(table: table, layout: layout, totalRows: layout.rows, droppedRows: 0)
        case .drop:
            var kept = EventTable(columns: table.columns, rows: 0)
            kept.values.reserveCapacity(table.values.count)
            let w = table.width
            for r in 0..<table.rows where !(0..<w).contains(where: { !table[r, $0].isFinite }) {
                kept.values.append(contentsOf: table.values[(r * w)..<((r + 1) * w)])
                kept.rows += 1
            }
            let counts = try comm.allgather([Int64(kept.rows)])
            kept.firstRow = Int(counts.prefix(comm.rank).reduce(0, +))
            let total = Int(counts.reduce(0, +))
            return Result(table: kept, layout: layout, totalRows: total, droppedRows: layout.rows - total)
        }
    }

    static func firstNonFinite(_ table: EventTable) -> (Int, Int)? {
        let w = table.width
        return table.values.withUnsafeBufferPointer { v in
            for i in 0..<v.count where !v[i].isFinite { return (i / w, i % w) }
            return nil
        }
    }

    /// "'file' dataset 'events' row 12" or "'file.csv' line 14 (row 12)"; rows are 0-based.
    static func location(_ layout: TableLayout, row: Int) -> String {
        switch layout.kind {
        case .csv: return "'\(layout.path)' line \(row + 2) (row \(row))"
        case .matrix: return "'\(layout.path)' dataset '\(layout.dataset)' row \(row)"
        case .group: return "'\(layout.path)' group '\(layout.dataset)' row \(row)"
        }
    }
}
