/// Summary of how far two correlation matrices are apart, over the off-diagonal pairs i < j
/// (the diagonal is 1 in both and would only dilute the mean).
public struct CorrelationDifference: Equatable, Sendable, Codable {
    public let maxAbs: Double
    public let meanAbs: Double

    public init(maxAbs: Double, meanAbs: Double) {
        self.maxAbs = maxAbs
        self.meanAbs = meanAbs
    }
}

/// Pearson correlation matrix of a table's columns, like `numpy.corrcoef(x, rowvar=False)`:
/// covariance of the centred columns divided by the product of standard deviations, clipped
/// to [−1, 1]. A constant column gives NaN in its row and column (as numpy does).
public struct CorrelationMatrix: Equatable, Sendable {
    /// Number of columns (the matrix is order × order).
    public let order: Int
    /// Row-major entries.
    public let values: [Double]

    public init(order: Int, values: [Double]) {
        precondition(values.count == order * order, "values must hold order × order entries")
        self.order = order
        self.values = values
    }

    /// Correlations of `columns`, which must all have the same length >= 2.
    public init(columns: [[Double]]) throws {
        try Self.validate(columns)
        let k = columns.count
        let rows = columns.first?.count ?? 0
        let centred: [[Double]] = columns.map { col in
            let mean = col.reduce(0, +) / Double(rows)
            return col.map { $0 - mean }
        }
        var cov = [Double](repeating: 0, count: k * k)
        for a in 0..<k {
            for b in a..<k {
                let s = centred[a].withUnsafeBufferPointer { x in
                    centred[b].withUnsafeBufferPointer { y in
                        var acc = 0.0
                        for r in 0..<rows { acc += x[r] * y[r] }
                        return acc
                    }
                }
                cov[a * k + b] = s * (1.0 / Double(rows - 1))   // numpy: c *= 1 / fact
                cov[b * k + a] = cov[a * k + b]
            }
        }
        let std = (0..<k).map { cov[$0 * k + $0].squareRoot() }
        var out = cov
        for a in 0..<k {
            for b in 0..<k {
                out[a * k + b] = Self.clip(cov[a * k + b] / std[a] / std[b])
            }
        }
        self.init(order: k, values: out)
    }

    public subscript(row: Int, column: Int) -> Double { values[row * order + column] }

    /// Max and mean |self − other| over the pairs i < j. NaN entries propagate. Throws
    /// `MetricsError.sizeMismatch` if the orders differ.
    public func difference(from other: CorrelationMatrix) throws -> CorrelationDifference {
        guard order == other.order else {
            throw MetricsError.sizeMismatch("correlation matrices of order \(order) and \(other.order)")
        }
        guard order >= 2 else { return CorrelationDifference(maxAbs: 0, meanAbs: 0) }
        var maxAbs = 0.0, sum = 0.0, count = 0
        for i in 0..<order {
            for j in (i + 1)..<order {
                let d = Swift.abs(self[i, j] - other[i, j])
                maxAbs = d.isNaN || maxAbs.isNaN ? .nan : Swift.max(maxAbs, d)
                sum += d
                count += 1
            }
        }
        return CorrelationDifference(maxAbs: maxAbs, meanAbs: sum / Double(count))
    }

    /// Plain reference twin: each pair from scratch with the textbook formula
    /// Σ(x − x̄)(y − ȳ) / sqrt(Σ(x − x̄)² · Σ(y − ȳ)²).
    public static func reference(columns: [[Double]]) throws -> CorrelationMatrix {
        try validate(columns)
        let k = columns.count
        var out = [Double](repeating: 0, count: k * k)
        for a in 0..<k {
            for b in 0..<k {
                let x = columns[a], y = columns[b]
                let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
                var sxy = 0.0, sxx = 0.0, syy = 0.0
                for r in 0..<x.count {
                    sxy += (x[r] - mx) * (y[r] - my)
                    sxx += (x[r] - mx) * (x[r] - mx)
                    syy += (y[r] - my) * (y[r] - my)
                }
                out[a * k + b] = clip(sxy / (sxx * syy).squareRoot())
            }
        }
        return CorrelationMatrix(order: k, values: out)
    }

    static func validate(_ columns: [[Double]]) throws {
        guard let rows = columns.first?.count else {
            throw MetricsError.sizeMismatch("a correlation matrix needs at least one column")
        }
        guard rows >= 2 else {
            throw MetricsError.sizeMismatch("a correlation matrix needs at least 2 rows, got \(rows)")
        }
        if let bad = columns.firstIndex(where: { $0.count != rows }) {
            throw MetricsError.sizeMismatch("column \(bad) has \(columns[bad].count) rows, column 0 has \(rows)")
        }
    }

    static func clip(_ r: Double) -> Double {
        r.isNaN ? r : Swift.min(Swift.max(r, -1), 1)
    }
}
