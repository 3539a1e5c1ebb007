import CHDF5
import CMPI
import Comm
import Support

/// An HDF5 file opened through the MPI-IO driver on a communicator (collective open/close),
/// or through the default driver on one process (`comm == nil`).
final class H5File {
    let handle: H5ID
    let path: String
    /// Opened for writing (see H5File+Abandon).
    let writable: Bool

    private init(handle: H5ID, path: String, writable: Bool) {
        self.handle = handle
        self.path = path
        self.writable = writable
    }

    /// An in-memory (core driver) file, written to disk by its owner (H5File+Image).
    convenience init(memory handle: H5ID, path: String) { self.init(handle: handle, path: path, writable: false) }

    var id: hid_t { handle.id }

    func close() throws { try handle.close("H5Fclose('\(path)')") }

    private static func accessList(_ comm: Communicator?) throws -> H5ID {
        _ = HDF5.ready
        let fapl = try H5ID.make(H5Pcreate(ls_h5p_file_access()), "H5Pcreate(H5P_FILE_ACCESS)", close: H5Pclose)
        if let comm {
            try HDF5.check(H5Pset_fapl_mpio(fapl.id, comm.handle, ls_mpi_info_null()), "H5Pset_fapl_mpio")
        }
        return fapl
    }

    static func open(_ path: String, comm: Communicator?, writable: Bool = false) throws -> H5File {
        let fapl = try accessList(comm)
        let flags = writable ? ls_h5f_acc_rdwr() : ls_h5f_acc_rdonly()
        let id = try H5ID.make(H5Fopen(path, flags, fapl.id), "H5Fopen('\(path)')", close: H5Fclose)
        return H5File(handle: id, path: path, writable: writable)
    }

    /// `reproducible`: the root group records no modification times, so equal contents give equal bytes.
    /// `direct`: no sieve buffer, so a refused raw-data write fails in `H5Dwrite` itself and never
    /// later inside `H5Dclose` (see H5File+Abandon).
    static func create(_ path: String, comm: Communicator?, reproducible: Bool = false, direct: Bool = false) throws -> H5File {
        let fapl = try accessList(comm)
        if direct { try HDF5.check(H5Pset_sieve_buf_size(fapl.id, 0), "H5Pset_sieve_buf_size") }
        let fcpl = try H5ID.make(H5Pcreate(ls_h5p_file_create()), "H5Pcreate(H5P_FILE_CREATE)", close: H5Pclose)
        if reproducible { try HDF5.check(H5Pset_obj_track_times(fcpl.id, false), "H5Pset_obj_track_times") }
        let id = try H5ID.make(H5Fcreate(path, ls_h5f_acc_trunc(), fcpl.id, fapl.id),
                               "H5Fcreate('\(path)')", close: H5Fclose)
        return H5File(handle: id, path: path, writable: true)
    }

    /// True if `path` carries the HDF5 signature.
    static func isHDF5(_ path: String) -> Bool {
        _ = HDF5.ready
        return H5Fis_hdf5(path) > 0
    }

    func exists(_ name: String) -> Bool {
        // Check each path component so that a missing intermediate group is not an error.
        var prefix = ""
        for part in name.split(separator: "/") {
            prefix += (prefix.isEmpty && !name.hasPrefix("/") ? "" : "/") + part
            if H5Lexists(id, prefix, ls_h5p_default()) <= 0 { return false }
        }
        return true
    }

    enum ObjectKind { case dataset, group, other }

    func kind(of name: String) throws -> ObjectKind {
        let object = try H5ID.make(H5Oopen(id, name, ls_h5p_default()), "H5Oopen('\(name)')", close: H5Oclose)
        switch H5Iget_type(object.id) {
        case H5I_DATASET: return .dataset
        case H5I_GROUP: return .group
        default: return .other
        }
    }

    /// Link names in a group: in creation order when the group tracks it, else by name.
    func members(of group: String) throws -> [String] {
        let g = try H5ID.make(H5Gopen2(id, group, ls_h5p_default()), "H5Gopen2('\(group)')", close: H5Gclose)
        var info = H5G_info_t()
        try HDF5.check(H5Gget_info(g.id, &info), "H5Gget_info('\(group)')")
        let gcpl = try H5ID.make(H5Gget_create_plist(g.id), "H5Gget_create_plist", close: H5Pclose)
        var order: UInt32 = 0
        try HDF5.check(H5Pget_link_creation_order(gcpl.id, &order), "H5Pget_link_creation_order")
        let index = (order & UInt32(H5P_CRT_ORDER_TRACKED)) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
        var names: [String] = []
        for i in 0..<info.nlinks {
            let length = try HDF5.check(H5Lget_name_by_idx(g.id, ".", index, H5_ITER_INC, i, nil, 0, ls_h5p_default()),
                                        "H5Lget_name_by_idx")
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            try HDF5.check(H5Lget_name_by_idx(g.id, ".", index, H5_ITER_INC, i, &buffer, buffer.count, ls_h5p_default()),
                           "H5Lget_name_by_idx")
            names.append(String(cString: buffer))
        }
        return names
    }

    /// Top-level names, for "found: …" hints.
    func rootMembers() -> [String] { (try? members(of: "/")) ?? [] }
}
