import CHDF5
import Comm
import Foundation
import Support

/// Writes a float32 `/events` table with its `columns` attribute and file attributes, collectively
/// from all ranks (each its contiguous rows) into one file, under a temporary name renamed at the end.
/// No modification times are recorded, so the same rows give the same bytes (a simulation redone
/// after a stop is byte-identical to an uninterrupted one).
public enum EventWriter {
    public static let producer = "latentsim"
    public static let version = "0.1.0"

    /// `table` holds this rank's rows; ranks' rows are stacked in rank order.
    public static func write(_ table: EventTable, to path: String, attributes: [(String, AttributeValue)],
                             comm: Communicator) throws {
        let output = OutputPath(path)
        try comm.agree { if comm.isRoot { try output.prepare() } }
        let counts = try comm.allgather([Int64(table.rows)])
        let offset = Int(counts.prefix(comm.rank).reduce(0, +))
        let total = Int(counts.reduce(0, +))
        do {
            try comm.agree {
                let file = try H5File.create(output.temporary, comm: comm.size > 1 ? comm : nil, reproducible: true)
                let header: [(String, AttributeValue)] = [("producer", .string(producer)), ("version", .string(version))]
                for (name, value) in header + attributes where name != "columns" {
                    try H5Attributes.write(file.id, name, value)
                }
                let ds = try H5Dataset.createFloat(in: file, name: "events", dims: [UInt64(total), UInt64(table.width)],
                                                 trackTimes: false)
                try H5Attributes.write(ds.id, "columns", .strings(table.columns))
                try table.values.withUnsafeBufferPointer {
                    try ds.writeFloats($0, rows: offset..<(offset + table.rows), collective: comm.size > 1)
                }
                try ds.close()
                try file.close()
            }
            try comm.barrier()
            try comm.agree { if comm.isRoot { try output.commit() } }
        } catch {
            if comm.isRoot { output.discard() }
            throw error
        }
    }
}
