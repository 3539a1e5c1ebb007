import Foundation

/// A value and the line of the file where its key was written.
public struct TOMLEntry: Sendable, Equatable {
    public let value: TOMLValue
    public let line: Int
}

/// One table of a document: the root (path []), a `[a.b]` header, or a parent a header implies.
public struct TOMLTable: Sendable {
    public let path: [String]
    /// The line of the `[...]` header; nil for the root and for tables only implied by a dotted header.
    public internal(set) var headerLine: Int?
    /// Keys in the order they appear in the file.
    public internal(set) var keys: [String] = []
    public internal(set) var entries: [String: TOMLEntry] = [:]

    public subscript(key: String) -> TOMLEntry? { entries[key] }

    /// `[a.b]` as written in a header (`top level` for the root).
    public var displayName: String {
        path.isEmpty ? "top level" : "[" + path.map(TOMLValue.key).joined(separator: ".") + "]"
    }
}

/// A parsed job file: tables in order of appearance (the root first), every value with its line.
///
/// The parser is strict: anything outside the subset job files need (multi-line strings, dates,
/// arrays of tables, dotted keys) is rejected with a message naming the file and line.
public struct TOMLDocument: Sendable {
    public let file: String
    public let tables: [TOMLTable]

    init(file: String, tables: [TOMLTable]) {
        self.file = file
        self.tables = tables
    }

    /// Parses TOML text; `file` is the name errors report.
    public init(parsing text: String, file: String) throws {
        var parser = TOMLParser(text: text, file: file)
        self = try parser.parse()
    }

    /// Reads and parses a job file.
    public static func read(path: String) throws -> TOMLDocument {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("job file '\(path)' does not exist; check the path", exitCode: ExitStatus.noInput)
        }
        guard !isDirectory.boolValue else {
            throw InputError("job file '\(path)' is a directory; expected a TOML file", exitCode: ExitStatus.noInput)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("job file '\(path)' cannot be read; check its permissions", exitCode: ExitStatus.noInput)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("job file '\(path)' is not UTF-8 text; expected a TOML file", exitCode: ExitStatus.usage)
        }
        return try TOMLDocument(parsing: text, file: path)
    }

    public var root: TOMLTable { tables[0] }

    /// The table at `path` (`["reduce"]` for `[reduce]`), explicit or implied.
    public func table(_ path: [String]) -> TOMLTable? { tables.first { $0.path == path } }

    /// The value at `key` in the table at `path`.
    public func value(_ key: String, in path: [String] = []) -> TOMLValue? { table(path)?[key]?.value }
}
