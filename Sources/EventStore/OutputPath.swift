import Comm
import Foundation
import Support

/// Output files are written under a hidden temporary name in the destination directory and renamed
/// into place only when complete, so an interrupted or failed run never leaves a file that looks finished.
public struct OutputPath: Sendable {
    public let final: String
    public var directory: String { (final as NSString).deletingLastPathComponent.isEmpty ? "." : (final as NSString).deletingLastPathComponent }
    public var temporary: String {
        (directory as NSString).appendingPathComponent("." + (final as NSString).lastPathComponent + ".partial")
    }

    public init(_ path: String) { final = path }

    /// Creates the directory if needed and proves it writable by creating and removing a probe file.
    public func prepare() throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw InputError("cannot write '\(final)': '\(directory)' is not a directory; choose another output path",
                                 exitCode: ExitStatus.cannotCreate)
            }
        } else {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw InputError("cannot write '\(final)': cannot create directory '\(directory)' "
                                 + "(\(OutputPath.reason(error))); choose another output path", exitCode: ExitStatus.cannotCreate)
            }
        }
        let probe = (directory as NSString).appendingPathComponent(".latentsim-write-probe-\(getpid())")
        let fd = open(probe, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw InputError("cannot write '\(final)': directory '\(directory)' is not writable (\(why)); "
                             + "choose another output path", exitCode: ExitStatus.cannotCreate)
        }
        close(fd)
        unlink(probe)
    }

    /// Atomically moves the finished temporary file to its final name.
    public func commit() throws {
        guard rename(temporary, final) == 0 else {
            let why = String(cString: strerror(errno))
            throw InputError("cannot move '\(temporary)' to '\(final)' (\(why))", exitCode: ExitStatus.cannotCreate)
        }
    }

    public func discard() { unlink(temporary) }

    /// Writes a small text file (JSON, TOML) under the temporary name, then renames it into place.
    public func write(text: String) throws {
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            if DiskFullInjection.budget != nil { try DiskFullInjection.writeText(text, temporary: temporary) }
        } catch {
            discard()
            throw InputError("cannot write '\(final)' (\(OutputPath.reason(error))); free space on its filesystem "
                             + "(or choose another output path) and rerun the same command to continue",
                             exitCode: ExitStatus.cannotCreate)
        }
        try commit()
    }

    public static func reason(_ error: Error) -> String {
        if let e = error as? CocoaError, let u = e.underlying as? POSIXError { return String(cString: strerror(u.code.rawValue)) }
        // Foundation reports ENOSPC as fileWriteOutOfSpace ("There isn't enough space."): say it as the system does.
        if let e = error as? CocoaError, e.code == .fileWriteOutOfSpace { return String(cString: strerror(ENOSPC)) }
        if let e = error as? POSIXError { return String(cString: strerror(e.code.rawValue)) }
        return (error as NSError).localizedFailureReason ?? error.localizedDescription
    }
}
