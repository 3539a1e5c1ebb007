import Foundation

/// Which of a table's columns plays each physics role (the two muons' E px py pz, the missing
/// momentum, isolations, jet pTs, vertex count): the one place that maps our names to a user's.
///
/// Everything that needs a particular kind of column — the azimuthal rotation, the pair mass, the
/// derived quantities (mll, ptll, met, phi_miss, dphi_ll, njets), the score, the regression terms,
/// evaluation — asks `column(_:in:)` for the column of a role among the columns it has. A role is
/// played by the column mapped to it (`[roles]` in a job file, `--roles` on the command line), else
/// by a column named like the role unless that column is mapped to another role. An empty map is
/// the built-in table's naming, so tables from `simulate` need none. Outputs keep the table's names.
public struct ColumnRoles: Equatable, Sendable {
    /// Every role, in the order of the built-in table's columns.
    public static let all = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz",
                             "nvtx", "met_px", "met_py", "mu1_iso", "mu2_iso",
                             "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]

    /// Role → column, as given.
    public let mapping: [String: String]
    /// Where the map was given, for messages ("[roles] in jobs/own.toml", "--roles").
    public let source: String

    /// No map: every role is played by the column of its own name.
    public init() {
        mapping = [:]
        source = "[roles]"
    }

    /// A checked map: every key a role (else the nearest role is suggested), no column twice.
    /// `lines` gives the job-file line of a role, for messages.
    public init(_ mapping: [String: String], source: String, lines: [String: Int] = [:]) throws {
        func place(_ role: String) -> String { lines[role].map { "\(source) line \($0)" } ?? source }
        for role in mapping.keys.sorted(by: { (lines[$0] ?? 0, $0) < (lines[$1] ?? 0, $1) }) where !ColumnRoles.all.contains(role) {
            let hint = JobConfig.nearest(role, among: ColumnRoles.all).map { "; did you mean '\($0)'?" } ?? ""
            throw InputError("\(place(role)): unknown role '\(role)'\(hint) (roles: \(ColumnRoles.all.joined(separator: ", ")))",
                             exitCode: ExitStatus.usage)
        }
        var owner: [String: String] = [:]
        for role in ColumnRoles.all {
            guard let column = mapping[role] else { continue }
            if let first = owner[column] {
                throw InputError("\(place(role)): roles \(first) and \(role) both name column '\(column)'; expected one "
                                 + "column per role; map each role to its own column", exitCode: ExitStatus.usage)
            }
            owner[column] = role
        }
        self.mapping = mapping
        self.source = source
    }

    /// `mu1_E=E1,mu1_px=px1,…` (the `--roles` option).
    public static func parse(_ text: String, source: String = "--roles") throws -> ColumnRoles {
        var mapping: [String: String] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw InputError("\(source): expected ROLE=COLUMN pairs separated by commas (mu1_E=E1,mu1_px=px1), "
                                 + "found '\(item)'", exitCode: ExitStatus.usage)
            }
            guard mapping[parts[0]] == nil else {
                throw InputError("\(source): role \(parts[0]) is given twice; give each role once", exitCode: ExitStatus.usage)
            }
            mapping[parts[0]] = parts[1]
        }
        return try ColumnRoles(mapping, source: source)
    }

    /// The `[roles]` table of `job` (when given), with `--roles` (`cli`) overriding it role by role.
    public static func load(job: String?, cli: String?) throws -> ColumnRoles {
        var mapping: [String: String] = [:], lines: [String: Int] = [:]
        var source = "--roles"
        if let job, let table = try TOMLDocument.read(path: job).table(["roles"]) {
            source = "[roles] in \(job)"
            for key in table.keys {
                guard let entry = table[key] else { continue }
                guard let column = entry.value.stringValue else {
                    throw InputError("\(job) line \(entry.line): role '\(key)' expects a column name (a string), found "
                                     + entry.value.foundDescription, exitCode: ExitStatus.usage)
                }
                mapping[key] = column
                lines[key] = entry.line
            }
        }
        if let cli {
            let given = try parse(cli)
            for (role, column) in given.mapping { mapping[role] = column; lines[role] = nil }
            source = mapping.count == given.mapping.count ? "--roles" : "\(source) and --roles"
        }
        return mapping.isEmpty ? ColumnRoles() : try ColumnRoles(mapping, source: source, lines: lines)
    }

    public var isEmpty: Bool { mapping.isEmpty }

    /// The map as a `[roles]` table (roles in `all` order), for a run's config.toml so that
    /// `--config RUN/config.toml` repeats it; empty without a map.
    public var tomlText: String {
        guard !mapping.isEmpty else { return "" }
        let lines = ColumnRoles.all.compactMap { role in mapping[role].map { "\(role) = \(TOMLValue.string($0).tomlText)" } }
        return "\n[roles]\n" + lines.joined(separator: "\n") + "\n"
    }

    /// The column playing `role` among `columns`, or nil.
    public func column(_ role: String, in columns: [String]) -> String? {
        if let mapped = mapping[role] { return columns.contains(mapped) ? mapped : nil }
        guard columns.contains(role), !mapping.values.contains(role) else { return nil }
        return role
    }

    /// The columns of `roles` among `columns` in that order, or nil unless every role is played.
    public func columns(_ roles: [String], in columns: [String]) -> [String]? {
        let found = roles.compactMap { column($0, in: columns) }
        return found.count == roles.count ? found : nil
    }

    /// A name as a list of columns or quantities means it (score, evaluation): a column of that
    /// name, else the column playing it as a role (`mu1_iso` → `iso1`), else the name unchanged.
    public func resolve(_ name: String, in columns: [String]) -> String {
        columns.contains(name) ? name : column(name, in: columns) ?? name
    }

    /// The role `column` plays, if any.
    public func role(of column: String, in columns: [String]) -> String? {
        ColumnRoles.all.first { self.column($0, in: columns) == column }
    }

    /// Every mapped column must be in the table (`table` names it in the refusal).
    public func check(columns: [String], table: String) throws {
        for role in ColumnRoles.all {
            guard let mapped = mapping[role], !columns.contains(mapped) else { continue }
            throw InputError("\(source): role \(role) is mapped to column '\(mapped)', which '\(table)' lacks; its columns: "
                             + "\(columns.joined(separator: ", ")); fix the mapping", exitCode: ExitStatus.usage)
        }
    }
}
