import Foundation
import Glibc
import Support

/// Test hook for the disk-full paths where a small filesystem cannot be mounted (a container without
/// CAP_SYS_ADMIN): with `LATENTSIM_TEST_DISK_FULL_AFTER=N` in the environment, once this process has
/// asked to write more than N bytes of tables, checkpoints and reports, the file being written has
/// its descriptors pointed at /dev/full. HDF5's (or MPI-IO's, or Foundation's) own write then fails
/// with the kernel's ENOSPC, so everything after it — the error line, the abandoned close, the
/// removed temporary, the agreement across ranks — runs exactly as on a full disk.
enum DiskFullInjection {
    static let budget: Int? = ProcessInfo.processInfo.environment["LATENTSIM_TEST_DISK_FULL_AFTER"].flatMap { Int($0) }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var requested = 0
    nonisolated(unsafe) private static var injected: [String: Set<Int32>] = [:]

    /// Counts `bytes` about to be written to `path` (open in this process); past the budget the
    /// disk is made to look full for that file. Returns true if it did.
    @discardableResult
    static func account(_ bytes: Int, path: String) -> Bool {
        guard let budget else { return false }
        lock.lock()
        requested += bytes
        let full = requested > budget
        lock.unlock()
        guard full else { return false }
        let device = Glibc.open("/dev/full", O_WRONLY)
        guard device >= 0 else { return false }
        defer { Glibc.close(device) }
        let changed = H5File.redirectDescriptors(of: path, to: device)
        lock.lock()
        injected[path, default: []].formUnion(changed)
        lock.unlock()
        return true
    }

    /// The descriptors of `path` this hook pointed at /dev/full (no longer on its inode), so that
    /// abandoning the file finds them too.
    static func descriptors(of path: String) -> [Int32] {
        lock.lock()
        defer { lock.unlock() }
        return Array(injected.removeValue(forKey: path) ?? [])
    }

    /// A text output past the budget: written again through a descriptor on /dev/full, so the
    /// write fails as Foundation reports a full disk.
    static func writeText(_ text: String, temporary: String) throws {
        guard let handle = FileHandle(forWritingAtPath: temporary) else { return }
        defer { try? handle.close() }
        if account(text.utf8.count, path: temporary) { try handle.write(contentsOf: Data(text.utf8)) }
    }
}
