import CHDF5
import Foundation
import Glibc
import Support

/// Small files (checkpoints) built entirely in memory with HDF5's core driver and written to disk
/// by plain `write` calls: a full disk then fails our own write, never an HDF5 flush or close
/// (see H5File+Abandon for why those must not fail).
extension H5File {
    /// `reproducible`: no modification times in the root group (as `create`).
    static func createInMemory(_ name: String, reproducible: Bool = false) throws -> H5File {
        _ = HDF5.ready
        let fapl = try H5ID.make(H5Pcreate(ls_h5p_file_access()), "H5Pcreate(H5P_FILE_ACCESS)", close: H5Pclose)
        try HDF5.check(H5Pset_fapl_core(fapl.id, 1 << 16, false), "H5Pset_fapl_core")
        let fcpl = try H5ID.make(H5Pcreate(ls_h5p_file_create()), "H5Pcreate(H5P_FILE_CREATE)", close: H5Pclose)
        if reproducible { try HDF5.check(H5Pset_obj_track_times(fcpl.id, false), "H5Pset_obj_track_times") }
        let id = try H5ID.make(H5Fcreate(name, ls_h5f_acc_trunc(), fcpl.id, fapl.id), "H5Fcreate('\(name)', in memory)",
                               close: H5Fclose)
        return H5File(memory: id, path: name)
    }

    /// The finished file's bytes (flushes to memory, then closes).
    func closeToImage() throws -> [UInt8] {
        try HDF5.check(H5Fflush(id, H5F_SCOPE_LOCAL), "H5Fflush('\(path)', in memory)")
        let size = try HDF5.check(H5Fget_file_image(id, nil, 0), "H5Fget_file_image('\(path)')")
        var bytes = [UInt8](repeating: 0, count: size)
        try HDF5.check(H5Fget_file_image(id, &bytes, size), "H5Fget_file_image('\(path)')")
        try close()
        return bytes
    }

    /// Writes `bytes` to `path` (created or truncated); a refused write is an `OutputFailure` for `final`.
    static func writeImage(_ bytes: [UInt8], to path: String, final: String) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw OutputFailure(path: final, cause: "cannot create '\(path)' (\(String(cString: strerror(errno))))") }
        defer { Glibc.close(fd) }
        DiskFullInjection.account(bytes.count, path: path)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw OutputFailure(path: final, cause: "write failed: \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}
