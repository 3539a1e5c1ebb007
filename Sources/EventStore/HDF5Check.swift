import CHDF5
import Comm
import Support

/// A failed HDF5 call: the call's name and HDF5's own messages from its error stack
/// (outermost API message, then the innermost cause).
public struct HDF5Error: ReportableError {
    public let call: String
    public let message: String
    /// 73 when the file's storage refused a write (full disk, quota, size limit, I/O error): the
    /// output cannot be written; 70 for any other failure.
    public var exitCode: Int32 { isWriteFailure ? ExitStatus.cannotCreate : ExitStatus.software }
    public var description: String { "HDF5 call \(call) failed: \(message)" }

    public var isWriteFailure: Bool {
        HDF5Error.writeFailureMarks.contains { message.contains($0) }
    }

    static let writeFailureMarks = ["file write failed", "unable to flush", "No space left on device", "Disk quota exceeded",
                                    "File too large", "Input/output error", "Read-only file system"]
}

enum HDF5 {
    /// Turns off HDF5's automatic stack printing once; errors are reported through `HDF5Error`.
    static let ready: Bool = {
        _ = H5open()
        _ = H5Eset_auto2(ls_h5e_default(), nil, nil)
        return true
    }()

    /// The one place every HDF5 return code goes through. Negative values mean failure.
    @discardableResult
    static func check<T: BinaryInteger>(_ code: T, _ call: @autoclosure () -> String) throws -> T {
        if code >= 0 { return code }
        throw HDF5Error(call: call(), message: errorStackMessage())
    }

    /// One line from one error-stack message: the sec2 driver's "file write failed: time = …,
    /// filename = …, errno = 28, error message = 'No space left on device', buf = …" (with a newline
    /// inside) becomes "file write failed: No space left on device".
    static func condense(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        guard let colon = flat.range(of: ": time = "), let start = flat.range(of: "error message = '"),
              let end = flat[start.upperBound...].firstIndex(of: "'") else { return flat }
        return String(flat[..<colon.lowerBound]) + ": " + String(flat[start.upperBound..<end])
    }

    /// The current error stack as one line: "outer message (innermost message)".
    static func errorStackMessage() -> String {
        final class Collector { var lines: [String] = [] }
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        _ = H5Ewalk2(ls_h5e_default(), H5E_WALK_DOWNWARD, { _, desc, data in
            guard let desc, let data else { return 0 }
            let c = Unmanaged<Collector>.fromOpaque(data).takeUnretainedValue()
            if let text = desc.pointee.desc { c.lines.append(HDF5.condense(String(cString: text))) }
            return 0
        }, context)
        _ = H5Eclear2(ls_h5e_default())
        guard let first = collector.lines.first else { return "no message on the HDF5 error stack" }
        if let last = collector.lines.last, collector.lines.count > 1, last != first { return "\(first) (\(last))" }
        return first
    }
}

/// An HDF5 identifier closed exactly once when it goes out of scope.
final class H5ID {
    let id: hid_t
    private let closer: (hid_t) -> herr_t
    private(set) var isOpen = true

    init(_ id: hid_t, _ closer: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.closer = closer
    }

    /// Checks `id` (from the call named `call`) and wraps it.
    static func make(_ id: hid_t, _ call: @autoclosure () -> String, close closer: @escaping (hid_t) -> herr_t) throws -> H5ID {
        _ = HDF5.ready
        try HDF5.check(id, call())
        return H5ID(id, closer)
    }

    /// Closes now and checks the result (a file's close flushes it: its errors matter).
    func close(_ call: @autoclosure () -> String) throws {
        guard isOpen else { return }
        isOpen = false
        try HDF5.check(closer(id), call())
    }

    deinit { if isOpen { _ = closer(id) } }
}
