import CHDF5
import Comm
import Foundation
import Support

/// A float32 `/events` table (with its `columns` attribute and file attributes) written chunk by
/// chunk, so that memory stays bounded whatever the row count: the file is created under a hidden
/// temporary name and renamed into place by `commit`, so an interrupted run never leaves a file
/// that looks finished.
///
/// Without a communicator one process writes the file (one shard of a sharded table). With one,
/// the file is opened through MPI-IO and every rank calls `write` the same number of times
/// (empty row ranges allowed) with collective transfers, and `commit` is collective.
///
/// Files are reproducible: object modification times are not recorded, so the same rows and
/// attributes give the same bytes (a manifest's checksums then do not depend on when or on how
/// many ranks a table was written).
public final class EventStream {
    public let output: OutputPath
    public let columns: [String]
    public let rows: Int
    private let comm: Communicator?
    private var file: H5File?
    private var dataset: H5Dataset?

    /// Creates the temporary file and its `rows × columns.count` dataset. The caller prepares the
    /// output directory (`OutputPath.prepare`) first; under MPI every rank calls this together.
    public init(path: String, columns: [String], rows: Int, attributes: [(String, AttributeValue)],
                comm: Communicator?) throws {
        output = OutputPath(path)
        self.columns = columns
        self.rows = rows
        self.comm = comm
        do {
            let file = try H5File.create(output.temporary, comm: comm, reproducible: true, direct: true)
            self.file = file
            let header: [(String, AttributeValue)] = [("producer", .string(EventWriter.producer)),
                                                      ("version", .string(EventWriter.version))]
            for (name, value) in header + attributes where name != "columns" {
                try H5Attributes.write(file.id, name, value)
            }
            let ds = try H5Dataset.createFloat(in: file, name: "events", dims: [UInt64(rows), UInt64(columns.count)],
                                               trackTimes: false)
            try H5Attributes.write(ds.id, "columns", .strings(columns))
            dataset = ds
        } catch {
            let reported = OutputFailure.wrap(error, path: output.final)
            discard()
            throw reported
        }
        // The metadata's blocks, reserved by one process (agreed, so every rank discards on failure).
        do {
            let reserve = { [self] in try file!.reserveMetadata(around: dataset!, final: output.final) }
            if let comm { try comm.agree { if comm.isRoot { try reserve() } } } else { try reserve() }
        } catch {
            discard()
            throw error
        }
    }

    /// Writes rows `range` (global rows of this file) from `values` (`range.count × columns.count`).
    public func write(_ values: UnsafeBufferPointer<Float>, rows range: Range<Int>) throws {
        guard let dataset else {
            throw InputError("EventStream.write after commit or discard of '\(output.final)'", exitCode: ExitStatus.software)
        }
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
        precondition(values.count >= range.count * columns.count, "values hold fewer than rows × columns floats")
        do {
            try dataset.writeFloats(UnsafeBufferPointer(rebasing: values[0..<(range.count * columns.count)]),
                                    rows: range, collective: comm != nil)
        } catch { throw OutputFailure.wrap(error, path: output.final) }
    }

    /// Closes the file and renames it to its final name (collective with a communicator).
    /// With a communicator the close is agreed on its own (its flush may fail on one rank only)
    /// before rank 0 renames; on failure every rank must call `discard`.
    public func commit() throws {
        let close = { [self] in
            do {
                try dataset?.close()
                try file?.close()
            } catch { throw OutputFailure.wrap(error, path: output.final) }
            dataset = nil
            file = nil
        }
        if let comm {
            try comm.agree(close)
            try comm.agree { if comm.isRoot { try output.commit() } }
        } else {
            try close()
            try output.commit()
        }
    }

    /// Abandons the file: closes it without writing anything more to it (collective with a
    /// communicator) and removes the temporary name.
    public func discard() {
        file?.abandon(datasets: [dataset])
        dataset = nil
        file = nil
        if comm?.isRoot ?? true { output.discard() }
    }
}
