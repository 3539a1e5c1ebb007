import Foundation
import Support

/// A written output whose storage refused the bytes (full disk, quota, file-size limit, I/O error):
/// one line naming the file and the fix, exit 73. The temporary file has been removed by then, so
/// nothing under the final name exists and a rerun with space continues (or redoes this file).
public struct OutputFailure: ReportableError {
    /// The final name the file would have had.
    public let path: String
    /// The failing call and the system's reason, e.g. "HDF5 call H5Dwrite('events') failed: … No space left on device".
    public let cause: String
    public var exitCode: Int32 { ExitStatus.cannotCreate }
    public var description: String {
        "cannot write '\(path)': \(cause); free space on its filesystem (or choose another output path) "
            + "and rerun the same command to continue"
    }

    /// `error` as an OutputFailure for `path` when it is a refused write; any other error unchanged.
    public static func wrap(_ error: Error, path: String) -> Error {
        guard let e = error as? HDF5Error, e.isWriteFailure else { return error }
        // MPI-IO's message has no system reason (Open MPI prints its own line): name a full filesystem.
        let full = !e.message.contains(": ") && filesystemIsFull(containing: path) ? ": No space left on device" : ""
        return OutputFailure(path: path, cause: e.description + full)
    }

    /// Less than 64 KiB left for unprivileged writers where `path` is written (call before the
    /// partial file is removed).
    static func filesystemIsFull(containing path: String) -> Bool {
        var info = statvfs()
        guard statvfs(OutputPath(path).directory, &info) == 0 else { return false }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize) < 1 << 16
    }
}
