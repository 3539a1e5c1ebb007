/// The first difference between a run's stored configuration (RUN/config.toml, perhaps written by
/// an older build) and the current one, compared by effective values rather than text.
///
/// Both texts are read against the command's schema: an option a text does not mention has its
/// built-in default, so an option added since the run was started (a newer build's `threads`,
/// `pair_pt`, …) is no difference when the run used its default. Options are compared in name
/// order, then the `[roles]` maps role by role.
public struct ConfigDifference: Sendable, Equatable {
    /// The option (`steps`) or role (`[roles] mu1_E`) that differs.
    public let name: String
    /// Its value in the stored text as TOML; nil when it has none.
    public let stored: String?
    /// True when the stored text does not set it and `stored` is the built-in default.
    public let storedByDefault: Bool
    /// Its value now; nil when it has none.
    public let current: String?
    public let currentByDefault: Bool

    public init(name: String, stored: String?, storedByDefault: Bool = false, current: String?, currentByDefault: Bool = false) {
        self.name = name
        self.stored = stored
        self.storedByDefault = storedByDefault
        self.current = current
        self.currentByDefault = currentByDefault
    }

    /// `steps is 40 in RUN/config.toml but 30 now`, saying which side is a default or unset.
    public func describe(storedIn file: String) -> String {
        let old = storedByDefault ? "\(stored ?? "unset") (the default; \(file) does not set it)"
            : stored.map { "\($0) in \(file)" } ?? "unset in \(file)"
        let new = (current ?? "unset") + (currentByDefault && current != nil ? " (the default)" : "")
        return "\(name) is \(old) but \(new) now"
    }

    /// How to get the stored value back: `steps = 40`, or `without lr` when it was unset.
    public var restoring: String { stored.map { "with \(name) = \($0)" } ?? "without \(name)" }

    /// The first difference between a stored text and the current one (nil: none); `ignoring` lists options allowed
    /// to differ (`out` for the parts of an array run). A stored text that does not parse is
    /// reported as the parser's line about `storedFile`.
    public static func first(stored: String, storedFile: String, current: String, section: String?,
                             schema: [ConfigOption], ignoring: Set<String> = []) throws -> ConfigDifference? {
        let old = try TOMLDocument(parsing: stored, file: storedFile)
        let new = try TOMLDocument(parsing: current, file: "the current settings")
        let path = section.map(JobConfig.path) ?? []
        let oldTable = old.table(path), newTable = new.table(path)
        let names = Set(schema.map(\.name)).union(oldTable?.keys ?? []).union(newTable?.keys ?? []).subtracting(ignoring)
        for name in names.sorted() {
            let option = schema.first { $0.name == name }
            func effective(_ table: TOMLTable?) -> (value: TOMLValue?, defaulted: Bool) {
                guard let given = table?[name]?.value else { return (option?.defaultValue, true) }
                return (option?.type.accept(given) ?? given, false)
            }
            let a = effective(oldTable), b = effective(newTable)
            guard a.value != b.value else { continue }
            return ConfigDifference(name: name, stored: text(a.value), storedByDefault: a.defaulted && a.value != nil,
                                    current: text(b.value), currentByDefault: b.defaulted && b.value != nil)
        }
        let oldRoles = roles(old), newRoles = roles(new)
        let order = { (role: String) in ColumnRoles.all.firstIndex(of: role) ?? ColumnRoles.all.count }
        for role in Set(oldRoles.keys).union(newRoles.keys).sorted(by: { (order($0), $0) < (order($1), $1) })
        where oldRoles[role] != newRoles[role] {
            return ConfigDifference(name: "[roles] \(role)", stored: text(oldRoles[role]), current: text(newRoles[role]))
        }
        return nil
    }

    static func text(_ value: TOMLValue?) -> String? { value?.tomlText }

    static func roles(_ document: TOMLDocument) -> [String: TOMLValue] {
        guard let table = document.table(["roles"]) else { return [:] }
        return Dictionary(uniqueKeysWithValues: table.keys.compactMap { key in table[key].map { (key, $0.value) } })
    }
}
