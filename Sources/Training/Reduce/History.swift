import Foundation
import Support

/// `history.jsonl`: one JSON object per training step, appended by rank 0 and flushed per line.
public final class History {
    private let handle: FileHandle?

    /// Opens `path`; with `keepThrough` (a resumed run) keeps only the lines of steps ≤ that step.
    public init(path: String, active: Bool, keepThrough: Int?) throws {
        guard active else { handle = nil; return }
        var kept = ""
        if let last = keepThrough, let old = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in old.split(separator: "\n") {
                if let data = line.data(using: .utf8),
                   let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                   let step = object["step"] as? Int, step <= last { kept += line + "\n" }
            }
        }
        try kept.write(toFile: path, atomically: true, encoding: .utf8)
        handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
    }

    public func append(_ fields: [(String, Any)]) {
        guard let handle else { return }
        let body = fields.map { key, value -> String in
            let text: String
            switch value {
            case let d as Double: text = d.isFinite ? String(format: "%.8g", d) : "null"
            case let s as String: text = "\"\(s)\""
            default: text = "\(value)"
            }
            return "\"\(key)\": \(text)"
        }.joined(separator: ", ")
        handle.write(Data(("{" + body + "}\n").utf8))
    }

    deinit { try? handle?.close() }
}
