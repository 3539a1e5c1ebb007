import CHDF5
import Comm
import Foundation
import Support

/// A master file whose float32 `/events` is an HDF5 virtual dataset stitching the `/events` of
/// several shard files, in order, into one table (h5py, the HDF5 tools and `EventReader` see one
/// dataset). Source names are stored as given — relative names are resolved by HDF5 against the
/// master file's own directory (see H5Pset_virtual: after HDF5_VDS_PREFIX and the access
/// property's prefix, "the path of the file containing the virtual dataset"), so a master beside
/// its shards works from any working directory and the directory can be moved as a whole.
/// Rows no source maps read as NaN (the fill value), never as plausible zeros.
public enum VirtualTable {
    public struct Source: Equatable, Sendable {
        public var file: String
        public var rows: Int
        public init(file: String, rows: Int) { self.file = file; self.rows = rows }
    }

    /// One mapping of a master: rows `rows` of the virtual table come from rows `sourceRows` of
    /// dataset `dataset` in `file`, all `width` columns.
    public struct Mapping: Equatable, Sendable {
        public var file: String
        public var dataset: String
        public var rows: Range<Int>
        public var sourceRows: Range<Int>
        public var width: Int
        public var sourceWidth: Int
    }

    /// What a master holds: its table shape, column names and mappings in storage order.
    public struct Description: Sendable {
        public var rows: Int
        public var columns: [String]
        public var mappings: [Mapping]
    }

    /// Writes the master at `path` (one process; temporary name, then rename).
    public static func write(path: String, columns: [String], sources: [Source],
                             attributes: [(String, AttributeValue)]) throws {
        let output = OutputPath(path)
        try output.prepare()
        do {
            // Built in memory and written with write(2): a full disk fails our write, never an HDF5 close.
            let file = try H5File.createInMemory(output.temporary, reproducible: true)
            let header: [(String, AttributeValue)] = [("producer", .string(EventWriter.producer)),
                                                      ("version", .string(EventWriter.version))]
            for (name, value) in header + attributes where name != "columns" { try H5Attributes.write(file.id, name, value) }
            let width = UInt64(columns.count)
            var dims = [UInt64(sources.reduce(0) { $0 + $1.rows }), width]
            let space = try H5ID.make(H5Screate_simple(2, &dims, nil), "H5Screate_simple", close: H5Sclose)
            let dcpl = try H5ID.make(H5Pcreate(ls_h5p_dataset_create()), "H5Pcreate(H5P_DATASET_CREATE)", close: H5Pclose)
            var fill = Float.nan
            try HDF5.check(H5Pset_fill_value(dcpl.id, ls_h5t_native_float(), &fill), "H5Pset_fill_value")
            try HDF5.check(H5Pset_obj_track_times(dcpl.id, false), "H5Pset_obj_track_times")
            var offset: UInt64 = 0
            for source in sources where source.rows > 0 {
                var sourceDims = [UInt64(source.rows), width]
                let sourceSpace = try H5ID.make(H5Screate_simple(2, &sourceDims, nil), "H5Screate_simple", close: H5Sclose)
                var start = [offset, 0], count = [UInt64(source.rows), width], origin: [UInt64] = [0, 0]
                // An explicit block (not "all") so the stored source selection states its rows.
                try HDF5.check(H5Sselect_hyperslab(sourceSpace.id, H5S_SELECT_SET, &origin, nil, &count, nil),
                               "H5Sselect_hyperslab(rows of '\(source.file)')")
                try HDF5.check(H5Sselect_hyperslab(space.id, H5S_SELECT_SET, &start, nil, &count, nil),
                               "H5Sselect_hyperslab(virtual rows of '\(source.file)')")
                try HDF5.check(H5Pset_virtual(dcpl.id, space.id, source.file, "/events", sourceSpace.id),
                               "H5Pset_virtual('\(source.file)')")
                offset += UInt64(source.rows)
            }
            try HDF5.check(H5Sselect_all(space.id), "H5Sselect_all")
            let ds = try H5ID.make(H5Dcreate2(file.id, "events", ls_h5t_ieee_f32le(), space.id, ls_h5p_default(), dcpl.id,
                                              ls_h5p_default()), "H5Dcreate2('events', virtual)", close: H5Dclose)
            try H5Attributes.write(ds.id, "columns", .strings(columns))
            try ds.close("H5Dclose('events')")
            try H5File.writeImage(try file.closeToImage(), to: output.temporary, final: path)
            try output.commit()
        } catch {
            output.discard()
            throw OutputFailure.wrap(error, path: path)
        }
    }

    /// Reads a master's shape, columns and virtual mappings (one process; source files are not opened).
    public static func describe(path: String) throws -> Description {
        let file = try H5File.open(path, comm: nil)
        guard file.exists("events"), try file.kind(of: "events") == .dataset else {
            throw InputError("'\(path)' has no dataset 'events'; it is not a latentsim master file", exitCode: ExitStatus.dataError)
        }
        let ds = try H5Dataset(file: file, name: "events")
        let dims = try ds.dims
        guard dims.count == 2, H5Attributes.exists(ds.id, "columns"),
              let columns = try H5Attributes.readStrings(ds.id, "columns") else {
            throw InputError("'\(path)' dataset 'events' is not a 2-D table with a 'columns' attribute", exitCode: ExitStatus.dataError)
        }
        let dcpl = try H5ID.make(H5Dget_create_plist(ds.id), "H5Dget_create_plist('events')", close: H5Pclose)
        guard H5Pget_layout(dcpl.id) == H5D_VIRTUAL else {
            return Description(rows: Int(dims[0]), columns: columns, mappings: [])
        }
        var count = 0
        try HDF5.check(H5Pget_virtual_count(dcpl.id, &count), "H5Pget_virtual_count")
        var mappings: [Mapping] = []
        for i in 0..<count {
            let file = try string { H5Pget_virtual_filename(dcpl.id, i, $0, $1) }
            let name = try string { H5Pget_virtual_dsetname(dcpl.id, i, $0, $1) }
            let virtualSpace = try H5ID.make(H5Pget_virtual_vspace(dcpl.id, i), "H5Pget_virtual_vspace", close: H5Sclose)
            let sourceSpace = try H5ID.make(H5Pget_virtual_srcspace(dcpl.id, i), "H5Pget_virtual_srcspace", close: H5Sclose)
            let (rows, width) = try bounds(virtualSpace.id)
            let (sourceRows, sourceWidth) = try bounds(sourceSpace.id)
            mappings.append(Mapping(file: file, dataset: name, rows: rows, sourceRows: sourceRows, width: width,
                                    sourceWidth: sourceWidth))
        }
        return Description(rows: Int(dims[0]), columns: columns, mappings: mappings)
    }

    /// Row range and column count of a 2-D selection.
    private static func bounds(_ space: hid_t) throws -> (Range<Int>, Int) {
        var start = [UInt64](repeating: 0, count: 2), end = [UInt64](repeating: 0, count: 2)
        guard try HDF5.check(H5Sget_simple_extent_ndims(space), "H5Sget_simple_extent_ndims") == 2 else { return (0..<0, 0) }
        if try HDF5.check(H5Sget_select_npoints(space), "H5Sget_select_npoints") == 0 { return (0..<0, 0) }
        try HDF5.check(H5Sget_select_bounds(space, &start, &end), "H5Sget_select_bounds")
        return (Int(start[0])..<Int(end[0] + 1), Int(end[1] - start[1] + 1))
    }

    /// A string returned by an HDF5 getter with the (buffer, size) → length convention.
    private static func string(_ get: (UnsafeMutablePointer<CChar>?, Int) -> Int) throws -> String {
        let length = try HDF5.check(get(nil, 0), "H5Pget_virtual_filename/dsetname")
        var buffer = [CChar](repeating: 0, count: length + 1)
        try HDF5.check(get(&buffer, buffer.count), "H5Pget_virtual_filename/dsetname")
        return String(cString: buffer)
    }
}
