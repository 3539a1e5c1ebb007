import Comm
import Foundation
import Support

/// Per-column min/mean/std/max, NaN/Inf counts and an integer-valued flag over a table sharded
/// across ranks (combined with allreduce). Non-finite values are counted, not included in moments.
public struct ColumnStatistics: Sendable {
    public struct Column: Sendable {
        public let name: String
        public let min: Double, mean: Double, std: Double, max: Double
        public let nan: Int, inf: Int, finite: Int
        public let integerValued: Bool
    }
    public let columns: [Column]

    public static func compute(_ table: EventTable, comm: Communicator) throws -> ColumnStatistics {
        let w = table.width
        // Per column: sum, sum of squares, finite count, nan count, inf count, non-integer count.
        var sums = [Double](repeating: 0, count: 6 * w)
        var mins = [Double](repeating: .infinity, count: w)
        var maxs = [Double](repeating: -.infinity, count: w)
        table.values.withUnsafeBufferPointer { v in
            for r in 0..<table.rows {
                for j in 0..<w {
                    let x = Double(v[r * w + j])
                    if x.isNaN { sums[6 * j + 3] += 1; continue }
                    if x.isInfinite { sums[6 * j + 4] += 1; continue }
                    sums[6 * j] += x
                    sums[6 * j + 1] += x * x
                    sums[6 * j + 2] += 1
                    if x.rounded() != x { sums[6 * j + 5] += 1 }
                    if x < mins[j] { mins[j] = x }
                    if x > maxs[j] { maxs[j] = x }
                }
            }
        }
        try comm.allreduce(&sums, op: .sum)
        try comm.allreduce(&mins, op: .min)
        try comm.allreduce(&maxs, op: .max)
        let columns = (0..<w).map { j -> Column in
            let n = sums[6 * j + 2]
            let mean = n > 0 ? sums[6 * j] / n : .nan
            let variance = n > 1 ? Swift.max(0, (sums[6 * j + 1] - n * mean * mean) / (n - 1)) : .nan
            return Column(name: table.columns[j], min: n > 0 ? mins[j] : .nan, mean: mean, std: variance.squareRoot(),
                          max: n > 0 ? maxs[j] : .nan, nan: Int(sums[6 * j + 3]), inf: Int(sums[6 * j + 4]),
                          finite: Int(n), integerValued: n > 0 && sums[6 * j + 5] == 0)
        }
        return ColumnStatistics(columns: columns)
    }

    /// Fixed-width text table, one line per column.
    public func table() -> String {
        let nameWidth = Swift.max(8, columns.map(\.name.count).max() ?? 0)
        func num(_ x: Double) -> String { x.isNaN ? "-" : String(format: "%.6g", x) }
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: Swift.max(0, n - s.count)) + s }
        var lines = ["column".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + pad("min", 13) + pad("mean", 13) + pad("std", 13) + pad("max", 13) + pad("nan", 8) + pad("inf", 8)
            + pad("integer", 9)]
        for c in columns {
            lines.append(c.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + pad(num(c.min), 13) + pad(num(c.mean), 13) + pad(num(c.std), 13) + pad(num(c.max), 13)
                + pad(String(c.nan), 8) + pad(String(c.inf), 8) + pad(c.integerValued ? "yes" : "no", 9))
        }
        return lines.joined(separator: "\n")
    }
}
