import Foundation

/// Per-column two-sample KS results, in column order.
///
/// JSON (`Codable`) form is one object `{"column": statistic, ...}`. Encoding writes the rows in
/// order (use `.sortedKeys` for a canonical file); decoding cannot see the document's key order
/// and so yields rows sorted by name, without p-values. Non-finite statistics only encode with a
/// `nonConformingFloatEncodingStrategy`.
public struct KSReport: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public let name: String
        public let statistic: Double
        /// nil when only the statistic was computed (e.g. during model selection).
        public let pValue: Double?

        public init(name: String, statistic: Double, pValue: Double? = nil) {
            self.name = name
            self.statistic = statistic
            self.pValue = pValue
        }
    }

    public private(set) var rows: [Row] = []

    public init() {}

    /// Throws `MetricsError.duplicateColumn` if a name repeats.
    public init(rows: [Row]) throws {
        for row in rows { try append(row) }
    }

    /// KS test of each column of `candidate` against the same column of `reference`.
    /// With `pValues: false` only the statistic is computed (cheaper for large samples).
    public init(names: [String], reference: [[Double]], candidate: [[Double]], pValues: Bool = true) throws {
        guard names.count == reference.count, names.count == candidate.count else {
            throw MetricsError.sizeMismatch(
                "\(names.count) names for \(reference.count) reference and \(candidate.count) candidate columns")
        }
        for (k, name) in names.enumerated() {
            if reference[k].isEmpty { throw MetricsError.emptySample("reference '\(name)'") }
            if candidate[k].isEmpty { throw MetricsError.emptySample("candidate '\(name)'") }
            if pValues {
                let result = try KolmogorovSmirnov.test(reference[k], candidate[k])
                try append(Row(name: name, statistic: result.statistic, pValue: result.pValue))
            } else {
                try append(Row(name: name, statistic: KolmogorovSmirnov.statistic(reference[k], candidate[k])))
            }
        }
    }

    public mutating func append(_ row: Row) throws {
        if rows.contains(where: { $0.name == row.name }) { throw MetricsError.duplicateColumn(row.name) }
        rows.append(row)
    }

    public var names: [String] { rows.map(\.name) }

    /// The row for `name`; throws `MetricsError.unknownColumn` naming the available columns.
    public func row(named name: String) throws -> Row {
        guard let row = rows.first(where: { $0.name == name }) else {
            throw MetricsError.unknownColumn(name: name, available: names)
        }
        return row
    }

    /// Sum of the statistics of the named columns (e.g. the model-selection score).
    /// Throws `MetricsError.unknownColumn` for the first name the report does not hold.
    public func sum(over names: [String]) throws -> Double {
        var total = 0.0
        for name in names { total += try row(named: name).statistic }
        return total
    }

    /// Sum of all statistics.
    public var total: Double { rows.reduce(0) { $0 + $1.statistic } }

    /// Fixed-width text table for stdout: one line per column, then the sum of statistics.
    ///
    ///     column  statistic    p-value
    ///     ------  ---------  ---------
    ///     pt       0.012300  4.560e-01
    ///     ------  ---------
    ///     sum      0.012300
    public func formattedTable() -> String {
        let width = Swift.max(6, rows.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ w: Int, left: Bool) -> String {
            let fill = String(repeating: " ", count: Swift.max(0, w - s.count))
            return left ? s + fill : fill + s
        }
        func stat(_ v: Double) -> String { String(format: "%.6f", v) }
        func pval(_ v: Double?) -> String { v.map { String(format: "%.3e", $0) } ?? "-" }
        var lines = [
            pad("column", width, left: true) + "  " + pad("statistic", 9, left: false) + "  "
                + pad("p-value", 9, left: false),
            String(repeating: "-", count: width) + "  " + String(repeating: "-", count: 9) + "  "
                + String(repeating: "-", count: 9),
        ]
        for row in rows {
            lines.append(pad(row.name, width, left: true) + "  " + pad(stat(row.statistic), 9, left: false)
                         + "  " + pad(pval(row.pValue), 9, left: false))
        }
        lines.append(String(repeating: "-", count: width) + "  " + String(repeating: "-", count: 9))
        lines.append(pad("sum", width, left: true) + "  " + pad(stat(total), 9, left: false))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension KSReport: Codable {
    struct ColumnKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: ColumnKey.self)
        for row in rows { try container.encode(row.statistic, forKey: ColumnKey(stringValue: row.name)) }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: ColumnKey.self)
        let keys = container.allKeys.sorted { $0.stringValue < $1.stringValue }
        for key in keys {
            try append(Row(name: key.stringValue, statistic: container.decode(Double.self, forKey: key)))
        }
    }
}
