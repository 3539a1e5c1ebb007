import Comm
import Support

extension Preprocessor {
    /// Fits every step in turn on the output of the steps before it. `table` is this rank's shard
    /// of the training split; with a communicator the statistics (sums and squared deviations in
    /// Double, min/max) are combined with allreduce and the fitted parameters broadcast from rank 0,
    /// so every rank ends with the same state. Bad data is refused on every rank alike (the rank
    /// holding the first offending row reports it). `seed` keys the integer smearing applied
    /// before later steps are fitted.
    public mutating func fit(_ table: EventTable, comm: Communicator?, seed: UInt64 = 0) throws {
        try Preprocessor.checkUnique(table.columns)
        var rowCount = [Double(table.rows)]
        try comm?.allreduce(&rowCount, op: .sum)
        guard rowCount[0] > 0 else { throw PreprocessingError.emptyTraining() }
        let total = rowCount[0]

        var shell = self.shell
        var shellIndices: [Int]? = nil
        if let projection = shell {
            // On the table as given (before any step): the muons' own E and p.
            let indices = try projection.indices(in: table.columns)
            let statistics = FitStatistics(values: table.values, width: table.width, rows: table.rows, firstRow: table.firstRow,
                                           indices: indices, columns: table.columns, label: ShellProjection.label,
                                           total: total, comm: comm)
            shell?.masses = try statistics.shellMasses()
            shellIndices = indices
        }
        var fitted = steps
        var plan: [ResolvedStep] = []
        var available = table.columns
        var droppedBy: [String: String] = [:]
        var work = table.values
        for index in fitted.indices {
            let step = fitted[index]
            if step.kind == .quantile {
                let label = step.label(index)
                let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
                let levels = step.levels ?? QuantileTransform.defaultLevels
                guard levels >= 2 else {
                    throw InputError("\(label): expected at least 2 levels, found \(levels); use e.g. 1000", exitCode: ExitStatus.usage)
                }
                let statistics = FitStatistics(values: work, width: available.count, rows: table.rows,
                                               firstRow: table.firstRow, indices: indices, columns: available,
                                               label: label, total: total, comm: comm)
                fitted[index].knots = try statistics.quantileKnots(levels: levels)
            }
            if step.kind == .ordered {
                let label = step.label(index)
                let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
                let statistics = FitStatistics(values: work, width: available.count, rows: table.rows,
                                               firstRow: table.firstRow, indices: indices, columns: available,
                                               label: label, total: total, comm: comm)
                let (threshold, fill) = try statistics.ordered(levels: step.levels ?? QuantileTransform.defaultLevels)
                fitted[index].shift = [threshold]
                fitted[index].knots = fill
            }
            if step.kind == .standardize || step.kind == .minMax || step.kind == .zeroSpike {
                let label = step.label(index)
                let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
                let statistics = FitStatistics(values: work, width: available.count, rows: table.rows,
                                               firstRow: table.firstRow, indices: indices, columns: available,
                                               label: label, total: total, comm: comm)
                let (shift, scale) = switch step.kind {
                case .standardize: try statistics.standardize()
                case .minMax: try statistics.minMax()
                default: try statistics.zeroSpike()
                }
                fitted[index].shift = shift
                fitted[index].scale = scale
            }
            let resolved = try ResolvedStep(fitted[index], index: index, available: available, droppedBy: droppedBy)
            try Preprocessor.agreed(comm) {
                try work.withUnsafeMutableBufferPointer {
                    try resolved.forward($0, rows: table.rows, firstRow: table.firstRow, seed: seed)
                }
            }
            plan.append(resolved)
            Preprocessor.record(resolved, into: &droppedBy)
            available = resolved.outputColumns
        }
        steps = fitted
        inputColumns = table.columns
        self.plan = plan
        self.shell = shell
        self.shellIndices = shellIndices
    }

    /// Runs `body` so that, under MPI, a failure on any rank becomes a failure on every rank.
    static func agreed<T>(_ comm: Communicator?, _ body: () throws -> T) throws -> T {
        if let comm { return try comm.agree(body) }
        return try body()
    }
}

/// Column statistics of one fit step over a row-major shard, combined across ranks.
struct FitStatistics {
    let values: [Float]
    let width: Int, rows: Int, firstRow: Int
    let indices: [Int]
    let columns: [String]
    let label: String
    let total: Double
    let comm: Communicator?

    /// Mean and population std (two passes: sums, then squared deviations); std 0 becomes 1.
    func standardize() throws -> (shift: [Double], scale: [Double]) {
        var sums = try Preprocessor.agreed(comm) { () throws -> [Double] in
            try checkFinite()
            return accumulate { sum, x, _ in sum + x }
        }
        try comm?.allreduce(&sums, op: .sum)
        let means = sums.map { $0 / total }
        var squares = accumulate { sum, x, k in sum + (x - means[k]) * (x - means[k]) }
        try comm?.allreduce(&squares, op: .sum)
        let scales = squares.map { s -> Double in
            let std = (s / total).squareRoot()
            return std > 0 ? std : 1
        }
        return try broadcast(means, scales)
    }

    /// Centre and half-range, so [min, max] maps to [−1, 1]; a constant column gets scale 1.
    func minMax() throws -> (shift: [Double], scale: [Double]) {
        var extremes = try Preprocessor.agreed(comm) { () throws -> [Double] in
            try checkFinite()
            // Minima stored negated so one max-reduction combines both.
            var out = [Double](repeating: -.infinity, count: 2 * indices.count)
            values.withUnsafeBufferPointer { v in
                for r in 0..<rows {
                    for (k, c) in indices.enumerated() {
                        let x = Double(v[r * width + c])
                        out[2 * k] = Swift.max(out[2 * k], -x)
                        out[2 * k + 1] = Swift.max(out[2 * k + 1], x)
                    }
                }
            }
            return out
        }
        try comm?.allreduce(&extremes, op: .max)
        let centres = indices.indices.map { k in (extremes[2 * k + 1] - extremes[2 * k]) / 2 }
        let scales = indices.indices.map { k -> Double in
            let half = (extremes[2 * k + 1] + extremes[2 * k]) / 2
            return half > 0 ? half : 1
        }
        return try broadcast(centres, scales)
    }

    func accumulate(_ add: (Double, Double, Int) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: indices.count)
        values.withUnsafeBufferPointer { v in
            for r in 0..<rows {
                for (k, c) in indices.enumerated() { out[k] = add(out[k], Double(v[r * width + c]), k) }
            }
        }
        return out
    }

    func checkFinite() throws {
        for r in 0..<rows {
            for c in indices where !values[r * width + c].isFinite {
                throw PreprocessingError.nonFinite(values[r * width + c], row: firstRow + r, column: columns[c],
                                                   step: label)
            }
        }
    }

    /// Rank 0's parameters on every rank, so all ranks hold bitwise the same fitted state.
    func broadcast(_ shift: [Double], _ scale: [Double]) throws -> (shift: [Double], scale: [Double]) {
        var both = shift + scale
        try comm?.broadcast(&both, root: 0)
        return (Array(both[..<shift.count]), Array(both[shift.count...]))
    }
}
