import Support
extension FitStatistics {
    /// `zeroSpike` parameters per column: the smallest non-zero value t (where the continuum
    /// starts) and the population std of the non-zero values as the gap width G (the spike then
    /// sits about one continuum width below it). Values must be finite and ≥ 0, and every column
    /// needs a positive value; refused on every rank alike.
    func zeroSpike() throws -> (shift: [Double], scale: [Double]) {
        let n = indices.count
        // [min of non-zero values (negated, for one max-reduction)…] and [count…, sum…].
        var (extremes, sums) = try Preprocessor.agreed(comm) { () throws -> ([Double], [Double]) in
            try checkFinite()
            var lowest = [Double](repeating: -.infinity, count: n), sums = [Double](repeating: 0, count: 2 * n)
            for r in 0..<rows {
                for (k, c) in indices.enumerated() {
                    let x = values[r * width + c]
                    guard x >= 0 else {
                        throw PreprocessingError.zeroSpikeNegative(x, row: firstRow + r, column: columns[c], step: label)
                    }
                    guard x > 0 else { continue }
                    lowest[k] = Swift.max(lowest[k], -Double(x))
                    sums[k] += 1
                    sums[n + k] += Double(x)
                }
            }
            return (lowest, sums)
        }
        try comm?.allreduce(&extremes, op: .max)
        try comm?.allreduce(&sums, op: .sum)
        if let k = (0..<n).first(where: { sums[$0] == 0 }) {
            throw PreprocessingError.zeroSpikeNoContinuum(column: columns[indices[k]], step: label)
        }
        let means = (0..<n).map { sums[n + $0] / sums[$0] }
        var squares = [Double](repeating: 0, count: n)
        for r in 0..<rows {
            for (k, c) in indices.enumerated() where values[r * width + c] > 0 {
                let d = Double(values[r * width + c]) - means[k]
                squares[k] += d * d
            }
        }
        try comm?.allreduce(&squares, op: .sum)
        let starts = extremes.map { -$0 }
        let gaps = (0..<n).map { k -> Double in
            // A float32 value, so 0 ↦ −G ↦ 0 exactly through the float32 buffer.
            let std = Double(Float((squares[k] / sums[k]).squareRoot()))
            return std > 0 ? std : starts[k]
        }
        return try broadcast(starts, gaps)
    }
}
