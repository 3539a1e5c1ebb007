import Comm
import Foundation
import Support

/// The training table's per-column range [min, max] in physical units (every row the model's
/// preprocessing read, all ranks; non-finite values are refused or dropped before), stored with
/// every generator snapshot (`support_range`) so that `generate` can reject events outside
/// [min − m·(max − min), max + m·(max − min)] (`SupportGuard`). Values are the table's float32
/// values, exact through JSON (a Float's Double prints and parses back to itself).
public struct SupportRange: Codable, Equatable, Sendable {
    public var columns: [String]
    public var min: [Float]
    public var max: [Float]

    public init(columns: [String], min: [Float], max: [Float]) {
        precondition(columns.count == min.count && columns.count == max.count, "one min and one max per column")
        self.columns = columns
        self.min = min
        self.max = max
    }

    /// Per-column min and max of `table` over every rank's rows (an empty local share contributes nothing).
    public static func fit(_ table: EventTable, comm: Communicator?) throws -> SupportRange {
        let w = table.width
        var low = [Float](repeating: .infinity, count: w), high = [Float](repeating: -.infinity, count: w)
        table.values.withUnsafeBufferPointer { v in
            for r in 0..<table.rows {
                for j in 0..<w {
                    let x = v[r * w + j]
                    if x < low[j] { low[j] = x }
                    if x > high[j] { high[j] = x }
                }
            }
        }
        if let comm {
            try comm.allreduce(&low, op: .min)
            try comm.allreduce(&high, op: .max)
        }
        return SupportRange(columns: table.columns, min: low, max: high)
    }

    /// The accepted interval of column j at margin m: [min − m·(max − min), max + m·(max − min)] in Double.
    public func bounds(margin m: Double) -> (low: [Double], high: [Double]) {
        let low = columns.indices.map { Double(min[$0]) - m * (Double(max[$0]) - Double(min[$0])) }
        let high = columns.indices.map { Double(max[$0]) + m * (Double(max[$0]) - Double(min[$0])) }
        return (low, high)
    }
}
