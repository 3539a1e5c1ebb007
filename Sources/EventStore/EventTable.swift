import Support
/// A block of events: `rows` × `columns.count` float32 values, row-major. Under MPI a table is
/// usually one rank's contiguous shard of a larger table; `firstRow` is its global row offset.
public struct EventTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: Int
    public var values: [Float]
    public var firstRow: Int

    public init(columns: [String], rows: Int, values: [Float], firstRow: Int = 0) {
        precondition(values.count == rows * columns.count, "values must hold rows × columns floats")
        self.columns = columns
        self.rows = rows
        self.values = values
        self.firstRow = firstRow
    }

    public init(columns: [String], rows: Int, firstRow: Int = 0) {
        self.init(columns: columns, rows: rows, values: [Float](repeating: 0, count: rows * columns.count),
                  firstRow: firstRow)
    }

    public var width: Int { columns.count }

    public func columnIndex(_ name: String) -> Int? { columns.firstIndex(of: name) }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns.count + column] }
        set { values[row * columns.count + column] = newValue }
    }

    /// One column as a contiguous array (Double for statistics).
    public func column(_ index: Int) -> [Double] {
        let w = columns.count
        return values.withUnsafeBufferPointer { v in
            (0..<rows).map { Double(v[$0 * w + index]) }
        }
    }

    /// Rows `range` (local indices) as a new table.
    public func slice(_ range: Range<Int>) -> EventTable {
        let w = columns.count
        return EventTable(columns: columns, rows: range.count,
                          values: Array(values[(range.lowerBound * w)..<(range.upperBound * w)]),
                          firstRow: firstRow + range.lowerBound)
    }

    /// The listed columns, in the order given.
    public func selecting(_ indices: [Int]) -> EventTable {
        var out = EventTable(columns: indices.map { columns[$0] }, rows: rows, firstRow: firstRow)
        let w = columns.count, k = indices.count
        values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows { for (j, c) in indices.enumerated() { dst[r * k + j] = src[r * w + c] } }
            }
        }
        return out
    }

    /// Rows of `other` appended below (same columns).
    public mutating func append(_ other: EventTable) {
        precondition(other.columns == columns, "appending a table with different columns")
        values.append(contentsOf: other.values)
        rows += other.rows
    }
}
