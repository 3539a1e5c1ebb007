import EventStore
import Foundation
import Metrics
import Physics
import Support

/// How far a generated event table is from a real one: per column and per derived physics
/// quantity the two-sample KS statistic, its p-value and the 1-D Wasserstein distance, plus the
/// pair of columns whose correlation differs most, and each quantity's noise floor and the
/// critical KS value (NoiseFloor). Computed on one process from the two whole
/// (gathered) tables, so the numbers do not depend on how the tables were read.
public struct Evaluation {
    public struct Row: Equatable {
        public let name: String
        public let ks: Double
        /// Two-sided p-value of the KS test (exact up to 10,000 rows per sample, else asymptotic).
        public let pValue: Double
        /// Wasserstein-1 distance, in the quantity's own units.
        public let wasserstein: Double
        /// The KS between two random halves of the real rows, rescaled to the sizes compared (NoiseFloor).
        public let floor: Double
    }

    /// The column pair (i < j) whose Pearson correlation differs most between the tables.
    public struct CorrelationGap: Equatable {
        public let first: String
        public let second: String
        public let real: Double
        public let generated: Double
        public var value: Double { Swift.abs(real - generated) }
    }

    /// The DY-GAN paper's model-selection score: the sum of these quantities' KS statistics.
    public static let paperQuantities = ["mll", "phi_miss", "mu1_iso"]

    /// Columns first (in the tables' shared order), then the derived quantities.
    public let rows: [Row]
    public let realRows: Int
    public let generatedRows: Int
    public let correlation: CorrelationGap?
    /// The asymptotic two-sample KS critical value at p = 0.05 for (realRows, generatedRows).
    public let critical: Double
    /// Sum of the paper quantities' KS, nil when one of them cannot be computed.
    public let paperSum: Double?
    /// For each paper quantity that cannot be computed, why (e.g. "mu1_iso (no such column)").
    public let paperMissing: [String]

    /// Compares `generated` with `real`; both must have the same columns in the same order and
    /// at least one row. The derived quantities are those computable from those columns that are
    /// not columns themselves, from the columns playing their roles (`roles`); a paper quantity that
    /// is a role (mu1_iso) is the column playing it.
    public init(real: EventTable, generated: EventTable, roles: ColumnRoles = ColumnRoles()) throws {
        precondition(real.columns == generated.columns, "evaluation needs the same columns in both tables")
        precondition(real.rows > 0 && generated.rows > 0, "evaluation needs rows in both tables")
        let derived = DerivedQuantity.computable(from: real.columns, roles: roles)
        let halves = NoiseFloor(realRows: real.rows, generatedRows: generated.rows)
        var rows: [Row] = []
        for (j, name) in real.columns.enumerated() {
            rows.append(Evaluation.compare(name, real: real.column(j), generated: generated.column(j), halves: halves))
        }
        for quantity in derived {
            rows.append(Evaluation.compare(quantity.rawValue, real: try real.quantity(quantity.rawValue, roles: roles),
                                           generated: try generated.quantity(quantity.rawValue, roles: roles), halves: halves))
        }
        critical = halves.critical
        self.rows = rows
        realRows = real.rows
        generatedRows = generated.rows
        correlation = Evaluation.largestCorrelationGap(real: real, generated: generated)
        let paper = Evaluation.paperQuantities.map { roles.resolve($0, in: real.columns) }
        let missing = paper.filter { name in !rows.contains { $0.name == name } }
        paperMissing = missing.map { Evaluation.whyMissing($0, columns: real.columns, roles: roles) }
        paperSum = missing.isEmpty
            ? paper.reduce(0.0) { sum, name in sum + (rows.first { $0.name == name }?.ks ?? .nan) }
            : nil
    }

    /// KS test and W1 of one quantity; both samples are sorted once and shared by the two metrics;
    /// the floor splits the real values into `halves`. A NaN in either sample (possible only in a
    /// derived quantity) gives NaN metrics.
    public static func compare(_ name: String, real: [Double], generated: [Double], halves: NoiseFloor) -> Row {
        if real.isEmpty || generated.isEmpty || real.contains(where: \.isNaN) || generated.contains(where: \.isNaN) {
            return Row(name: name, ks: .nan, pValue: .nan, wasserstein: .nan, floor: .nan)
        }
        let a = real.sorted(), b = generated.sorted()
        let d = KolmogorovSmirnov.statistic(sortedA: a, sortedB: b)
        let test = KolmogorovSmirnov.test(statistic: d, n1: a.count, n2: b.count)
        return Row(name: name, ks: test.statistic, pValue: test.pValue,
                   wasserstein: Wasserstein.distance(sortedU: a, sortedV: b), floor: halves.floor(real))
    }

    /// The pair i < j with the largest |corr_real − corr_generated|; pairs where either
    /// correlation is undefined (a constant column) are skipped. nil with fewer than 2 columns.
    public static func largestCorrelationGap(real: EventTable, generated: EventTable) -> CorrelationGap? {
        let k = real.width
        guard k >= 2, real.rows >= 2, generated.rows >= 2,
              let r = try? CorrelationMatrix(columns: (0..<k).map(real.column)),
              let g = try? CorrelationMatrix(columns: (0..<k).map(generated.column)) else { return nil }
        var best: CorrelationGap? = nil
        for i in 0..<k {
            for j in (i + 1)..<k where r[i, j].isFinite && g[i, j].isFinite {
                let gap = CorrelationGap(first: real.columns[i], second: real.columns[j], real: r[i, j], generated: g[i, j])
                if best.map({ gap.value > $0.value }) ?? true { best = gap }
            }
        }
        return best
    }

    /// "mll (needs mu1_E, mu2_E)" or "mu1_iso (no such column)".
    public static func whyMissing(_ name: String, columns: [String], roles: ColumnRoles = ColumnRoles()) -> String {
        guard let quantity = DerivedQuantity(rawValue: name) else { return "\(name) (no such column)" }
        let absent = quantity.inputs.filter { roles.column($0, in: columns) == nil }
        return "\(name) (needs " + absent.joined(separator: ", ") + ")"
    }

    public func row(named name: String) -> Row? { rows.first { $0.name == name } }
}
