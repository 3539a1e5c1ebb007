
/// A command's options resolved in the order built-in default < TOML job file < command line.
///
/// `load` reads the keys of one section (`[reduce]`) or the top-level keys, rejecting unknown keys,
/// unknown sections and values of the wrong type at once, with file and line. The typed accessors
/// take the command-line value (nil when the flag was not given), record what they return, and
/// `describe()` writes the effective configuration back out as TOML.
public struct JobConfig: Sendable {
    /// The job file, or nil when the command runs on defaults and flags alone.
    public let file: String?
    public let section: String?
    public let schema: [ConfigOption]
    /// The values the job file sets for this command, checked and in canonical form, with their lines.
    public let fileValues: [String: TOMLEntry]
    /// Values from outside the file (command line, pipeline); they win over the file.
    public var overrides = ConfigOverrides()
    /// The values the typed accessors returned, by option.
    private(set) var used: [String: TOMLValue] = [:]

    /// Reads `path` (nil: no job file). `otherSections` are the sections other commands read from
    /// the same file (a pipeline file); any other section is an error.
    public static func load(path: String?, section: String?, schema: [ConfigOption],
                            otherSections: [String] = [], overrides: ConfigOverrides = ConfigOverrides()) throws -> JobConfig {
        var config = try path.map {
            try JobConfig(document: try TOMLDocument.read(path: $0), section: section, schema: schema, otherSections: otherSections)
        } ?? JobConfig(schema: schema, section: section)
        config.overrides = overrides
        return config
    }

    /// Checks a parsed document against the schema.
    public init(document: TOMLDocument, section: String?, schema: [ConfigOption], otherSections: [String] = []) throws {
        JobConfig.checkSchema(schema)
        file = document.file
        self.section = section
        self.schema = schema
        fileValues = try JobConfig.validate(document, section: section, schema: schema, otherSections: otherSections)
    }

    /// Defaults and command-line values only.
    public init(schema: [ConfigOption], section: String? = nil) {
        JobConfig.checkSchema(schema)
        file = nil
        self.section = section
        self.schema = schema
        fileValues = [:]
    }

    // MARK: typed accessors (missing values throw)

    public mutating func string(_ name: String, cli: String? = nil) throws -> String {
        try typed(name, .string, cli: cli.map(TOMLValue.string)) { $0.stringValue }
    }

    public mutating func int(_ name: String, cli: Int? = nil) throws -> Int {
        try typed(name, .int, cli: cli.map { .integer(Int64($0)) }) { $0.intValue.flatMap { Int(exactly: $0) } }
    }

    public mutating func double(_ name: String, cli: Double? = nil) throws -> Double {
        try typed(name, .double, cli: cli.map(TOMLValue.float)) { $0.doubleValue }
    }

    public mutating func bool(_ name: String, cli: Bool? = nil) throws -> Bool {
        try typed(name, .bool, cli: cli.map(TOMLValue.bool)) { $0.boolValue }
    }

    public mutating func strings(_ name: String, cli: [String]? = nil) throws -> [String] {
        try typed(name, .strings, cli: cli.map { .array($0.map(TOMLValue.string)) }) { value in
            value.arrayValue.flatMap { items in
                let strings = items.compactMap(\.stringValue)
                return strings.count == items.count ? strings : nil
            }
        }
    }

    public mutating func ints(_ name: String, cli: [Int]? = nil) throws -> [Int] {
        try typed(name, .ints, cli: cli.map { .array($0.map { .integer(Int64($0)) }) }) { value in
            value.arrayValue.flatMap { items in
                let ints = items.compactMap { $0.intValue.flatMap { Int(exactly: $0) } }
                return ints.count == items.count ? ints : nil
            }
        }
    }

    /// The resolved value of an option that may stay unset (nil when neither default, file nor
    /// command line gives one). `cli` must have the option's type.
    public mutating func value(_ name: String, cli: TOMLValue? = nil) -> TOMLValue? {
        let option = declared(name, nil)
        var given: TOMLValue?
        if let cli = cli ?? overrides[name] {
            guard let canonical = option.type.accept(cli) else {
                preconditionFailure("command-line value \(cli.tomlText) of '\(name)' is not \(option.type.expectation)")
            }
            given = canonical
        }
        let resolved = given ?? fileValues[name]?.value ?? option.defaultValue
        used[name] = resolved
        return resolved
    }

    /// The value `describe()` writes for an option: as last resolved, else from the file or default.
    public func effectiveValue(_ name: String) -> TOMLValue? {
        let option = declared(name, nil)
        return used[name] ?? fileValues[name]?.value ?? option.defaultValue
    }

    private mutating func typed<T>(_ name: String, _ type: ConfigType, cli: TOMLValue?,
                                   _ extract: (TOMLValue) -> T?) throws -> T {
        let option = declared(name, type)
        guard let value = value(name, cli: cli) else { throw missing(option) }
        guard let result = extract(value) else {
            preconditionFailure("option '\(name)' resolved to \(value.tomlText), which is not \(type.expectation)")
        }
        return result
    }

    private func declared(_ name: String, _ type: ConfigType?) -> ConfigOption {
        guard let option = schema.first(where: { $0.name == name }) else {
            preconditionFailure("option '\(name)' is not in the schema")
        }
        if let type {
            precondition(option.type == type, "option '\(name)' is \(option.type.expectation) but read as \(type.expectation)")
        }
        return option
    }

    private func missing(_ option: ConfigOption) -> InputError {
        let place: String
        switch (file, section) {
        case let (file?, section?): place = "under \(JobConfig.header(section)) in \(file)"
        case let (file?, nil): place = "in \(file)"
        case (nil, _): place = "in a job file given with --config"
        }
        return InputError("missing value for '\(option.name)': pass \(option.flag) or set \(option.name) = … \(place)",
                          exitCode: ExitStatus.usage)
    }

    private static func checkSchema(_ schema: [ConfigOption]) {
        precondition(Set(schema.map(\.name)).count == schema.count, "schema declares an option twice")
    }

    static func path(_ section: String) -> [String] { section.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }

    static func header(_ section: String) -> String { TOMLTable(path: path(section)).displayName }
}
