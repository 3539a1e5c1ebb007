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
        default: return nil
        }
    }

    public var int: Int? {
        switch self {
        case .integer(let i): return i
        case .number(let d): return d.rounded() == d && abs(d) < 9e15 ? Int(d) : nil
        default: return nil
        }
    }

    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var members: [(key: String, value: JSONValue)]? { if case .object(let m) = self { return m } else { return nil } }

    /// A Double, or null when it is not finite (JSON has no NaN).
    public static func finite(_ value: Double) -> JSONValue { value.isFinite ? .number(value) : .null }

    /// Compact single-line text with ", " and ": " separators; numbers in Swift's shortest
    /// round-trip form, so a value read back is bitwise the value written.
    public var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return d.isFinite ? "\(d)" : "null"
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

    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
