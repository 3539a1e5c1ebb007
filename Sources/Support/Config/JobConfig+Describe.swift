/// The effective configuration as a TOML job file, so a run can store exactly what it used
/// (RUN/config.toml) and be repeated with `--config RUN/config.toml`.
extension JobConfig {
    /// The section header (when the config has a section), then one `key = value` line per option
    /// that has a value, sorted by key. Parsing the text back gives the same values.
    public func describe() -> String {
        lines(ignoring: []) { effectiveValue($0.name) }
    }

    /// describe()'s text without the options in `ignoring`, and also before any accessor ran: each
    /// value as resolved, else the override, else the file's, else the default. Settings that are
    /// equal give equal text whatever the job file's comments, layout, key order or number spelling
    /// (`1e-3`, `0.001`), so saved results can be keyed on the configuration (a study's points).
    public func canonical(ignoring: Set<String> = []) -> String {
        lines(ignoring: ignoring) { option in
            used[option.name] ?? overrides[option.name].flatMap { option.type.accept($0) } ?? effectiveValue(option.name)
        }
    }

    private func lines(ignoring: Set<String>, _ value: (ConfigOption) -> TOMLValue?) -> String {
        var lines: [String] = []
        if let section { lines.append(JobConfig.header(section)) }
        for option in schema.sorted(by: { $0.name < $1.name }) where !ignoring.contains(option.name) {
            guard let value = value(option) else { continue }
            lines.append("\(TOMLValue.key(option.name)) = \(value.tomlText)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
