import CHDF5
import CMPI
import Comm
import Support

/// One dataset of an open file: shape queries and row-range (hyperslab) reads and writes.
final class H5Dataset {
    let handle: H5ID
    let name: String
    /// Keeps the file open for as long as the dataset is (HDF5's MPI-IO driver refuses to close a
    /// file with open objects).
    let file: H5File

    init(file: H5File, name: String) throws {
        handle = try H5ID.make(H5Dopen2(file.id, name, ls_h5p_default()), "H5Dopen2('\(name)')", close: H5Dclose)
        self.name = name
        self.file = file
    }

    private init(handle: H5ID, name: String, file: H5File) {
        self.handle = handle
        self.name = name
        self.file = file
    }

    func close() throws { try handle.close("H5Dclose('\(name)')") }

    var id: hid_t { handle.id }

    /// Creates a float32 dataset of `dims`, contiguous (best for collective MPI-IO writes).
    /// `trackTimes: false` records no modification time (reproducible files).
    static func createFloat(in file: H5File, name: String, dims: [UInt64], trackTimes: Bool = true) throws -> H5Dataset {
        var d = dims
        let space = try H5ID.make(H5Screate_simple(Int32(d.count), &d, nil), "H5Screate_simple", close: H5Sclose)
        let dcpl = try H5ID.make(H5Pcreate(ls_h5p_dataset_create()), "H5Pcreate(H5P_DATASET_CREATE)", close: H5Pclose)
        // Allocate at creation so that ranks with no rows need not touch the dataset's storage.
        try HDF5.check(H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time")
        if !trackTimes { try HDF5.check(H5Pset_obj_track_times(dcpl.id, false), "H5Pset_obj_track_times") }
        let id = try H5ID.make(H5Dcreate2(file.id, name, ls_h5t_ieee_f32le(), space.id, ls_h5p_default(), dcpl.id,
                                          ls_h5p_default()), "H5Dcreate2('\(name)')", close: H5Dclose)
        return H5Dataset(handle: id, name: name, file: file)
    }

    var dims: [UInt64] {
        get throws {
            let space = try H5ID.make(H5Dget_space(id), "H5Dget_space('\(name)')", close: H5Sclose)
            let rank = try HDF5.check(H5Sget_simple_extent_ndims(space.id), "H5Sget_simple_extent_ndims")
            var dims = [UInt64](repeating: 0, count: Int(rank))
            try HDF5.check(H5Sget_simple_extent_dims(space.id, &dims, nil), "H5Sget_simple_extent_dims")
            return dims
        }
    }

    /// "float64", "int32", … for messages.
    var typeDescription: String {
        get throws {
            let type = try H5ID.make(H5Dget_type(id), "H5Dget_type('\(name)')", close: H5Tclose)
            let size = H5Tget_size(type.id) * 8
            switch H5Tget_class(type.id) {
            case H5T_FLOAT: return "float\(size)"
            case H5T_INTEGER: return "int\(size)"
            case H5T_STRING: return "string"
            default: return "non-numeric"
            }
        }
    }

    var isNumeric: Bool {
        get throws {
            let type = try H5ID.make(H5Dget_type(id), "H5Dget_type('\(name)')", close: H5Tclose)
            let cls = H5Tget_class(type.id)
            return cls == H5T_FLOAT || cls == H5T_INTEGER
        }
    }

    private func transferList(collective: Bool) throws -> H5ID {
        let dxpl = try H5ID.make(H5Pcreate(ls_h5p_dataset_xfer()), "H5Pcreate(H5P_DATASET_XFER)", close: H5Pclose)
        if collective { try HDF5.check(H5Pset_dxpl_mpio(dxpl.id, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio") }
        return dxpl
    }

    /// File and memory dataspaces selecting rows `rows` (all columns); empty selections for no rows.
    private func selection(rows: Range<Int>) throws -> (file: H5ID, memory: H5ID, count: Int) {
        let shape = try dims
        let fileSpace = try H5ID.make(H5Dget_space(id), "H5Dget_space('\(name)')", close: H5Sclose)
        let width = shape.count > 1 ? shape[1] : 1
        var memDims: [UInt64] = shape.count > 1 ? [UInt64(max(rows.count, 1)), width] : [UInt64(max(rows.count, 1))]
        let memSpace = try H5ID.make(H5Screate_simple(Int32(memDims.count), &memDims, nil), "H5Screate_simple",
                                     close: H5Sclose)
        if rows.isEmpty {
            try HDF5.check(H5Sselect_none(fileSpace.id), "H5Sselect_none")
            try HDF5.check(H5Sselect_none(memSpace.id), "H5Sselect_none")
        } else {
            var start: [UInt64] = shape.count > 1 ? [UInt64(rows.lowerBound), 0] : [UInt64(rows.lowerBound)]
            var count: [UInt64] = shape.count > 1 ? [UInt64(rows.count), width] : [UInt64(rows.count)]
            try HDF5.check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil),
                           "H5Sselect_hyperslab('\(name)')")
        }
        return (fileSpace, memSpace, rows.count * Int(width))
    }

    /// Reads rows `rows` as float32 (HDF5 converts from float64 or integer storage).
    func readFloats(rows: Range<Int>, collective: Bool) throws -> [Float] {
        let sel = try selection(rows: rows)
        let dxpl = try transferList(collective: collective)
        var out = [Float](repeating: 0, count: max(sel.count, 1))
        try HDF5.check(H5Dread(id, ls_h5t_native_float(), sel.memory.id, sel.file.id, dxpl.id, &out),
                       "H5Dread('\(name)')")
        if sel.count == 0 { out.removeAll() }
        return out
    }

    /// Writes rows `rows` from `values` (rows.count × width floats); every rank must call it.
    func writeFloats(_ values: UnsafeBufferPointer<Float>, rows: Range<Int>, collective: Bool) throws {
        let sel = try selection(rows: rows)
        let dxpl = try transferList(collective: collective)
        DiskFullInjection.account(values.count * 4, path: file.path)
        var dummy: Float = 0
        let status: herr_t = values.count == 0
            ? H5Dwrite(id, ls_h5t_native_float(), sel.memory.id, sel.file.id, dxpl.id, &dummy)
            : H5Dwrite(id, ls_h5t_native_float(), sel.memory.id, sel.file.id, dxpl.id, values.baseAddress)
        try HDF5.check(status, "H5Dwrite('\(name)')")
    }
}

extension H5Dataset {
    /// Creates a dataset with any file type and writes `values` (converted from `memoryType`) in one
    /// independent call. Used for small metadata tables, checkpoints and by tests to build files of
    /// every layout. No modification time is recorded (the same values give the same bytes).
    static func create<T>(in file: H5File, name: String, dims: [UInt64], fileType: hid_t, memoryType: hid_t,
                          values: [T]) throws -> H5Dataset {
        var d = dims
        let space = try H5ID.make(H5Screate_simple(Int32(d.count), &d, nil), "H5Screate_simple", close: H5Sclose)
        let lcpl = try H5ID.make(H5Pcreate(ls_h5p_link_create()), "H5Pcreate(H5P_LINK_CREATE)", close: H5Pclose)
        try HDF5.check(H5Pset_create_intermediate_group(lcpl.id, 1), "H5Pset_create_intermediate_group")
        let dcpl = try H5ID.make(H5Pcreate(ls_h5p_dataset_create()), "H5Pcreate(H5P_DATASET_CREATE)", close: H5Pclose)
        try HDF5.check(H5Pset_obj_track_times(dcpl.id, false), "H5Pset_obj_track_times")
        let id = try H5ID.make(H5Dcreate2(file.id, name, fileType, space.id, lcpl.id, dcpl.id, ls_h5p_default()),
                               "H5Dcreate2('\(name)')", close: H5Dclose)
        let ds = H5Dataset(handle: id, name: name, file: file)
        if !values.isEmpty {
            DiskFullInjection.account(values.count * MemoryLayout<T>.stride, path: file.path)
            _ = try values.withUnsafeBufferPointer { buf in
                try HDF5.check(H5Dwrite(id.id, memoryType, ls_h5s_all(), ls_h5s_all(), ls_h5p_default(), buf.baseAddress),
                               "H5Dwrite('\(name)')")
            }
        }
        return ds
    }
}
