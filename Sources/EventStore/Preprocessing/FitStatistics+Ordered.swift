import Support
extension FitStatistics {
    /// `ordered` parameters: the continuum's start t (the smallest non-zero value of any listed
    /// column, combined across ranks) and, for every column after the first, the knots of its
    /// y values over the training rows where the column before it is present (the fill drawn
    /// where it is absent; `OrderedSequence`). Rows that are not descending sequences of finite
    /// values ≥ 0 are refused on every rank alike; so are columns without a positive value.
    func ordered(levels: Int) throws -> (threshold: Double, fill: [[Double]]) {
        var lowest = [try Preprocessor.agreed(comm) { () throws -> Double in
            var lowest = -Double.infinity   // negated minimum, for one max-reduction
            try values.withUnsafeBufferPointer { v in
                let buffer = UnsafeMutableBufferPointer(mutating: v)
                for r in 0..<rows {
                    try OrderedSequence.check(buffer, base: r * width, row: firstRow + r, indices: indices, columns: columns,
                                              step: label)
                    for c in indices where v[r * width + c] > 0 { lowest = Swift.max(lowest, -Double(v[r * width + c])) }
                }
            }
            return lowest
        }]
        try comm?.allreduce(&lowest, op: .max)
        guard lowest[0].isFinite else {
            throw PreprocessingError.orderedNoValue(columns: indices.map { columns[$0] }, step: label)
        }
        let t = Double(Float(-lowest[0]))
        var fill: [[Double]] = []
        for k in 1..<indices.count {
            let (c, p) = (indices[k], indices[k - 1])
            let local = (0..<rows).compactMap { r -> Float? in
                let previous = Double(values[r * width + p])
                guard previous > 0 else { return nil }
                return Float(OrderedSequence.ratio(Double(values[r * width + c]), previous: previous, threshold: t))
            }
            var count = [Double(local.count)]
            try comm?.allreduce(&count, op: .sum)
            guard count[0] > 0 else {
                // Never present after an absent predecessor in training: always absent.
                fill.append([OrderedSequence.absent, OrderedSequence.absent])
                continue
            }
            let ratios = FitStatistics(values: local, width: 1, rows: local.count, firstRow: 0, indices: [0], columns: [columns[c]],
                                       label: label, total: count[0], comm: comm)
            fill += try ratios.quantileKnots(levels: levels)
        }
        var t_ = [t]
        try comm?.broadcast(&t_, root: 0)
        return (t_[0], fill)
    }
}
