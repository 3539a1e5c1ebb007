import CHDF5
import Foundation
import Glibc
import Support

/// Closing a written file without ever letting `H5Fclose` fail.
///
/// HDF5 1.10.8 (Debian 12) frees a file's structure inside a failing `H5Fclose` (its closing flush
/// hit a full disk) but keeps the identifier (HDF5 PR #2291, fixed in 1.14.1): at library
/// termination — which parallel HDF5 runs from `MPI_Finalize` — it closes that identifier again
/// and dereferences freed memory (SIGSEGV in `H5F__close_cb`). So a writable file is flushed
/// first; a failing flush leaves the library consistent, and the file is then abandoned: every
/// descriptor this process holds on it is pointed at an anonymous memory file, so the close's own writes succeed
/// and the identifier is released cleanly. The caller removes the temporary file.
extension H5File {
    /// Flushes, then closes (checked). On a failed flush the file is abandoned and the flush's error thrown.
    func closeFlushingFirst() throws {
        guard handle.isOpen else { return }
        if writable && H5Fflush(id, H5F_SCOPE_LOCAL) < 0 {
            let error = HDF5Error(call: "H5Fflush('\(path)')", message: HDF5.errorStackMessage())
            abandon()
            throw error
        }
        try handle.close("H5Fclose('\(path)')")
    }

    /// Closes without writing anything to the file's storage (its contents are given up). Collective
    /// for a file opened through MPI-IO, like `H5Fclose`.
    func abandon() {
        guard handle.isOpen else { return }
        if writable { H5File.silenceDescriptors(of: path) }
        _ = try? handle.close("H5Fclose('\(path)')")
    }

    /// Points every descriptor of this process that is open on `path`'s inode (the sec2 driver's, or
    /// the MPI-IO library's) at one unlinked scratch file in memory: unlike /dev/null it can be
    /// truncated and extended (MPI-IO's close sets the file size), and a sparse extension costs nothing.
    static func silenceDescriptors(of path: String) {
        var target = stat()
        guard stat(path, &target) == 0 else { return }
        let scratch = anonymousScratchFile()
        guard scratch >= 0 else { return }
        defer { Glibc.close(scratch) }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for entry in entries {
            guard let fd = Int32(entry), fd != scratch else { continue }
            var info = stat()
            if fstat(fd, &info) == 0 && info.st_dev == target.st_dev && info.st_ino == target.st_ino {
                _ = dup2(scratch, fd)
            }
        }
    }

    /// An unlinked file in /dev/shm (memory), else in the temporary directory; -1 if neither works.
    private static func anonymousScratchFile() -> Int32 {
        for directory in ["/dev/shm", NSTemporaryDirectory()] {
            var template = Array(((directory as NSString).appendingPathComponent("latentsim-abandoned-XXXXXX")).utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if fd >= 0 {
                unlink(String(cString: template))
                return fd
            }
        }
        return -1
    }
}
