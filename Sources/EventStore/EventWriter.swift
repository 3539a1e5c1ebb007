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
        // Create, write and close are agreed one by one, so a rank whose write failed (a full disk
        // can refuse one rank's bytes only) never leaves the others inside a collective close; on
        // failure every rank abandons the file together.
        var file: H5File?
        var ds: H5Dataset?
        do {
            try comm.agree {
                let created = try H5File.create(output.temporary, comm: comm.size > 1 ? comm : nil, reproducible: true, direct: true)
                file = created
                let header: [(String, AttributeValue)] = [("producer", .string(producer)), ("version", .string(version))]
                for (name, value) in header + attributes where name != "columns" {
                    try H5Attributes.write(created.id, name, value)
                }
                ds = try H5Dataset.createFloat(in: created, name: "events", dims: [UInt64(total), UInt64(table.width)],
                                         trackTimes: false)
                try H5Attributes.write(ds!.id, "columns", .strings(table.columns))
                if comm.isRoot { try created.reserveMetadata(around: ds!, final: output.final) }
            }
            try comm.agree {
                try table.values.withUnsafeBufferPointer {
                    try ds!.writeFloats($0, rows: offset..<(offset + table.rows), collective: comm.size > 1)
                }
            }
            try comm.agree {
                try ds?.close()
                try file?.close()
            }
            try comm.agree { if comm.isRoot { try output.commit() } }
        } catch {
            let reported = OutputFailure.wrap(error, path: output.final)
            file?.abandon(datasets: [ds])
            if comm.isRoot { output.discard() }
            throw reported
        }
    }
}
