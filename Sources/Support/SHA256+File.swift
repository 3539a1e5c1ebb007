import Foundation

extension SHA256 {
    /// The digest of one file taken a piece at a time, so that the shard writer thread can hash a
    /// finished shard between the writes of the next one instead of stalling them for the whole
    /// file. The caller owns the read buffer (reused across files: no allocation per piece).
    public final class FileDigest {
        public let path: String
        private let hasher: SHA256
        private let fd: Int32

        public convenience init(path: String) throws {
            try self.init(path: path, hasher: try SHA256())
        }

        init(path: String, hasher: SHA256) throws {
            self.path = path
            self.hasher = hasher
            fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw InputError("cannot read '\(path)' (\(String(cString: strerror(errno)))); check the path and its permissions",
                                 exitCode: ExitStatus.noInput)
            }
        }

        deinit { close(fd) }

        /// Hashes the next piece (up to `buffer.count` bytes); returns the hex digest once the file is done.
        public func step(_ buffer: UnsafeMutableRawBufferPointer) throws -> String? {
            try read(buffer) ? nil : try hasher.finish()
        }

        /// Feeds the next piece to the hasher; false at the end of the file.
        func read(_ buffer: UnsafeMutableRawBufferPointer) throws -> Bool {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { throw InputError("cannot read '\(path)' (\(String(cString: strerror(errno))))", exitCode: ExitStatus.noInput) }
            if n == 0 { return false }
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            return true
        }
    }
}
