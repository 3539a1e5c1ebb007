import Comm
import Support

extension Preprocessor {
    /// Forward in place on a row-major float32 buffer: `rows × inputColumns.count` values in, and
    /// on return `rows × outputColumns.count` packed at the start. `firstRow` is the global index of
    /// the first row (it keys the per-row random streams). The buffer must hold
    /// `rows × maximumWidth` floats. No allocation per row or per call.
    public func forward(_ buffer: UnsafeMutableBufferPointer<Float>, rows: Int, firstRow: Int, seed: UInt64) throws {
        guard let plan else { throw PreprocessingError.notFitted() }
        precondition(rows >= 0 && firstRow >= 0, "rows and firstRow must be ≥ 0")
        precondition(buffer.count >= rows * maximumWidth, "buffer holds \(buffer.count) floats, needs rows × maximumWidth")
        for step in plan { try step.forward(buffer, rows: rows, firstRow: firstRow, seed: seed) }
    }

    /// Inverse in place: `rows × outputColumns.count` values at the start of `buffer` (e.g. a
    /// decoded batch) become `rows × inputColumns.count` values in the original column order. The
    /// buffer must hold `rows × maximumWidth` floats. No allocation per row or per call.
    public func inverse(into buffer: UnsafeMutableBufferPointer<Float>, rows: Int, firstRow: Int, seed: UInt64) throws {
        guard let plan else { throw PreprocessingError.notFitted() }
        precondition(rows >= 0 && firstRow >= 0, "rows and firstRow must be ≥ 0")
        precondition(buffer.count >= rows * maximumWidth, "buffer holds \(buffer.count) floats, needs rows × maximumWidth")
        for step in plan.reversed() { step.inverse(buffer, rows: rows, firstRow: firstRow, seed: seed) }
        if let shell, let shellIndices, let masses = shell.masses {
            ShellProjection.apply(buffer, width: inputColumns.count, rows: rows, indices: shellIndices,
                                  masses: (masses[0], masses[1]))
        }
    }

    /// Inverse from a separate source of `rows × outputColumns.count` floats into `destination`
    /// (`rows × maximumWidth` floats; the result is its first `rows × inputColumns.count`).
    public func inverse(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<Float>,
                        rows: Int, firstRow: Int, seed: UInt64) throws {
        let count = rows * outputColumns.count
        precondition(source.count >= count, "source holds \(source.count) floats, needs rows × outputColumns.count")
        precondition(destination.count >= rows * maximumWidth, "destination needs rows × maximumWidth floats")
        if count > 0, let from = source.baseAddress, let to = destination.baseAddress {
            to.update(from: from, count: count)
        }
        try inverse(into: destination, rows: rows, firstRow: firstRow, seed: seed)
    }

    /// Forward on a table in `inputColumns` (same order); the result is in `outputColumns`.
    public func forward(_ table: EventTable, seed: UInt64) throws -> EventTable {
        guard isFitted else { throw PreprocessingError.notFitted() }
        guard table.columns == inputColumns else {
            throw PreprocessingError.columnMismatch(expected: inputColumns, found: table.columns, direction: "forward")
        }
        return try apply(table, to: outputColumns) {
            try forward($0, rows: table.rows, firstRow: table.firstRow, seed: seed)
        }
    }

    /// Inverse of a table in `outputColumns`; the result is in `inputColumns`, original order.
    public func inverse(_ table: EventTable, seed: UInt64) throws -> EventTable {
        guard isFitted else { throw PreprocessingError.notFitted() }
        guard table.columns == outputColumns else {
            throw PreprocessingError.columnMismatch(expected: outputColumns, found: table.columns, direction: "inverse")
        }
        return try apply(table, to: inputColumns) {
            try inverse(into: $0, rows: table.rows, firstRow: table.firstRow, seed: seed)
        }
    }

    private func apply(_ table: EventTable, to columns: [String],
                       _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) throws -> EventTable {
        var values = table.values
        let room = table.rows * maximumWidth
        if values.count < room { values.append(contentsOf: repeatElement(0, count: room - values.count)) }
        try values.withUnsafeMutableBufferPointer { try body($0) }
        values.removeLast(values.count - table.rows * columns.count)
        return EventTable(columns: columns, rows: table.rows, values: values, firstRow: table.firstRow)
    }
}
