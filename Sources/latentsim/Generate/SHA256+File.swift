import Comm
import Foundation

extension SHA256 {
    /// The digest of one file taken a piece at a time, so that the shard writer thread can hash a
    /// finished shard between the writes of the next one instead of stalling them for the whole
    /// file. The caller owns the read buffer (reused across files: no allocation per piece).
    final class FileDigest {
        let path: String
        private var hasher = SHA256()
        private let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw InputError("cannot read '\(path)' (\(String(cString: strerror(errno)))); check the path and its permissions",
                                 exitCode: ExitStatus.noInput)
            }
        }

        deinit { close(fd) }

        /// Hashes the next piece (up to `buffer.count` bytes); returns the hex digest once the file is done.
        func step(_ buffer: UnsafeMutableRawBufferPointer) throws -> String? {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { throw InputError("cannot read '\(path)' (\(String(cString: strerror(errno))))", exitCode: ExitStatus.noInput) }
            if n == 0 { return hasher.finish() }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            return nil
        }
    }
}
