import Comm
import EventStore
import Foundation
import Support

/// Columns with a spike of exact zeros (zero-padded jet pTs, isolation with an empty cone) cannot be
/// reproduced by a smooth decoder, which spreads the spike around 0. For every column whose training
/// rows are at least 1 % exact zeros, a threshold is calibrated on the reconstructed training rows:
/// the quantile at the real zero fraction. Decoded values below it become exactly 0, so the zero
/// fraction is reproduced. Fitted on training rows only; the held-out evaluation measures its effect.
///
/// The data of such a column has nothing between 0 and its smallest non-zero value (jets start at
/// the reconstruction threshold): values left in that gap become that smallest value (`floors`),
/// the nearest value the data can take.
public struct ZeroCalibration: Codable, Equatable {
    /// Column name → threshold (physical units).
    public var thresholds: [String: Float] = [:]
    /// Column name → smallest non-zero training value (physical units).
    public var floors: [String: Float] = [:]
    /// Column name → the later columns of its ordered sequence (`PreprocessingStep.ordered`, whose
    /// inverse already gives their exact zeros and threshold): wherever the calibration turns the
    /// column to 0 they become 0 too, so the sequence stays descending with absent entries last.
    public var followers: [String: [String]] = [:]

    /// A spiked training column: its fraction of exact zeros and its smallest non-zero value.
    public struct Spike: Equatable {
        public var name: String
        public var fraction: Double
        public var floor: Float
        /// The later columns of the ordered sequence this column leads (`followers`).
        public var followers: [String] = []
    }

    public static let minimumFraction = 0.01
    public static let sampleLimit = 200_000

    public init() {}

    public init(from decoder: Swift.Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        thresholds = try c.decode([String: Float].self, forKey: .thresholds)
        // Models stored before floors existed carry thresholds only.
        floors = try c.decodeIfPresent([String: Float].self, forKey: .floors) ?? [:]
        followers = try c.decodeIfPresent([String: [String]].self, forKey: .followers) ?? [:]
    }

    /// Followers only when there are any, so models without an ordered sequence store what they did before.
    public func encode(to encoder: Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(thresholds, forKey: .thresholds)
        try c.encode(floors, forKey: .floors)
        if !followers.isEmpty { try c.encode(followers, forKey: .followers) }
    }

    enum CodingKeys: String, CodingKey { case thresholds, floors, followers }

    /// `real`: training rows in physical units; `rebuilt`: their reconstruction (same rows, same order).
    /// `sequences`: the ordered sequences of the preprocessing (`orderedSequences`), see `ordered`.
    public static func fit(real: EventTable, rebuilt: EventTable, comm: Communicator, sequences: [[String]] = []) throws -> ZeroCalibration {
        let (all, total) = try spikedColumns(real, comm: comm)
        let spiked = all.compactMap { j, spike in ordered([spike], sequences).first.map { (j, $0) } }
        var calibration = ZeroCalibration()
        for (j, spike) in spiked {
            // A deterministic subsample (every m-th row of each rank) bounds the gathered volume.
            let stride_ = max(1, Int((total / Double(sampleLimit)).rounded(.up)))
            let local = Swift.stride(from: 0, to: rebuilt.rows, by: stride_).map { rebuilt[$0, j] }
            var threshold: Float = 0
            if let all = try comm.gatherv(local) {
                let sorted = all.sorted()
                let index = min(sorted.count - 1, max(0, Int((spike.fraction * Double(sorted.count)).rounded()) - 1))
                threshold = sorted.isEmpty ? 0 : sorted[index]
            }
            calibration.thresholds[spike.name] = try comm.broadcast(threshold)
            calibration.floors[spike.name] = spike.floor
            if !spike.followers.isEmpty { calibration.followers[spike.name] = spike.followers }
        }
        return calibration
    }

    /// The spiked training columns (at least `minimumFraction` exact zeros), over the rows of every rank.
    public static func spikes(_ real: EventTable, comm: Communicator) throws -> [Spike] {
        try spikedColumns(real, comm: comm).columns.map(\.1)
    }

    /// (column index, spike) of the columns with at least `minimumFraction` exact zeros, and the
    /// global row count. Collective.
    private static func spikedColumns(_ real: EventTable, comm: Communicator) throws -> (columns: [(Int, Spike)], rows: Double) {
        let k = real.width
        var counts = [Double](repeating: 0, count: k + 1)
        // Smallest non-zero value per column, negated so one max-reduction finds it.
        var lowest = [Float](repeating: -.infinity, count: k)
        for r in 0..<real.rows {
            for j in 0..<k {
                let x = real[r, j]
                if x == 0 { counts[j] += 1 } else { lowest[j] = max(lowest[j], -abs(x)) }
            }
        }
        counts[k] = Double(real.rows)
        try comm.allreduce(&counts, op: .sum)
        try comm.allreduce(&lowest, op: .max)
        let total = counts[k]
        guard total > 0 else { return ([], total) }
        return ((0..<k).filter { counts[$0] / total >= minimumFraction && lowest[$0].isFinite }.map {
            ($0, Spike(name: real.columns[$0], fraction: counts[$0] / total, floor: -lowest[$0]))
        }, total)
    }

    /// Thresholds that give a generated sample (physical units, one table on one rank) each column's
    /// training zero fraction: the sample's quantile at that fraction. The generator's decoded values
    /// spread the spike differently from the reducer's reconstructions (the calibration `fit` makes),
    /// so a GAN snapshot gets its own thresholds, fitted on its validation sample against the
    /// training fractions (never the held-out rows) and stored with the snapshot for `generate`.
    public static func matching(_ spikes: [Spike], sample: EventTable) -> ZeroCalibration {
        var calibration = ZeroCalibration()
        for spike in spikes {
            guard let j = sample.columnIndex(spike.name), sample.rows > 0 else { continue }
            let sorted = (0..<sample.rows).map { sample[$0, j] }.sorted()
            let index = min(sorted.count - 1, max(0, Int((spike.fraction * Double(sorted.count)).rounded()) - 1))
            // Values strictly below the threshold become 0, so the threshold is the next value up.
            calibration.thresholds[spike.name] = index + 1 < sorted.count ? sorted[index + 1] : sorted[index].nextUp
            calibration.floors[spike.name] = spike.floor
            if !spike.followers.isEmpty { calibration.followers[spike.name] = spike.followers }
        }
        return calibration
    }

    /// A column's calibration bound to its position in a row layout.
    public struct Bound {
        public var index: Int
        public var threshold: Float
        public var floor: Float
        /// Positions zeroed with this column (`followers`).
        public var followers: [Int] = []
    }

    /// The calibrated columns among `columns`, by position (in column order).
    public func bound(to columns: [String]) -> [Bound] {
        thresholds.compactMap { name, t in
            columns.firstIndex(of: name).map {
                Bound(index: $0, threshold: t, floor: floors[name] ?? 0, followers: (followers[name] ?? []).compactMap(columns.firstIndex(of:)))
            }
        }.sorted { $0.index < $1.index }
    }

    /// Sets values below each column's threshold to exactly 0 (and its followers with it), and non-zero
    /// values whose magnitude is below the column's floor to the floor (with their sign), in place, physical units.
    public func apply(_ table: inout EventTable) {
        let columns = bound(to: table.columns), (rows, width) = (table.rows, table.width)
        table.values.withUnsafeMutableBufferPointer { ZeroCalibration.apply(columns, to: $0, rows: rows, width: width) }
    }

    /// `apply` on `rows` rows of `width` values (the generator's chunk buffer).
    public static func apply(_ columns: [Bound], to buffer: UnsafeMutableBufferPointer<Float>, rows: Int, width: Int) {
        for c in columns {
            for r in 0..<rows {
                let i = r * width + c.index, x = buffer[i]
                if x < c.threshold {
                    buffer[i] = 0
                    for f in c.followers { buffer[r * width + f] = 0 }
                } else if x != 0 && abs(x) < c.floor { buffer[i] = x < 0 ? -c.floor : c.floor }
            }
        }
    }
}
