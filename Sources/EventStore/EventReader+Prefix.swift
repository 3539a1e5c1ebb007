import Comm
import Support

extension EventReader {
    /// Reads only the first `maxRows` rows of the table (all of them if it has fewer), split across
    /// ranks like `read`. For evaluating a sample of a huge generated table without loading it:
    /// the rows used are the same for any rank count. The result's `layout.rows` is still the
    /// file's row count; `totalRows` and `droppedRows` refer to the rows used.
    public static func read(path: String, dataset: String = "events", maxRows: Int,
                            nonFinite: NonFinitePolicy = .refuse, comm: Communicator) throws -> Result {
        precondition(maxRows > 0, "maxRows must be positive")
        let isHDF5 = try comm.agree { try checkInput(path) }
        if !isHDF5 { return try CSVReader.read(path: path, nonFinite: nonFinite, maxRows: maxRows, comm: comm) }
        let (file, layout, collective) = try openForRows(path: path, dataset: dataset, comm: comm)
        let used = layout.limited(to: maxRows)
        let share = comm.share(of: used.rows)
        let values = try comm.agree { try readRows(file: file, layout: layout, rows: share, collective: collective) }
        let table = EventTable(columns: layout.columns, rows: share.count, values: values, firstRow: share.lowerBound)
        var result = try finish(table: table, layout: used, nonFinite: nonFinite, comm: comm)
        result.layout = layout
        return result
    }

    /// Opens an HDF5 table for reading rows: through MPI-IO on every rank (collective reads) unless
    /// the table holds a virtual dataset, which MPI-IO cannot read; then each rank reopens the file
    /// on its own and reads independently.
    static func openForRows(path: String, dataset: String,
                            comm: Communicator) throws -> (file: H5File, layout: TableLayout, collective: Bool) {
        let file = try comm.agree { try H5File.open(path, comm: comm.size > 1 ? comm : nil) }
        let layout = try comm.agree { try detect(file: file, dataset: dataset) }
        guard comm.size > 1 else { return (file, layout, false) }
        let virtual = try comm.agree { () -> Bool in
            let names = layout.kind == .group ? layout.columns.map { dataset + "/" + $0 } : [dataset]
            return try names.contains { try H5Dataset(file: file, name: $0).isVirtual }
        }
        guard virtual else { return (file, layout, true) }
        try comm.agree { try file.close() }
        return (try comm.agree { try H5File.open(path, comm: nil) }, layout, false)
    }
}

extension TableLayout {
    /// The same layout counting at most `maxRows` rows (the leading rows of the table).
    func limited(to maxRows: Int) -> TableLayout {
        TableLayout(kind: kind, path: path, dataset: dataset, columns: columns, rows: Swift.min(rows, maxRows),
                    storage: storage)
    }
}
