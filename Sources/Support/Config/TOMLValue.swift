import Foundation

/// One value of the TOML subset job files use. Floats compare equal when both are NaN, so a value
/// written by `tomlText` and parsed back compares equal to the original.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])
    case table([String: TOMLValue])

    public static func == (a: TOMLValue, b: TOMLValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.float(x), .float(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.bool(x), .bool(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.table(x), .table(y)): return x == y
        default: return false
        }
    }

    public var stringValue: String? { if case let .string(v) = self { return v }; return nil }
    public var intValue: Int64? { if case let .integer(v) = self { return v }; return nil }
    public var boolValue: Bool? { if case let .bool(v) = self { return v }; return nil }
    public var arrayValue: [TOMLValue]? { if case let .array(v) = self { return v }; return nil }
    public var tableValue: [String: TOMLValue]? { if case let .table(v) = self { return v }; return nil }

    /// A float, or an integer read as a number.
    public var doubleValue: Double? {
        switch self {
        case let .float(v): return v
        case let .integer(v): return Double(v)
        default: return nil
        }
    }

    /// The value as TOML source text; parsing it back gives an equal value.
    public var tomlText: String {
        switch self {
        case let .string(v): return TOMLValue.quoted(v)
        case let .integer(v): return String(v)
        case let .float(v): return TOMLValue.floatText(v)
        case let .bool(v): return v ? "true" : "false"
        case let .array(v): return "[" + v.map(\.tomlText).joined(separator: ", ") + "]"
        case let .table(v):
            if v.isEmpty { return "{}" }
            return "{ " + v.keys.sorted().map { "\(TOMLValue.key($0)) = \(v[$0]!.tomlText)" }.joined(separator: ", ") + " }"
        }
    }

    /// Kind name in the plural, as used in messages about arrays ("strings", "integers", ...).
    var kindPlural: String {
        switch self {
        case .string: return "strings"
        case .integer: return "integers"
        case .float: return "floats"
        case .bool: return "booleans"
        case .array: return "lists"
        case .table: return "tables"
        }
    }

    /// What a message says was found: `a string ("ten")`, `an integer (10)`, `a list of strings (["a"])`.
    var foundDescription: String {
        let shown = TOMLValue.abbreviated(tomlText)
        switch self {
        case .string: return "a string (\(shown))"
        case .integer: return "an integer (\(shown))"
        case .float: return "a number (\(shown))"
        case .bool: return "a boolean (\(shown))"
        case let .array(items):
            guard let first = items.first else { return "an empty list ([])" }
            let element = first.kindPlural == "floats" ? "numbers" : first.kindPlural
            return "a list of \(element) (\(shown))"
        case .table: return "a table (\(shown))"
        }
    }

    static func abbreviated(_ text: String, limit: Int = 48) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// A key as written in TOML: bare when it only has A-Z a-z 0-9 _ -, quoted otherwise.
    static func key(_ name: String) -> String {
        let bare = !name.isEmpty && name.unicodeScalars.allSatisfy(TOMLValue.isBareKeyScalar)
        return bare ? name : quoted(name)
    }

    static func isBareKeyScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}": out += String(format: "\\u%04X", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// Shortest round-trip text of a Double, always a valid TOML float (`1.0`, `0.001`, `1e-05`, `inf`).
    static func floatText(_ v: Double) -> String {
        if v.isNaN { return v.sign == .minus ? "-nan" : "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        let text = "\(v)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}

extension TOMLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TOMLValue...) { self = .array(elements) }
}
