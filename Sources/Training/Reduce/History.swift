import EventStore
import Foundation
import Support

/// `history.jsonl`: one JSON object per training step, appended by rank 0 and flushed per line.
public final class History {
    private let handle: FileHandle?
    private let path: String
    private var failure: InputError?

    /// Opens `path`; with `keepThrough` (a resumed run) keeps only the lines of steps ≤ that step.
    public init(path: String, active: Bool, keepThrough: Int?) throws {
        self.path = path
        guard active else { handle = nil; return }
        var kept = ""
        if let last = keepThrough, let old = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in old.split(separator: "\n") {
                if let step = (try? JSONValue.parse(line))?["step"]?.int, step <= last { kept += line + "\n" }
            }
        }
        try kept.write(toFile: path, atomically: true, encoding: .utf8)
        handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
    }

    /// One line: the fields in order. Numbers are written by the caller (`History.number` keeps the
    /// file's "%.8g" digits); names and strings are escaped, so any column name gives valid JSON.
    /// A write the disk refused is kept (not a crash, and not thrown on rank 0 alone, which would
    /// leave the other ranks waiting): `check`, inside the next checkpoint's agreement, reports it.
    public func append(_ fields: [(String, JSONValue)]) {
        guard let handle, failure == nil else { return }
        do { try handle.write(contentsOf: Data((History.line(fields)).utf8)) } catch {
            failure = InputError("cannot write '\(path)' (\(OutputPath.reason(error))); free space on its filesystem "
                                 + "(or choose another output path) and rerun the same command to continue",
                                 exitCode: ExitStatus.cannotCreate)
        }
    }

    /// Throws the first refused write, if any.
    public func check() throws { if let failure { throw failure } }

    /// The text of one record, newline included.
    public static func line(_ fields: [(String, JSONValue)]) -> String {
        JSONValue.object(fields.map { (key: $0.0, value: $0.1) }).serialized + "\n"
    }

    /// A Double as history.jsonl has always written it: 8 significant digits, null when not finite.
    public static func number(_ x: Double) -> JSONValue { .number(x, format: "%.8g") }

    deinit { try? handle?.close() }
}
