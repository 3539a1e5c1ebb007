import Foundation
import Support

extension Evaluation {
    /// Fixed-width table for stdout in `KSReport.formattedTable`'s layout with W1, the noise floor,
    /// the critical value and the KS against the floor ("below" or "3.1×"):
    ///
    ///     column     statistic    p-value         W1      floor   critical   vs floor
    ///     --------   ---------  ---------  ---------  ---------  ---------  ---------
    ///     mu1_E       0.004150  5.880e-01  2.610e-01   0.006000   0.013581      below
    ///     --------   ---------
    ///     sum         0.004150
    ///
    /// Statistics, floors and critical values with 6 decimals (KS lies in [0, 1]); p-values and W1
    /// (in the quantity's own units, which span orders of magnitude) with 4 significant digits.
    public func formattedTable() -> String {
        let width = Swift.max(6, rows.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: Swift.max(0, w - s.count))
            return left ? s + fill : fill + s
        }
        let cell = String(repeating: "-", count: 9)
        let rule = String(repeating: "-", count: width) + "  " + cell
        let headers = ["statistic", "p-value", "W1", "floor", "critical", "vs floor"]
        var lines = [
            ([pad("column", width, left: true)] + headers.map { pad($0, 9) }).joined(separator: "  "),
            ([String(repeating: "-", count: width)] + headers.map { _ in cell }).joined(separator: "  "),
        ]
        for row in rows {
            let cells = [Evaluation.statistic(row.ks), Evaluation.scientific(row.pValue), Evaluation.scientific(row.wasserstein),
                         Evaluation.statistic(row.floor), Evaluation.statistic(critical),
                         NoiseFloor.marker(ks: row.ks, floor: row.floor)]
            lines.append(([pad(row.name, width, left: true)] + cells.map { pad($0, 9) }).joined(separator: "  "))
        }
        lines.append(rule)
        lines.append(pad("sum", width, left: true) + "  " + pad(Evaluation.statistic(rows.reduce(0) { $0 + $1.ks }), 9))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines after the table: the paper's score (or why it is missing) and the correlation gap.
    public func summaryLines() -> [String] {
        var lines: [String] = []
        if let paperSum {
            lines.append("ks_sum_paper \(Evaluation.statistic(paperSum)) (KS of "
                         + Evaluation.paperQuantities.joined(separator: " + ") + ")")
        } else {
            lines.append("ks_sum_paper not computed: missing " + paperMissing.joined(separator: ", "))
        }
        lines.append(floorLine())
        if let c = correlation {
            lines.append("max correlation difference \(Evaluation.statistic(c.value)) for (\(c.first), \(c.second)): "
                         + "real \(Evaluation.statistic(c.real)), generated \(Evaluation.statistic(c.generated))")
        } else {
            lines.append("max correlation difference: not computed (needs 2 non-constant columns and 2 rows)")
        }
        return lines
    }

    /// How to read the floor and critical columns, and which quantities exceed each.
    public func floorLine() -> String {
        let aboveFloor = rows.filter { $0.ks > $0.floor }.map(\.name)
        let aboveCritical = rows.filter { $0.ks > critical }.map(\.name)
        func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
        return "floor = KS of two random halves of the real rows rescaled by sqrt((n+m)/(n·m)) to \(realRows) vs "
            + "\(generatedRows) rows; critical = asymptotic 5 % value \(String(format: "%.4f", NoiseFloor.coefficient))"
            + "·sqrt((n+m)/(n·m)); above floor: \(list(aboveFloor)); above critical: \(list(aboveCritical))"
    }

    /// `{"ks": {name: D}, "ks_sum_paper": s, "p_values": {...}, "wasserstein": {...}, "floor": {...},
    /// "critical": c, "rows": {...},
    /// "max_correlation_difference": {...}, "real": path, "generated": path}`, keys in this order and
    /// names in table order, numbers in shortest round-trip form (NaN as null). `ks_sum_paper` is
    /// left out when not computable, `max_correlation_difference` when there is no column pair.
    public func json(real: String, generated: String, extra: [(key: String, value: JSONValue)] = []) -> JSONValue {
        func byName(_ value: (Row) -> Double) -> JSONValue {
            .object(rows.map { (key: $0.name, value: JSONValue.finite(value($0))) })
        }
        var members: [(key: String, value: JSONValue)] = [("ks", byName(\.ks))]
        if let paperSum { members.append(("ks_sum_paper", .finite(paperSum))) }
        members.append(("p_values", byName(\.pValue)))
        members.append(("wasserstein", byName(\.wasserstein)))
        members.append(("floor", byName(\.floor)))
        members.append(("critical", .finite(critical)))
        members.append(("rows", .object([("real", .integer(realRows)), ("generated", .integer(generatedRows))])))
        if let c = correlation {
            members.append(("max_correlation_difference", .object([
                ("pair", .array([.string(c.first), .string(c.second)])), ("value", .finite(c.value)),
                ("real", .finite(c.real)), ("generated", .finite(c.generated)),
            ])))
        }
        members.append(("real", .string(real)))
        members.append(("generated", .string(generated)))
        return .object(members + extra)
    }

    public static func statistic(_ v: Double) -> String { v.isNaN ? "nan" : String(format: "%.6f", v) }
    public static func scientific(_ v: Double) -> String { v.isNaN ? "nan" : String(format: "%.3e", v) }
}
