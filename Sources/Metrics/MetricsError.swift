/// Errors thrown by the Metrics module. Each description is a single line meant for a user.
public enum MetricsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sample passed to a two-sample statistic was empty.
    case emptySample(String)
    /// `KSReport.sum(over:)` (or a lookup) named a column the report does not hold.
    case unknownColumn(name: String, available: [String])
    /// A report was built with the same column name twice.
    case duplicateColumn(String)
    /// Columns of one table, or two matrices being compared, do not have matching sizes.
    case sizeMismatch(String)

    public var description: String {
        switch self {
        case .emptySample(let which):
            return "\(which) sample is empty; a two-sample statistic needs at least one value in each sample"
        case .unknownColumn(let name, let available):
            let list = available.isEmpty ? "(none)" : available.joined(separator: ", ")
            return "unknown column '\(name)' in KS report; available: \(list)"
        case .duplicateColumn(let name):
            return "column '\(name)' appears twice in KS report"
        case .sizeMismatch(let detail):
            return "size mismatch: \(detail)"
        }
    }
}
