/// The effective configuration as a TOML job file, so a run can store exactly what it used
/// (RUN/config.toml) and be repeated with `--config RUN/config.toml`.
extension JobConfig {
    /// The section header (when the config has a section), then one `key = value` line per option
    /// that has a value, sorted by key. Parsing the text back gives the same values.
    public func describe() -> String {
        var lines: [String] = []
        if let section { lines.append(JobConfig.header(section)) }
        for option in schema.sorted(by: { $0.name < $1.name }) {
            guard let value = effectiveValue(option.name) else { continue }
            lines.append("\(TOMLValue.key(option.name)) = \(value.tomlText)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
