import Foundation

/// A JSON value whose objects keep their keys in file order. Foundation's JSONSerialization returns
/// unordered dictionaries, but the leaderboard's default score quantities are the keys of a
/// snapshot's `ks` object in the order the trainer wrote them, and its own files list fields in a
/// fixed order for people reading them.
public enum JSONValue {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
    /// A finite number written with exactly this text (a printf format's or Float's shortest
    /// digits, or an integer above Int.max), so a file keeps the digits it always had; the parser
    /// reads it back as `.integer` or `.number` (or, above Int.max, as this text), and `==`
    /// compares it as that value. Build it with `number(_:format:)`, `float(_:)` or `unsigned(_:)`.
    case formatted(String)

    /// The member named `key` of an object (the last one if repeated), nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// Any number as a Double; nil for null, absent or non-numeric values.
    public var double: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        case .formatted(let text): return Double(text)
        default: return nil
        }
    }

    public var int: Int? {
        switch self {
        case .integer(let i): return i
        case .number(let d): return d.rounded() == d && abs(d) < 9e15 ? Int(d) : nil
        case .formatted(let text): return Int(text) ?? JSONValue.number(Double(text) ?? .nan).int
        default: return nil
        }
    }

    /// A non-negative integer, exact up to UInt64.max (seeds); nil otherwise.
    public var uint64: UInt64? {
        switch self {
        case .integer(let i): return i >= 0 ? UInt64(i) : nil
        case .formatted(let text): return UInt64(text)
        default: return nil
        }
    }

    /// A UInt64 as an exact integer (seeds may exceed Int.max).
    public static func unsigned(_ value: UInt64) -> JSONValue {
        value <= UInt64(Int.max) ? .integer(Int(value)) : .formatted(String(value))
    }

    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var members: [(key: String, value: JSONValue)]? { if case .object(let m) = self { return m } else { return nil } }

    /// A Double, or null when it is not finite (JSON has no NaN).
    public static func finite(_ value: Double) -> JSONValue { value.isFinite ? .number(value) : .null }

    /// A Double in a printf format (e.g. "%.6g"), or null when it is not finite.
    public static func number(_ value: Double, format: String) -> JSONValue {
        value.isFinite ? .formatted(String(format: format, value)) : .null
    }

    /// A Float in its shortest round-trip digits ("0.1", not the Double "0.10000000149011612"), or null when not finite.
    public static func float(_ value: Float) -> JSONValue { value.isFinite ? .formatted("\(value)") : .null }

    /// Compact single-line text with ", " and ": " separators; numbers in Swift's shortest
    /// round-trip form, so a value read back is bitwise the value written.
    public var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return d.isFinite ? "\(d)" : "null"
        case .formatted(let text): return text
        case .string(let s): return JSONValue.quoted(s)
        case .array(let items): return "[" + items.map(\.serialized).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { JSONValue.quoted($0.key) + ": " + $0.value.serialized }.joined(separator: ", ") + "}"
        }
    }

    /// An object with one member per line (selection.json is read by people as well as programs).
    public var serializedByLine: String {
        guard case .object(let members) = self else { return serialized + "\n" }
        return "{\n" + members.map { "  " + JSONValue.quoted($0.key) + ": " + $0.value.serialized }
            .joined(separator: ",\n") + "\n}\n"
    }

    public static func quoted(_ s: String) -> String { quoted(s, encoderStyle: false) }

    /// `encoderStyle` also escapes `/` and writes backspace and form feed as `\b` and `\f`, as
    /// JSONEncoder does (the files once written with it keep their bytes).
    static func quoted(_ s: String, encoderStyle: Bool) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "/" where encoderStyle: out += "\\/"
            case "\u{08}" where encoderStyle: out += "\\b"
            case "\u{0C}" where encoderStyle: out += "\\f"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

extension JSONValue: Equatable {
    /// Structural equality, keys in order; `.formatted` compares as the value the parser reads from
    /// its text, and NaN equals NaN (so a value read back from its text equals the value written).
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a.normalized, b.normalized) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x == y
        case (.formatted(let x), .formatted(let y)): return x == y  // integers beyond Int.max
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    private var normalized: JSONValue {
        guard case .formatted(let text) = self else { return self }
        if let i = Int(text) { return .integer(i) }
        if UInt64(text) != nil { return self }  // above Int.max: compared as text
        return Double(text).map { .number($0) } ?? .string(text)
    }
}

