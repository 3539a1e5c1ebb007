import Comm
import EventStore
import Support

/// The DY-GAN paper's regression terms, generalised to any differentiable derived quantity q:
/// L_reg = c1·(m − μ)² + c2·(s − σ)², where m and s are the mean and population std of q over the
/// GLOBAL batch (every rank of `comm`) and μ, σ are q's moments on the real data. They pull the
/// generator's q distribution towards the data's first two moments, which the adversarial loss
/// alone matches only slowly for a sharp peak like the Z mass.
///
/// A class because it owns preallocated per-row workspaces, so `apply` allocates nothing.
public final class MomentRegression {
    public let quantity: DerivedQuantity
    /// Positions of `quantity.inputs` in a physical row of `width` columns.
    public let columns: [Int]
    public let width: Int
    public let targetMean: Double
    public let targetStd: Double
    public let c1: Double
    public let c2: Double
    public let maxRows: Int
    /// q per local row, then reused for ∂L/∂q.
    private var q: [Double]
    /// [Σ(q − μ), Σ(q − μ)², n]: shifting by μ keeps the one-pass variance well conditioned,
    /// since a trained generator's batch mean sits near μ.
    private var sums: [Double] = [0, 0, 0]

    /// `quantity` must be differentiable (check `isDifferentiable`, or use `resolve`, when reading
    /// a configuration); `maxRows` bounds the local rows of one `apply`.
    public init(quantity: DerivedQuantity, columns: [Int], width: Int, targetMean: Double, targetStd: Double,
                c1: Double = 1e-4, c2: Double = 1e-4, maxRows: Int) {
        precondition(quantity.isDifferentiable, "\(quantity.rawValue) has no gradient; refuse it when reading the configuration")
        precondition(columns.count == quantity.inputs.count && columns.allSatisfy { $0 >= 0 && $0 < width },
                     "columns must give the position in 0..<width of each of \(quantity.inputs.joined(separator: ", "))")
        precondition(maxRows >= 0, "maxRows must be ≥ 0")
        precondition(targetMean.isFinite && targetStd.isFinite && targetStd >= 0, "targets must be finite, std ≥ 0")
        self.quantity = quantity
        self.columns = columns
        self.width = width
        self.targetMean = targetMean
        self.targetStd = targetStd
        self.c1 = c1
        self.c2 = c2
        self.maxRows = maxRows
        self.q = [Double](repeating: 0, count: maxRows)
    }

    /// L_reg of the global batch, the same on every rank; ADDS ∂L_reg/∂x for this rank's `rows`
    /// rows into `gradient` (physical units, same row-major layout as `physical`). Collective: every
    /// rank of `comm` must call it (with 0 rows if it has none). The gradient is that of the global
    /// loss, so summing the resulting parameter gradients over ranks gives ∂L_reg/∂θ; a trainer
    /// that averages gradients over P ranks applies L_reg / P. No allocation.
    public func apply(_ physical: UnsafeBufferPointer<Float>, rows: Int, comm: Communicator,
                      into gradient: UnsafeMutableBufferPointer<Float>) throws -> Double {
        precondition(rows >= 0 && rows <= maxRows, "rows (\(rows)) must lie in 0...maxRows (\(maxRows))")
        precondition(physical.count >= rows * width && gradient.count >= rows * width,
                     "physical and gradient must hold rows × width floats")
        let mu = targetMean
        return try q.withUnsafeMutableBufferPointer { q in
            quantity.values(physical, count: rows, width: width, columns: columns, into: q)
            var shifted = 0.0, squares = 0.0
            for i in 0..<rows {
                let d = q[i] - mu
                shifted += d
                squares += d * d
            }
            let moments = try sums.withUnsafeMutableBufferPointer { sums -> (n: Double, dm: Double, s: Double) in
                sums[0] = shifted
                sums[1] = squares
                sums[2] = Double(rows)
                try comm.allreduce(sums, op: .sum)
                let n = sums[2]
                guard n > 0 else { return (0, 0, 0) }
                let dm = sums[0] / n
                return (n, dm, Swift.max(sums[1] / n - dm * dm, 0).squareRoot())
            }
            guard moments.n > 0 else { return 0 }
            let (n, dm, s) = moments
            let ds = s - targetStd
            let loss = c1 * dm * dm + c2 * ds * ds
            // ∂L/∂q_i = 2c1(m − μ)/N + 2c2(s − σ)(q_i − m)/(N s); at s = 0 the std is not
            // differentiable and its term is dropped (every q_i equals m there anyway).
            let meanTerm = 2 * c1 * dm / n
            let stdTerm = s > 0 ? 2 * c2 * ds / (n * s) : 0
            let m = mu + dm
            for i in 0..<rows { q[i] = meanTerm + stdTerm * (q[i] - m) }
            quantity.accumulateGradient(physical, count: rows, width: width, columns: columns,
                                        weights: UnsafeBufferPointer(q), into: gradient)
            return loss
        }
    }

    /// The quantity named `name` and the positions of its inputs in a physical row of `columns`,
    /// for reading a configuration: unknown names, quantities without a gradient (njets) and
    /// missing input columns are refused as usage errors before any training starts.
    public static func resolve(_ name: String, columns: [String],
                               roles: ColumnRoles = ColumnRoles()) throws -> (quantity: DerivedQuantity, columns: [Int]) {
        let usable = DerivedQuantity.allCases.filter(\.isDifferentiable).map(\.rawValue).joined(separator: ", ")
        guard let quantity = DerivedQuantity(rawValue: name) else {
            throw InputError("regression quantity '\(name)': expected one of \(usable), found an unknown name; "
                             + "fix the name", exitCode: ExitStatus.usage)
        }
        guard quantity.isDifferentiable else {
            throw InputError("regression quantity '\(name)': expected a differentiable quantity (\(usable)), found a "
                             + "step function with zero gradient; leave it out of the regression terms",
                             exitCode: ExitStatus.usage)
        }
        guard let positions = quantity.columnPositions(in: columns, roles: roles) else {
            let missing = quantity.inputs.filter { roles.column($0, in: columns) == nil }
            throw InputError("regression quantity '\(name)': expected columns \(quantity.inputs.joined(separator: ", ")), "
                             + "missing \(missing.joined(separator: ", ")); use data with these columns or drop '\(name)'",
                             exitCode: ExitStatus.usage)
        }
        return (quantity, positions)
    }

    /// μ and σ (population) of `quantity` over a table sharded across `comm`'s ranks, identical
    /// on every rank. Two passes (mean, then squared deviations), so σ is accurate to the last
    /// digits whatever the mean. Collective; throws a usage error when the table lacks the
    /// quantity's columns and a data error when the global table is empty.
    public static func targets(_ table: EventTable, quantity: DerivedQuantity, roles: ColumnRoles = ColumnRoles(),
                               comm: Communicator) throws -> (mean: Double, std: Double) {
        let values = try comm.agree { try table.quantity(quantity.rawValue, roles: roles) }
        var sums = [values.reduce(0, +), Double(values.count)]
        try comm.allreduce(&sums, op: .sum)
        guard sums[1] > 0 else {
            throw InputError("regression targets of '\(quantity.rawValue)': expected at least one real event, "
                             + "found 0 on every rank; check the training split", exitCode: ExitStatus.dataError)
        }
        let mean = sums[0] / sums[1]
        let squares = try comm.allreduce(values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }, op: .sum)
        return (mean, (squares / sums[1]).squareRoot())
    }
}
