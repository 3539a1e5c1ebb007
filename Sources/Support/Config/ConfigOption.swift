import Foundation

/// The value type of a command option.
public enum ConfigType: Sendable, Equatable {
    case string, int, double, bool, strings, ints
    /// An inline table of numbers keyed by name, e.g. `score_weights = {ptll = 2.0, met = 1.5}`.
    case numbers
    /// An integer or the string "auto" (the command works the value out when it runs), e.g. `ranks_per_restart`.
    case intOrAuto

    /// What a message says the option expects: "an integer", "a list of strings", ...
    public var expectation: String {
        switch self {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .strings: return "a list of strings"
        case .ints: return "a list of integers"
        case .numbers: return "a table of numbers, e.g. {ptll = 2.0}"
        case .intOrAuto: return "an integer or \"auto\""
        }
    }

    /// The value in this type's canonical form (an integer becomes a float for a double option),
    /// or nil when the value has another type. A single value is never taken as a one-element list.
    public func accept(_ value: TOMLValue) -> TOMLValue? {
        switch (self, value) {
        case (.string, .string), (.int, .integer), (.double, .float), (.bool, .bool), (.intOrAuto, .integer): return value
        case (.intOrAuto, .string("auto")): return value
        case let (.double, .integer(v)): return .float(Double(v))
        case let (.strings, .array(items)) where items.allSatisfy({ $0.stringValue != nil }): return value
        case let (.ints, .array(items)) where items.allSatisfy({ $0.intValue != nil }): return value
        case let (.numbers, .table(items)) where items.values.allSatisfy({ $0.doubleValue != nil }):
            return .table(items.mapValues { .float($0.doubleValue!) })
        default: return nil
        }
    }

    /// For a list option given one element of the right type: the list it should have been.
    func listHint(for value: TOMLValue) -> String? {
        switch (self, value) {
        case (.strings, .string), (.ints, .integer): return "; write [\(value.tomlText)]"
        default: return nil
        }
    }
}

/// One option of a command: its TOML key (snake_case), type, built-in default and help text.
/// The command-line flag is the key with dashes: `checkpoint_every` ↔ `--checkpoint-every`.
public struct ConfigOption: Sendable {
    public let name: String
    public let type: ConfigType
    /// The built-in default in canonical form; nil when the option has none (then it is required,
    /// unless read with `JobConfig.value(_:cli:)`).
    public let defaultValue: TOMLValue?
    public let help: String

    public init(_ name: String, _ type: ConfigType, default defaultValue: TOMLValue? = nil, help: String) {
        precondition(!name.isEmpty && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" },
                     "option name '\(name)' must be snake_case (a-z, 0-9, _)")
        let canonical = defaultValue.map { type.accept($0) }
        precondition(canonical != .some(nil), "default of option '\(name)' is not \(type.expectation)")
        self.name = name
        self.type = type
        self.defaultValue = canonical ?? nil
        self.help = help
    }

    public var flag: String { "--" + name.replacingOccurrences(of: "_", with: "-") }
}
