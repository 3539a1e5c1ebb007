import EventStore
import Support

extension RowMapping {
    /// `physical` on a table of output rows (`inputColumns`, any row count, `firstRow` its global
    /// offset), in chunks of `maxRows`; the result is in `columns`.
    public func physical(_ output: EventTable, seed: UInt64) throws -> EventTable {
        precondition(output.columns == inputColumns, "output columns \(output.columns) are not the mapping's \(inputColumns)")
        var out = EventTable(columns: columns, rows: output.rows, firstRow: output.firstRow)
        let n = inputColumns.count, w = width
        var start = 0
        try output.values.withUnsafeBufferPointer { source in
            try out.values.withUnsafeMutableBufferPointer { target in
                while start < output.rows {
                    let rows = min(maxRows, output.rows - start)
                    let chunk = try physical(UnsafeBufferPointer(rebasing: source[(start * n)..<((start + rows) * n)]), rows: rows,
                                             firstRow: output.firstRow + start, seed: seed)
                    if let from = chunk.baseAddress { (target.baseAddress! + start * w).update(from: from, count: rows * w) }
                    start += rows
                }
            }
        }
        return out
    }

    /// Latent rows of a table (`inputColumns`: a reducer's own, without latent scaling) → the
    /// decoded preprocessed features (`features`), before any inverse preprocessing, in chunks of
    /// `maxRows`: `physical`'s decoder and kept features (Reducer.decode).
    public func decodedFeatures(_ latent: EventTable) -> EventTable {
        precondition(decoder != nil && latentScaling == nil, "decodedFeatures(_:) decodes a reducer's own latent rows")
        precondition(latent.columns == inputColumns, "latent columns \(latent.columns) are not the mapping's \(inputColumns)")
        var out = EventTable(columns: features, rows: latent.rows, firstRow: latent.firstRow)
        let m = inputColumns.count, k = features.count
        var start = 0
        latent.values.withUnsafeBufferPointer { source in
            out.values.withUnsafeMutableBufferPointer { target in
                while start < latent.rows {
                    let rows = min(maxRows, latent.rows - start)
                    let f = work.view(0, rows * stride)
                    decode(UnsafeBufferPointer(rebasing: source[(start * m)..<((start + rows) * m)]), rows: rows, into: f, packed: packed)
                    (target.baseAddress! + start * k).update(from: f.baseAddress!, count: rows * k)
                    start += rows
                }
            }
        }
        return out
    }
}
