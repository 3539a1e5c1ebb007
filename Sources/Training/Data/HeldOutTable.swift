import Comm
import EventStore
import Foundation
import Support

/// RUN/heldout.h5 (and the pipeline's DIR/heldout.h5): the rows of a table that a HeldOutSplit
/// holds out, i.e. the rows a reducer or a full-space ensemble never trained on, with every column
/// of the table in file order and their original values. Evaluating generated events against this
/// file (not the training table) keeps the comparison honest.
public enum HeldOutTable {
    /// The file name written next to a run's other outputs.
    public static let fileName = "heldout.h5"

    /// Reads `source` (each rank its share, non-finite rows dropped or refused as in training, so
    /// the global row numbers are the ones the split was applied to), keeps the held-out rows and
    /// writes them collectively to `path` (under a temporary name, renamed when complete). Returns
    /// the global number of rows written.
    @discardableResult
    public static func write(source: String, dataset: String = "events", dropNonFinite: Bool = false, split: HeldOutSplit,
                             to path: String, comm: Communicator) throws -> Int {
        let table = try EventReader.read(path: source, dataset: dataset, nonFinite: dropNonFinite ? .drop : .refuse,
                                         comm: comm).table
        let held = rows(of: table, split: split)
        try EventWriter.write(held, to: path, attributes: [
            ("source", .string(source)), ("holdout_fraction", .string(String(split.fraction))),
            ("split_seed", .int(Int64(bitPattern: split.seed))),
        ], comm: comm)
        return Int(try comm.allreduce(Int64(held.rows), op: .sum))
    }

    /// The local rows of `table` (global row = table.firstRow + local row) that `split` holds out.
    public static func rows(of table: EventTable, split: HeldOutSplit) -> EventTable {
        var held = EventTable(columns: table.columns, rows: 0)
        let w = table.width
        for r in 0..<table.rows where split.isHeldOut(globalRow: table.firstRow + r) {
            held.values.append(contentsOf: table.values[(r * w)..<((r + 1) * w)])
            held.rows += 1
        }
        return held
    }
}
