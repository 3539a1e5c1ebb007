import Support
extension FitStatistics {
    /// At most this many training rows (a deterministic every-m-th subsample of every rank) fix
    /// the knots: quantile errors of ~1/√200k are far below any KS a generator reaches.
    static let quantileSampleLimit = 200_000

    /// `levels` knots per column: the subsample's quantiles at u = i/(levels − 1), gathered and
    /// sorted on rank 0 and broadcast, so every rank holds bitwise the same knots.
    func quantileKnots(levels: Int) throws -> [[Double]] {
        try Preprocessor.agreed(comm) { try checkFinite() }
        let stride_ = max(1, Int((total / Double(FitStatistics.quantileSampleLimit)).rounded(.up)))
        var flat: [Double] = []
        for c in indices {
            let local = Swift.stride(from: 0, to: rows, by: stride_).map { values[$0 * width + c] }
            let all: [Float]? = if let comm { try comm.gatherv(local) } else { local }
            var knots = [Double](repeating: 0, count: levels)
            if let all, !all.isEmpty {
                let sorted = all.sorted()
                for i in 0..<levels {
                    let position = (Double(i) * Double(sorted.count - 1) / Double(levels - 1)).rounded()
                    knots[i] = Double(sorted[Int(position)])
                }
            }
            flat += knots
        }
        try comm?.broadcast(&flat, root: 0)
        return (0..<indices.count).map { Array(flat[($0 * levels)..<(($0 + 1) * levels)]) }
    }
}
