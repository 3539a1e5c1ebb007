
/// Checking a job file against a command's schema: every section must be the command's own or one
/// the caller lists, every key of the command's section an option, every value of the option's type.
/// The first problem in file order is reported, with the nearest valid name when one is close.
extension JobConfig {
    static func validate(_ document: TOMLDocument, section: String?, schema: [ConfigOption],
                         otherSections: [String]) throws -> [String: TOMLEntry] {
        let target = section.map(path) ?? []
        let allowed = Set(otherSections.map(path))
        var values: [String: TOMLEntry] = [:]
        for table in document.tables {
            if table.path == target {
                for key in table.keys {
                    guard let entry = table[key] else { continue }
                    values[key] = try check(key, entry, in: table, schema: schema, file: document.file)
                }
            } else if table.path.isEmpty {
                if let key = table.keys.first, let entry = table[key], let section {
                    throw error(document.file, entry.line,
                                "key '\(key)' is outside any section; put it under \(header(section))")
                }
            } else if let line = table.headerLine, !allowed.contains(table.path) {
                throw unknownSection(table, line: line, file: document.file, valid: ([target] + allowed).filter { !$0.isEmpty })
            }
        }
        return values
    }

    private static func check(_ key: String, _ entry: TOMLEntry, in table: TOMLTable, schema: [ConfigOption],
                              file: String) throws -> TOMLEntry {
        guard let option = schema.first(where: { $0.name == key }) else {
            let names = schema.map(\.name).sorted()
            let place = table.path.isEmpty ? "at top level" : "in \(table.displayName)"
            let suggestion = nearest(key, among: names).map { "; did you mean '\($0)'?" } ?? ""
            let valid = names.isEmpty ? "this command takes no options" : "valid keys: " + names.joined(separator: ", ")
            throw error(file, entry.line, "unknown key '\(key)' \(place)\(suggestion) (\(valid))")
        }
        guard let value = option.type.accept(entry.value) else {
            throw error(file, entry.line, "key '\(key)' expects \(option.type.expectation), found "
                        + entry.value.foundDescription + (option.type.listHint(for: entry.value) ?? ""))
        }
        return TOMLEntry(value: value, line: entry.line)
    }

    private static func unknownSection(_ table: TOMLTable, line: Int, file: String, valid: [[String]]) -> InputError {
        guard !valid.isEmpty else {
            return error(file, line, "unknown section \(table.displayName); this command reads top-level keys only")
        }
        let names = Set(valid.map { $0.joined(separator: ".") }).sorted()
        let suggestion = nearest(table.path.joined(separator: "."), among: names).map { "; did you mean [\($0)]?" } ?? ""
        return error(file, line, "unknown section \(table.displayName)\(suggestion) (valid sections: "
                     + names.joined(separator: ", ") + ")")
    }

    private static func error(_ file: String, _ line: Int, _ message: String) -> InputError {
        InputError("\(file) line \(line): \(message)", exitCode: ExitStatus.usage)
    }

    /// The candidate closest to `word` by edit distance, if within max(2, length/3); ties go to the
    /// first candidate.
    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (name: String, distance: Int)?
        for name in candidates {
            let d = editDistance(word, name)
            if d <= limit && d < (best?.distance ?? Int.max) { best = (name, d) }
        }
        return best?.name
    }

    /// Levenshtein distance (insertions, deletions and substitutions of characters).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
