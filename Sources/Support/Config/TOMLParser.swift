import Foundation

/// A strict parser for the TOML subset of job files. It reads the text scalar by scalar, keeping the
/// line number, and builds the tables of a `TOMLDocument`. Values are parsed in `TOMLParser+Values`.
struct TOMLParser {
    let file: String
    let chars: [Unicode.Scalar]
    var pos = 0
    var line = 1
    private var tables = [TOMLTable(path: [])]

    init(text: String, file: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        chars = scalars
        self.file = file
    }

    mutating func parse() throws -> TOMLDocument {
        var current: [String] = []
        while let c = peek {
            switch c {
            case " ", "\t": pos += 1
            case "\n", "\r": try newline()
            case "#": try skipComment()
            case "[":
                current = try header()
                try endOfLine(after: "table header \(TOMLTable(path: current).displayName)")
            default:
                let key = try keyValue(in: current)
                try endOfLine(after: "the value of key '\(key)'")
            }
        }
        return TOMLDocument(file: file, tables: tables)
    }

    // MARK: scanning

    func error(_ message: String, line: Int? = nil) -> InputError {
        InputError("\(file) line \(line ?? self.line): \(message)", exitCode: ExitStatus.usage)
    }

    var peek: Unicode.Scalar? { pos < chars.count ? chars[pos] : nil }

    func peek(_ offset: Int) -> Unicode.Scalar? { pos + offset < chars.count ? chars[pos + offset] : nil }

    /// True at a line break (`\n` or `\r\n`).
    var atLineEnd: Bool { peek == "\n" || (peek == "\r" && peek(1) == "\n") }

    mutating func skipSpaces() { while peek == " " || peek == "\t" { pos += 1 } }

    mutating func newline() throws {
        if peek == "\r" {
            guard peek(1) == "\n" else {
                throw error("carriage return without a line feed; save the file with Unix (LF) or Windows (CRLF) line endings")
            }
            pos += 1
        }
        pos += 1
        line += 1
    }

    /// Skips a comment up to (not including) the line break.
    mutating func skipComment() throws {
        while let c = peek, !atLineEnd {
            if TOMLParser.isControl(c) && c != "\t" {
                throw error("control character \(TOMLParser.hex(c)) in a comment; remove it")
            }
            pos += 1
        }
    }

    /// Spaces, line breaks and comments, as allowed between the elements of an array.
    mutating func skipBlank() throws {
        while let c = peek {
            switch c {
            case " ", "\t": pos += 1
            case "\n", "\r": try newline()
            case "#": try skipComment()
            default: return
            }
        }
    }

    /// After a header or a value only spaces and a comment may follow on the line.
    mutating func endOfLine(after what: String) throws {
        skipSpaces()
        if peek == "#" { try skipComment() }
        guard peek != nil, !atLineEnd else { return }
        if peek == "\r" { try newline() }
        let start = pos
        while peek != nil, !atLineEnd { pos += 1 }
        let rest = String(String.UnicodeScalarView(chars[start..<pos])).trimmingCharacters(in: .whitespaces)
        pos = start
        throw error("unexpected text '\(TOMLValue.abbreviated(rest, limit: 32))' after \(what); "
                    + "expected a comment (#) or the end of the line")
    }

    /// How a message names the scalar at the current position.
    var found: String {
        guard let c = peek else { return "the end of the file" }
        if atLineEnd { return "the end of the line" }
        return TOMLParser.isControl(c) ? TOMLParser.hex(c) : "'\(Character(c))'"
    }

    static func isControl(_ c: Unicode.Scalar) -> Bool { c.value < 0x20 || c.value == 0x7F }

    static func hex(_ c: Unicode.Scalar) -> String {
        let digits = String(c.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: structure

    /// A bare or quoted key.
    mutating func key() throws -> String {
        switch peek {
        case "\""?: return try basicString()
        case "'"?: return try literalString()
        default:
            let start = pos
            while let c = peek, TOMLValue.isBareKeyScalar(c) { pos += 1 }
            guard pos > start else { throw error("expected a key, found \(found)") }
            return String(String.UnicodeScalarView(chars[start..<pos]))
        }
    }

    /// `[a.b]`: defines the table and returns its path.
    private mutating func header() throws -> [String] {
        pos += 1
        if peek == "[" {
            throw error("arrays of tables ([[...]]) are not supported in job files; use one [table] per section")
        }
        var path: [String] = []
        while true {
            skipSpaces()
            if path.isEmpty && peek == "]" { throw error("empty table header '[]'; name the table, e.g. [reduce]") }
            path.append(try key())
            skipSpaces()
            if peek == "." { pos += 1; continue }
            if peek == "]" { pos += 1; break }
            if peek == nil || atLineEnd { throw error("unterminated table header (missing ']')") }
            throw error("expected '.' or ']' in a table header, found \(found)")
        }
        try defineTable(path)
        return path
    }

    /// `key = value` in the table at `path`; returns the key.
    private mutating func keyValue(in path: [String]) throws -> String {
        let keyLine = line
        let name = try key()
        skipSpaces()
        if peek == "." {
            throw error("dotted keys ('\(name).… = …') are not supported in job files; use a [table] header instead")
        }
        guard peek == "=" else { throw error("expected '=' after key '\(name)'") }
        pos += 1
        skipSpaces()
        let value = try value(for: name)
        try add(name, TOMLEntry(value: value, line: keyLine), to: path)
        return name
    }

    private func inTable(_ path: [String]) -> String {
        path.isEmpty ? "" : " in " + TOMLTable(path: path).displayName
    }

    private mutating func add(_ key: String, _ entry: TOMLEntry, to path: [String]) throws {
        guard let t = tables.firstIndex(where: { $0.path == path }) else {
            preconditionFailure("key added to table \(path) before the table was defined")
        }
        if let first = tables[t][key] {
            throw error("duplicate key '\(key)'\(inTable(path)) (first set on line \(first.line)); keep one", line: entry.line)
        }
        if let sub = tables.first(where: { $0.headerLine != nil && $0.path.starts(with: path + [key]) }),
           let subLine = sub.headerLine {
            throw error("key '\(key)' conflicts with table \(sub.displayName) on line \(subLine)", line: entry.line)
        }
        tables[t].keys.append(key)
        tables[t].entries[key] = entry
    }

    /// Registers a `[path]` header, implying its parents; a table may be defined only once and never
    /// where a key of the same name already holds a value.
    private mutating func defineTable(_ path: [String]) throws {
        let name = TOMLTable(path: path).displayName
        for i in 0..<path.count {
            let parent = Array(path[0..<i])
            if let table = tables.first(where: { $0.path == parent }), let entry = table[path[i]] {
                throw error("table \(name) conflicts with key '\(path[i])'\(inTable(parent)) set on line \(entry.line)")
            }
        }
        if let t = tables.firstIndex(where: { $0.path == path }) {
            if let first = tables[t].headerLine {
                throw error("table \(name) is defined twice (first on line \(first)); merge the two")
            }
            var implied = tables.remove(at: t)
            implied.headerLine = line
            tables.append(implied)
            return
        }
        for i in 1..<path.count where !tables.contains(where: { $0.path == Array(path[0..<i]) }) {
            tables.append(TOMLTable(path: Array(path[0..<i])))
        }
        tables.append(TOMLTable(path: path, headerLine: line))
    }
}
