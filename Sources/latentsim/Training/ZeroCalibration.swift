import Comm
import EventStore
import Foundation

/// Columns with a spike of exact zeros (zero-padded jet pTs, isolation with an empty cone) cannot be
/// reproduced by a smooth decoder, which spreads the spike around 0. For every column whose training
/// rows are at least 1 % exact zeros, a threshold is calibrated on the reconstructed training rows:
/// the quantile at the real zero fraction. Decoded values below it become exactly 0, so the zero
/// fraction is reproduced. Fitted on training rows only; the held-out evaluation measures its effect.
struct ZeroCalibration: Codable, Equatable {
    /// Column name → threshold (physical units).
    var thresholds: [String: Float] = [:]

    static let minimumFraction = 0.01
    static let sampleLimit = 200_000

    /// `real`: training rows in physical units; `rebuilt`: their reconstruction (same rows, same order).
    static func fit(real: EventTable, rebuilt: EventTable, comm: Communicator) throws -> ZeroCalibration {
        let (spiked, total) = try spikes(real, comm: comm)
        var calibration = ZeroCalibration()
        for (j, fraction) in spiked {
            // A deterministic subsample (every m-th row of each rank) bounds the gathered volume.
            let stride_ = max(1, Int((total / Double(sampleLimit)).rounded(.up)))
            let local = Swift.stride(from: 0, to: rebuilt.rows, by: stride_).map { rebuilt[$0, j] }
            var threshold: Float = 0
            if let all = try comm.gatherv(local) {
                let sorted = all.sorted()
                let index = min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded()) - 1))
                threshold = sorted.isEmpty ? 0 : sorted[index]
            }
            calibration.thresholds[real.columns[j]] = try comm.broadcast(threshold)
        }
        return calibration
    }

    /// Training zero fractions (column → fraction of exact zeros, for columns with at least
    /// `minimumFraction`), over the rows of every rank.
    static func fractions(_ real: EventTable, comm: Communicator) throws -> [(String, Double)] {
        try spikes(real, comm: comm).columns.map { (real.columns[$0.0], $0.1) }
    }

    /// (column index, zero fraction) of the columns with at least `minimumFraction` exact zeros, and
    /// the global row count. Collective.
    private static func spikes(_ real: EventTable, comm: Communicator) throws -> (columns: [(Int, Double)], rows: Double) {
        let k = real.width
        var counts = [Double](repeating: 0, count: k + 1)
        for r in 0..<real.rows { for j in 0..<k where real[r, j] == 0 { counts[j] += 1 } }
        counts[k] = Double(real.rows)
        try comm.allreduce(&counts, op: .sum)
        let total = counts[k]
        guard total > 0 else { return ([], total) }
        return ((0..<k).filter { counts[$0] / total >= minimumFraction }.map { ($0, counts[$0] / total) }, total)
    }

    /// Thresholds that give a generated sample (physical units, one table on one rank) each column's
    /// training zero fraction: the sample's quantile at that fraction. The generator's decoded values
    /// spread the spike differently from the reducer's reconstructions (the calibration `fit` makes),
    /// so a GAN snapshot gets its own thresholds, fitted on its validation sample against the
    /// training fractions (never the held-out rows) and stored with the snapshot for `generate`.
    static func matching(_ fractions: [(String, Double)], sample: EventTable) -> ZeroCalibration {
        var calibration = ZeroCalibration()
        for (name, fraction) in fractions {
            guard let j = sample.columnIndex(name), sample.rows > 0 else { continue }
            let sorted = (0..<sample.rows).map { sample[$0, j] }.sorted()
            let index = min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded()) - 1))
            // Values strictly below the threshold become 0, so the threshold is the next value up.
            calibration.thresholds[name] = index + 1 < sorted.count ? sorted[index + 1] : sorted[index].nextUp
        }
        return calibration
    }

    /// Sets values below each column's threshold to exactly 0 (in place, physical units).
    func apply(_ table: inout EventTable) {
        for (name, threshold) in thresholds {
            guard let j = table.columnIndex(name) else { continue }
            for r in 0..<table.rows where table[r, j] < threshold { table[r, j] = 0 }
        }
    }
}
