import Comm
import EventStore
import Foundation
import Support

/// What `reconstruct` needs: the reducer (RUN of `latentsim reduce`, or its model.h5), the table
/// to send through it, the output file and the seed of the integer columns' smearing.
public struct ReconstructSettings {
    public var reducer: String
    public var real: String
    public var dataset = "events"
    public var out: String
    public var seed: UInt64 = 1
    public var dropNonFinite = false

    public init(reducer: String, real: String, dataset: String = "events", out: String, seed: UInt64 = 1, dropNonFinite: Bool = false) {
        self.reducer = reducer
        self.real = real
        self.dataset = dataset
        self.out = out
        self.seed = seed
        self.dropNonFinite = dropNonFinite
    }

    /// RUN/model.h5 for a run directory, else the path itself.
    public var modelPath: String {
        var isDirectory: ObjCBool = false
        let directory = FileManager.default.fileExists(atPath: reducer, isDirectory: &isDirectory) && isDirectory.boolValue
        return directory ? (reducer as NSString).appendingPathComponent("model.h5") : reducer
    }
}

/// The reconstruct stage: every row of a table through a reducer's encoder and decoder and back to
/// the table's own columns, each event at its own azimuth, written as an event file that `evaluate
/// --generated` compares like generated events. What the reduction alone loses: the best a
/// perfect latent-space generator could reach.
public enum ReconstructStage {
    public static func run(_ s: ReconstructSettings, comm: Communicator, console: Console) throws {
        let clock = Stopwatch()
        let reducer = try comm.agree { () -> Reducer in
            guard (s.out as NSString).standardizingPath != (s.real as NSString).standardizingPath else {
                throw InputError("--out '\(s.out)' is the table --real reads; write the reconstruction to another file",
                                 exitCode: ExitStatus.usage)
            }
            return try Reducer.load(path: s.modelPath)
        }
        let read = try EventReader.read(path: s.real, dataset: s.dataset, nonFinite: s.dropNonFinite ? .drop : .refuse, comm: comm)
        try comm.agree {
            let missing = reducer.inputColumns.filter { read.table.columnIndex($0) == nil }
            guard missing.isEmpty else {
                throw InputError("reducer '\(s.modelPath)' was trained on columns \(reducer.inputColumns.joined(separator: ",")) but "
                                 + "'\(s.real)' lacks \(missing.joined(separator: ", ")); give a table with the reducer's columns",
                                 exitCode: ExitStatus.dataError)
            }
        }
        let input = read.table.selecting(reducer.inputColumns.map { read.table.columnIndex($0)! })
        let rebuilt = try comm.agree { try roundTrip(input, through: reducer, seed: s.seed) }
        let total = Int(try comm.allreduce(Int64(rebuilt.rows), op: .sum))
        try EventWriter.write(rebuilt, to: s.out, attributes: [
            ("source", .string(s.real)), ("reducer", .string(s.modelPath)), ("method", .string(reducer.method.rawValue)),
            ("latent", .int(Int64(reducer.latent))), ("seed", .int(Int64(bitPattern: s.seed))), ("events", .int(Int64(total))),
        ], comm: comm)
        let kept = reducer.keep.isEmpty ? "" : ", kept \(reducer.keep.joined(separator: ","))"
        console.line("reconstructed \(total) events of \(s.real) through \(s.modelPath) (\(reducer.method.rawValue) "
                     + "\(reducer.features.count) → \(reducer.latent)\(kept)) on \(comm.size) rank(s) in "
                     + "\(clock.seconds.formatted(2)) s -> \(s.out); compare with `latentsim evaluate --real TABLE --generated \(s.out)`")
    }

    /// `table` (the reducer's input columns, any row offset) → the same rows encoded and decoded, in
    /// the same columns: the frame step, the scaling (integer columns smeared from per-row streams of
    /// `seed`), the encoder, then the decoder, the scaling's inverse and the zero calibration, as
    /// generation decodes, and the frame undone with each row's own azimuth (`restoreAzimuths`).
    public static func roundTrip(_ table: EventTable, through reducer: Reducer, seed: UInt64) throws -> EventTable {
        precondition(table.columns == reducer.inputColumns, "the rows must be in the reducer's input columns")
        var framed = try reducer.frame?.forward(table, seed: seed) ?? table
        framed = framed.selecting(reducer.features.map { framed.columnIndex($0)! })
        framed.firstRow = table.firstRow
        let latent = reducer.encode(try reducer.scaling.forward(framed, seed: seed))
        let dropped = reducer.frame?.droppedColumn
        let mapping = try RowMapping(reducer: reducer, latentScaling: nil, zeros: reducer.zeros, ending: .rotationFrame(dropped: dropped),
                                     maxRows: Reducer.inferenceBatch)
        var rotated = EventTable(columns: mapping.columns, rows: table.rows, firstRow: table.firstRow)
        let n = latent.width, w = mapping.width
        for start in stride(from: 0, to: table.rows, by: Reducer.inferenceBatch) {
            let rows = min(Reducer.inferenceBatch, table.rows - start)
            let chunk = try latent.values.withUnsafeBufferPointer {
                try mapping.physical(UnsafeBufferPointer(rebasing: $0[(start * n)..<((start + rows) * n)]), rows: rows,
                                     firstRow: table.firstRow + start, seed: seed)
            }
            rotated.values.replaceSubrange((start * w)..<((start + rows) * w), with: chunk)
        }
        var out = rotated.selecting(table.columns.map { rotated.columnIndex($0)! })
        out.firstRow = table.firstRow
        reducer.frame?.restoreAzimuths(&out, original: table)
        return out
    }
}
