
/// Values: strings with escapes, literal strings, arrays (multi-line, homogeneous) and one-line
/// inline tables. Numbers, booleans and bare words are in `TOMLParser+Numbers`.
extension TOMLParser {
    /// The value starting at the current position; `key` names it in messages.
    mutating func value(for key: String) throws -> TOMLValue {
        switch peek {
        case nil, "#"?: throw error("missing value after '=' for key '\(key)'")
        case "\""?: return .string(try basicString())
        case "'"?: return .string(try literalString())
        case "["?: return try array(for: key)
        case "{"?: return try inlineTable(for: key)
        default:
            if atLineEnd { throw error("missing value after '=' for key '\(key)'") }
            return try scalar(for: key)
        }
    }

    /// `"..."` on one line, with the escapes \" \\ \n \t \r \b \f \uXXXX \UXXXXXXXX.
    mutating func basicString() throws -> String {
        pos += 1
        if peek == "\"" && peek(1) == "\"" {
            throw error("multi-line strings (\"\"\") are not supported in job files; use one line with \\n escapes")
        }
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek, !atLineEnd else { throw error("unterminated string (missing closing \")") }
            pos += 1
            switch c {
            case "\"": return String(out)
            case "\\": out.append(try escape())
            default:
                if TOMLParser.isControl(c) && c != "\t" {
                    throw error("control character \(TOMLParser.hex(c)) in a string; write it as an escape (\\u\(TOMLParser.hex(c).dropFirst(2)))")
                }
                out.append(c)
            }
        }
    }

    private mutating func escape() throws -> Unicode.Scalar {
        guard let e = peek, !atLineEnd else { throw error("unterminated string (missing closing \")") }
        pos += 1
        switch e {
        case "\"": return "\""
        case "\\": return "\\"
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "u": return try unicodeEscape(e, digits: 4)
        case "U": return try unicodeEscape(e, digits: 8)
        default:
            throw error("invalid escape '\\\(Character(e))' in a string; "
                        + "valid escapes are \\\" \\\\ \\n \\t \\r \\b \\f \\uXXXX \\UXXXXXXXX")
        }
    }

    private mutating func unicodeEscape(_ letter: Unicode.Scalar, digits: Int) throws -> Unicode.Scalar {
        var text = ""
        while text.count < digits, let c = peek, c.properties.isASCIIHexDigit {
            text.unicodeScalars.append(c)
            pos += 1
        }
        let written = "\\\(Character(letter))\(text)"
        guard text.count == digits, let value = UInt32(text, radix: 16) else {
            throw error("invalid escape '\(written)' in a string; expected \(digits) hexadecimal digits")
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("invalid escape '\(written)' in a string; it is not a Unicode scalar value")
        }
        return scalar
    }

    /// `'...'` on one line, taken as written (no escapes).
    mutating func literalString() throws -> String {
        pos += 1
        if peek == "'" && peek(1) == "'" {
            throw error("multi-line literal strings (''') are not supported in job files; use one line")
        }
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek, !atLineEnd else { throw error("unterminated string (missing closing ')") }
            pos += 1
            if c == "'" { return String(out) }
            if TOMLParser.isControl(c) && c != "\t" {
                throw error("control character \(TOMLParser.hex(c)) in a literal string; use a \"basic string\" with an escape")
            }
            out.append(c)
        }
    }

    /// `[a, b, ...]`, possibly over several lines with comments and a trailing comma; one element type.
    private mutating func array(for key: String) throws -> TOMLValue {
        let start = line
        pos += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlank()
            guard peek != nil else { throw error("unterminated array for key '\(key)' (missing ']')", line: start) }
            if peek == "]" { pos += 1; break }
            let item = try value(for: key)
            if let first = items.first, first.kindPlural != item.kindPlural {
                let numbers = Set([first.kindPlural, item.kindPlural]) == ["integers", "floats"]
                throw error("array for key '\(key)' mixes \(first.kindPlural) and \(item.kindPlural); "
                            + (numbers ? "write every number as a float (e.g. 1.0)" : "a list holds values of one type"))
            }
            items.append(item)
            let itemLine = line
            try skipBlank()
            if peek == "," { pos += 1; continue }
            if peek == "]" { pos += 1; break }
            if peek == nil || line > itemLine {
                throw error("unterminated array for key '\(key)' (missing ']')", line: start)
            }
            throw error("expected ',' or ']' in the array for key '\(key)', found \(found)")
        }
        return .array(items)
    }

    /// `{ a = 1, b = "x" }` on one line, no trailing comma (as in TOML 1.0).
    private mutating func inlineTable(for key: String) throws -> TOMLValue {
        pos += 1
        var table: [String: TOMLValue] = [:]
        skipSpaces()
        if peek == "}" { pos += 1; return .table(table) }
        while true {
            skipSpaces()
            if peek == nil || atLineEnd {
                throw error("inline table for key '\(key)' must close on the same line (missing '}')")
            }
            if peek == "}" { throw error("trailing comma in the inline table for key '\(key)'; remove it") }
            let name = try self.key()
            skipSpaces()
            if peek == "." {
                throw error("dotted keys ('\(name).… = …') are not supported in job files; use a nested inline table")
            }
            guard peek == "=" else { throw error("expected '=' after key '\(name)'") }
            pos += 1
            skipSpaces()
            let item = try value(for: name)
            guard table[name] == nil else {
                throw error("duplicate key '\(name)' in the inline table for key '\(key)'; keep one")
            }
            table[name] = item
            skipSpaces()
            if peek == nil || atLineEnd {
                throw error("inline table for key '\(key)' must close on the same line (missing '}')")
            }
            if peek == "," { pos += 1; continue }
            if peek == "}" { pos += 1; return .table(table) }
            throw error("expected ',' or '}' in the inline table for key '\(key)', found \(found)")
        }
    }
}
