import CHDF5
import Comm
import Foundation
import Support

/// Reads event tables from HDF5 (2-D dataset with a `columns` attribute, or a group of equal-length
/// 1-D datasets) or CSV. Under MPI each rank reads only its contiguous share of the rows; all checks
/// are agreed collectively, so a bad file gives every rank the same outcome and no rank hangs.
public enum EventReader {
    public struct Result: Sendable {
        /// This rank's rows; `firstRow` is their global offset in the (cleaned) table.
        public var table: EventTable
        public var layout: TableLayout
        /// Global number of rows after dropping non-finite ones.
        public var totalRows: Int
        public var droppedRows: Int
    }

    public static func read(path: String, dataset: String = "events", nonFinite: NonFinitePolicy = .refuse,
                            comm: Communicator) throws -> Result {
        let isHDF5 = try comm.agree { try checkInput(path) }
        if !isHDF5 { return try CSVReader.read(path: path, nonFinite: nonFinite, comm: comm) }
        let (file, layout, collective) = try openForRows(path: path, dataset: dataset, comm: comm)
        let share = comm.share(of: layout.rows)
        let values = try comm.agree { try readRows(file: file, layout: layout, rows: share, collective: collective) }
        let table = EventTable(columns: layout.columns, rows: share.count, values: values, firstRow: share.lowerBound)
        return try finish(table: table, layout: layout, nonFinite: nonFinite, comm: comm)
    }

    /// Detects the layout without reading values (every rank may call it; it reads metadata only).
    public static func describe(path: String, dataset: String = "events", comm: Communicator) throws -> TableLayout {
        let isHDF5 = try comm.agree { try checkInput(path) }
        if !isHDF5 { return try CSVReader.read(path: path, nonFinite: .keep, comm: comm).layout }
        let file = try comm.agree { try H5File.open(path, comm: comm.size > 1 ? comm : nil) }
        return try comm.agree { try detect(file: file, dataset: dataset) }
    }

    /// Throws for a missing or unreadable input; returns true for HDF5, false for CSV.
    static func checkInput(_ path: String) throws -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("input file '\(path)' does not exist; check the path", exitCode: ExitStatus.noInput)
        }
        if isDirectory.boolValue {
            throw InputError("input '\(path)' is a directory; expected an HDF5 or CSV file", exitCode: ExitStatus.noInput)
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw InputError("input file '\(path)' is not readable; check its permissions", exitCode: ExitStatus.noInput)
        }
        if H5File.isHDF5(path) { return true }
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "csv" { return false }
        throw InputError("'\(path)' is not an HDF5 file (no HDF5 signature) and has no .csv extension; "
                         + "pass an HDF5 file or a CSV file with a header row", exitCode: ExitStatus.noInput)
    }

    static func detect(file: H5File, dataset: String) throws -> TableLayout {
        let where_ = "'\(file.path)'"
        guard file.exists(dataset) else {
            let found = file.rootMembers()
            throw InputError("\(where_) has no dataset or group '\(dataset)' (found: "
                             + (found.isEmpty ? "nothing" : found.joined(separator: ", ")) + "); pass --dataset NAME")
        }
        switch try file.kind(of: dataset) {
        case .dataset: return try detectMatrix(file: file, dataset: dataset)
        case .group: return try detectGroup(file: file, dataset: dataset)
        case .other:
            throw InputError("\(where_) object '\(dataset)' is neither a dataset nor a group; pass --dataset NAME")
        }
    }

    private static func detectMatrix(file: H5File, dataset: String) throws -> TableLayout {
        let ds = try H5Dataset(file: file, name: dataset)
        let dims = try ds.dims
        let place = "'\(file.path)' dataset '\(dataset)'"
        guard try ds.isNumeric else {
            throw InputError("\(place) holds \(try ds.typeDescription) values; expected float32 or float64 numbers")
        }
        guard dims.count == 2 else {
            throw InputError("\(place) has \(dims.count) dimension(s); expected a 2-D table (rows × columns) "
                             + "or a group of 1-D columns")
        }
        guard H5Attributes.exists(ds.id, "columns"), let names = try H5Attributes.readStrings(ds.id, "columns") else {
            throw InputError("\(place) has no 'columns' attribute of strings; add one name per column "
                             + "(e.g. h5py: dset.attrs['columns'] = names)")
        }
        guard names.count == Int(dims[1]) else {
            throw InputError("\(place): the 'columns' attribute names \(names.count) columns but the dataset has "
                             + "\(dims[1]); write one name per column")
        }
        try checkUnique(names, place: place)
        return TableLayout(kind: .matrix, path: file.path, dataset: dataset, columns: names, rows: Int(dims[0]),
                           storage: try ds.typeDescription)
    }

    private static func detectGroup(file: H5File, dataset: String) throws -> TableLayout {
        let place = "'\(file.path)' group '\(dataset)'"
        let names = try file.members(of: dataset)
        guard !names.isEmpty else { throw InputError("\(place) is empty; expected one 1-D dataset per column") }
        var rows: Int? = nil
        var types: [String] = []
        for name in names {
            let ds = try H5Dataset(file: file, name: dataset + "/" + name)
            let dims = try ds.dims
            guard try ds.isNumeric, dims.count == 1 else {
                throw InputError("\(place) member '\(name)' is not a 1-D numeric dataset (\(try ds.typeDescription), "
                                 + "\(dims.count)-D); expected one 1-D dataset per column")
            }
            if let rows, rows != Int(dims[0]) {
                throw InputError("\(place): column '\(name)' has \(dims[0]) rows but '\(names[0])' has \(rows); "
                                 + "all columns of a group must have the same length")
            }
            rows = Int(dims[0])
            let t = try ds.typeDescription
            if !types.contains(t) { types.append(t) }
        }
        return TableLayout(kind: .group, path: file.path, dataset: dataset, columns: names, rows: rows ?? 0,
                           storage: types.joined(separator: "/"))
    }

    static func checkUnique(_ names: [String], place: String) throws {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw InputError("\(place): column name '\(name)' appears twice; column names must be unique")
        }
    }

    static func readRows(file: H5File, layout: TableLayout, rows: Range<Int>, collective: Bool) throws -> [Float] {
        if layout.kind == .matrix {
            return try H5Dataset(file: file, name: layout.dataset).readFloats(rows: rows, collective: collective)
        }
        let width = layout.columns.count
        var values = [Float](repeating: 0, count: rows.count * width)
        for (j, name) in layout.columns.enumerated() {
            let column = try H5Dataset(file: file, name: layout.dataset + "/" + name)
                .readFloats(rows: rows, collective: collective)
            for r in 0..<rows.count { values[r * width + j] = column[r] }
        }
        return values
    }
}
