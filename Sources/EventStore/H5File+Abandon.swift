import CHDF5
import Foundation
import Glibc
import Support

/// Written files whose closing `H5Fclose`/`H5Dclose` can never fail.
///
/// HDF5 1.10.8 (Debian 12) frees a file's (or dataset's) structure inside a close that fails — its
/// flush hit a full disk — but keeps the identifier (HDF5 PR #2291, fixed in 1.14.1); library
/// termination, which parallel HDF5 runs from `MPI_Finalize`, closes that identifier again and reads
/// freed memory (SIGSEGV in `H5F__close_cb`). A failed metadata flush also leaves the cache's skip
/// list enabled ("slist already enabled?"), so every later flush and close of that file fails too.
/// Hence no metadata flush may ever meet a full disk:
/// - table files reserve their metadata's blocks (`reserveMetadata`) before the first raw write and
///   write rows without a sieve buffer, so a refused write fails in `H5Dwrite` itself;
/// - a file given up after such a failure is `abandon`ed: every descriptor this process holds on it
///   is pointed at an unlinked scratch file, so the close's own writes succeed and the identifiers
///   are released cleanly (the caller removes the temporary file);
/// - small files (checkpoints) are built in memory and written by `writeImage`.
extension H5File {
    /// Closes without writing anything more to the file's storage (its contents are given up).
    /// Collective for a file opened through MPI-IO, like `H5Fclose`.
    func abandon(datasets: [H5Dataset?] = []) {
        guard handle.isOpen else { return }
        if writable { H5File.silenceDescriptors(of: path) }
        for ds in datasets { try? ds?.close() }
        _ = try? handle.close("H5Fclose('\(path)')")
    }

    /// Reserves the disk blocks of the file's metadata — everything below the end of allocation
    /// except the contiguous `dataset`'s raw data (allocated early): superblock, object headers,
    /// attributes — so that flushing them cannot meet a full disk. The file's size is not changed
    /// (`fallocate` with FALLOC_FL_KEEP_SIZE), so its bytes stay those of an unreserved write; a
    /// filesystem without `fallocate` is written unreserved. Call after the last metadata change,
    /// on one process. MPI-IO cannot tell the end of allocation: 64 KiB past the raw data are taken.
    func reserveMetadata(around dataset: H5Dataset, final: String) throws {
        let offset = UInt64(H5Dget_offset(dataset.id))   // HADDR_UNDEF (all ones) when not allocated
        let size = UInt64(H5Dget_storage_size(dataset.id))
        var eoa: haddr_t = 0
        let end = H5Fget_eoa(id, &eoa) >= 0 ? UInt64(eoa) : (offset == UInt64.max ? 1 << 16 : offset + size + (1 << 16))
        _ = HDF5.errorStackMessage()   // clears the stack of a refused H5Fget_eoa
        let ranges: [(UInt64, UInt64)] = offset == UInt64.max || size == 0 || offset + size > end
            ? [(UInt64(0), end)] : [(UInt64(0), offset), (offset + size, end - offset - size)]
        guard let fallocate = H5File.fallocate else { return }
        let fd = Glibc.open(path, O_WRONLY)
        guard fd >= 0 else { throw OutputFailure(path: final, cause: "cannot open '\(path)' (\(String(cString: strerror(errno))))") }
        defer { Glibc.close(fd) }
        for (start, length) in ranges where length > 0 {
            if fallocate(fd, 1 /* FALLOC_FL_KEEP_SIZE */, Int(start), Int(length)) != 0 {
                let code = errno
                if code == EOPNOTSUPP || code == ENOSYS || code == EINVAL { return }
                throw OutputFailure(path: final, cause: "reserving \(length) bytes for its metadata failed: \(String(cString: strerror(code)))")
            }
        }
    }

    /// Linux `fallocate(2)` (declared by glibc only under _GNU_SOURCE, so looked up at run time).
    private static let fallocate: (@convention(c) (Int32, Int32, Int, Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fallocate") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32, Int, Int) -> Int32).self)
    }()

    /// Points every descriptor of this process that is open on `path`'s inode (the sec2 driver's, or
    /// the MPI-IO library's) at one unlinked scratch file in memory: unlike /dev/null it can be
    /// truncated and extended (MPI-IO's close sets the file size), and a sparse extension costs nothing.
    static func silenceDescriptors(of path: String) {
        let scratch = anonymousScratchFile()
        guard scratch >= 0 else { return }
        defer { Glibc.close(scratch) }
        redirectDescriptors(of: path, to: scratch)
        for fd in DiskFullInjection.descriptors(of: path) { _ = dup2(scratch, fd) }
    }

    /// Every descriptor of this process open on `path`'s inode becomes a duplicate of `replacement`;
    /// returns them.
    @discardableResult
    static func redirectDescriptors(of path: String, to replacement: Int32) -> [Int32] {
        var target = stat()
        guard stat(path, &target) == 0 else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        var changed: [Int32] = []
        for entry in entries {
            guard let fd = Int32(entry), fd != replacement else { continue }
            var info = stat()
            if fstat(fd, &info) == 0 && info.st_dev == target.st_dev && info.st_ino == target.st_ino {
                if dup2(replacement, fd) >= 0 { changed.append(fd) }
            }
        }
        return changed
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
