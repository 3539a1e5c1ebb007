import Foundation

extension JobConfig {
    /// A `.numbers` option: name → number (integers read as numbers).
    public mutating func numbers(_ name: String, cli: [String: Double]? = nil) throws -> [String: Double] {
        guard let value = value(name, cli: cli.map { .table($0.mapValues(TOMLValue.float)) }) else { return [:] }
        guard let table = value.tableValue else {
            preconditionFailure("option '\(name)' resolved to \(value.tomlText), which is not \(ConfigType.numbers.expectation)")
        }
        return table.compactMapValues(\.doubleValue)
    }

    /// An `.intOrAuto` option: the integer, or nil for "auto".
    public mutating func intOrAuto(_ name: String) throws -> Int? {
        guard let value = value(name) else { return nil }
        if value == .string("auto") { return nil }
        guard let int = value.intValue.flatMap({ Int(exactly: $0) }) else {
            preconditionFailure("option '\(name)' resolved to \(value.tomlText), which is not \(ConfigType.intOrAuto.expectation)")
        }
        return int
    }
}

extension ConfigOverrides {
    /// `name=number` pairs separated by commas (`ptll=2,met=1.5`), as a `.numbers` option is given on
    /// the command line; `flag` names the option in the one-line refusal of anything else.
    public static func numbers(_ text: String?, flag: String) throws -> [String: Double]? {
        guard let text else { return nil }
        var table: [String: Double] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let number = Double(parts[1]), table[parts[0]] == nil else {
                throw InputError("\(flag) expects comma-separated name=number pairs with distinct names, e.g. ptll=2,met=1.5; "
                                 + "found '\(item)' in '\(text)'", exitCode: ExitStatus.usage)
            }
            table[parts[0]] = number
        }
        return table
    }

    /// An `.intOrAuto` option as given on the command line (`--ranks-per-restart 2` or `auto`); `flag`
    /// names the option in the one-line refusal of anything else.
    public static func intOrAuto(_ text: String?, flag: String) throws -> TOMLValue? {
        guard let text else { return nil }
        if text == "auto" { return .string("auto") }
        guard let number = Int64(text) else {
            throw InputError("\(flag) expects an integer or auto, found '\(text)'", exitCode: ExitStatus.usage)
        }
        return .integer(number)
    }
}
