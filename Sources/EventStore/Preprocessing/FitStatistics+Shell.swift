import Comm
import Support

extension FitStatistics {
    /// The mass of each of two vectors: √max(median of E² − |p|², 0) over the training rows
    /// (at most `quantileSampleLimit` of them: every m-th by global row, so the sample does not
    /// depend on the rank count), gathered on rank 0 and broadcast. `indices` are the eight
    /// component positions of `ShellProjection` (−1: a zero component).
    func shellMasses() throws -> [Double] {
        let finite = indices.filter { $0 >= 0 }
        try Preprocessor.agreed(comm) {
            try FitStatistics(values: values, width: width, rows: rows, firstRow: firstRow, indices: finite, columns: columns,
                              label: label, total: total, comm: comm).checkFinite()
        }
        let every = max(1, Int((total / Double(FitStatistics.quantileSampleLimit)).rounded(.up)))
        var masses: [Double] = []
        for vector in 0..<2 {
            let c = Array(indices[(4 * vector)..<(4 * vector + 4)])
            var local: [Double] = []
            for r in 0..<rows where (firstRow + r) % every == 0 {
                func v(_ i: Int) -> Double { i < 0 ? 0 : Double(values[r * width + i]) }
                local.append(v(c[0]) * v(c[0]) - v(c[1]) * v(c[1]) - v(c[2]) * v(c[2]) - v(c[3]) * v(c[3]))
            }
            let all: [Double]? = if let comm { try comm.gatherv(local) } else { local }
            var mass = 0.0
            if let all, !all.isEmpty {
                let sorted = all.sorted()
                let n = sorted.count
                let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
                mass = Swift.max(median, 0).squareRoot()
            }
            masses.append(mass)
        }
        try comm?.broadcast(&masses, root: 0)
        return masses
    }
}
