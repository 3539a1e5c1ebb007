import Comm
import EventStore
import Foundation
import Metrics
import NN
import Physics
import Support

/// The score of one snapshot: KS of the score quantities (in order), of every frame column, and of
/// every other derived quantity the columns allow (so `select --score` can re-rank on any of them).
public struct SnapshotScore {
    public var ks: [(String, Double)]
    public var columns: [(String, Double)]
    /// The computable derived quantities neither scored nor columns, in `DerivedQuantity` order.
    public var derived: [(String, Double)] = []
    public var diverged: Bool
    public var reason: String
    /// The snapshot's zero calibration (fitted on the validation sample; group rank 0 only).
    public var zeros = ZeroCalibration()
    /// Per-entry weights of `ks` in the sum (`score_weights`); empty: every entry counts once.
    public var weights: [Double] = []
    public var sum: Double {
        diverged ? .infinity : ks.indices.reduce(0) { $0 + (weights.isEmpty ? 1 : weights[$1]) * ks[$1].1 }
    }
}

/// Scores snapshots: a validation sample of `events` generated rows (event i's noise from its own
/// stream, the same for every snapshot and rank count) is decoded, mapped to physical units in the
/// rotation frame, given the training zero fraction in every spiked column (the snapshot's own
/// thresholds, stored with it) and compared with the held-out real rows by two-sample KS, per score quantity
/// and per column. Rank 0 of the group computes; the held-out reference is gathered and sorted once.
public final class SnapshotScorer {
    public let names: [String]
    /// Per-column KS runs over the features (the rotated-away mu2_py is identically 0).
    public let columns: [String]
    /// Every derived quantity the frame columns allow that is neither scored nor a column: recorded,
    /// not summed (`select --score` re-ranks on them without retraining).
    public let derived: [String]
    private let frameColumns: [String]
    private let data: GANData
    /// Output rows → physical rows in the rotation frame (the map generation and the regression terms share).
    private let mapping: RowMapping
    private let events: Int
    private let comm: Communicator
    private let seed: UInt64
    private var reference: [String: [Double]] = [:]
    /// The score's weights, one per name (empty: all 1).
    private let weights: [Double]
    /// The snapshot classifier when `classifier` is scored (group rank 0 only).
    private var classifier: SnapshotClassifier?

    public init(names: [String], weights: [Double] = [], data: GANData, events: Int, seed: UInt64, comm: Communicator) throws {
        self.names = names
        self.weights = weights.allSatisfy { $0 == 1 } ? [] : weights
        columns = data.prepared.features
        frameColumns = data.frameColumns
        let probe = EventTable(columns: data.frameColumns, rows: 0), scored = names + data.prepared.features
        derived = DerivedQuantity.allCases.filter { probe.isComputable($0, roles: data.roles) }.map(\.rawValue)
            .filter { !scored.contains($0) }
        self.data = data
        mapping = try data.rowMapping(maxRows: Reducer.inferenceBatch)
        self.events = events
        self.seed = seed
        self.comm = comm
        let held = RowMapping.appendingFrameColumn(data.prepared.heldOutPhysical, dropped: data.prepared.frameColumn)
        let gathered = try comm.gatherv(held.values)
        try comm.agree {
            guard let gathered else { return }
            let table = EventTable(columns: frameColumns, rows: gathered.count / frameColumns.count, values: gathered)
            for name in quantities {
                let values = try table.quantity(name, roles: data.roles)
                reference[name] = values.sorted()
            }
            if names.contains(ScoreChoice.classifier) {
                classifier = try SnapshotClassifier(reference: table, features: columns, rows: events, seed: seed,
                                                     roles: data.roles)
            }
        }
    }

    /// Generates the validation sample with `sampler` and scores it; every rank of the group gets the result.
    public func score(sampler: Sampler) throws -> SnapshotScore {
        let share = comm.share(of: events)
        var output = EventTable(columns: data.outputColumns, rows: share.count, firstRow: share.lowerBound)
        let w = data.outputColumns.count
        // Packed per snapshot (the weights change between snapshots): generation's arithmetic.
        let packed = PackedWeights(sampler.network)
        var start = 0
        while start < share.count {
            let n = min(sampler.maxBatch, share.count - start)
            Philox.fillNormalRows(sampler.noise(batch: n), width: sampler.noiseWidth, firstRow: share.lowerBound + start, seed: seed,
                                  substream: 0x56414C)  // "VAL"
            let out = sampler.run(batch: n, packed: packed)
            output.values.withUnsafeMutableBufferPointer { v in
                (v.baseAddress! + start * w).update(from: out.baseAddress!, count: n * w)
            }
            start += n
        }
        let finite = output.values.allSatisfy(\.isFinite)
        let spread = try outputSpread(output)
        let physical = finite ? try mapping.physical(output, seed: seed) : EventTable(columns: frameColumns, rows: 0)
        let gathered = try comm.gatherv(physical.values)
        let allFinite = try comm.allreduce(Int32(finite ? 0 : 1), op: .sum) == 0
        let result = try comm.agree { () -> SnapshotScore? in
            guard comm.isRoot else { return nil }
            guard allFinite, let gathered, gathered.allSatisfy(\.isFinite) else {
                return SnapshotScore(ks: [], columns: [], diverged: true, reason: "non-finite generated values")
            }
            var sample = EventTable(columns: frameColumns, rows: gathered.count / frameColumns.count, values: gathered)
            let zeros = ZeroCalibration.matching(data.zeroSpikes, sample: sample)
            zeros.apply(&sample)
            var score = try evaluate(sample)
            score.zeros = zeros
            if let j = spread.firstIndex(where: { $0 < SnapshotScorer.collapseThreshold }) {
                score.diverged = true
                score.reason = "collapsed output: generated \(data.outputColumns[j]) has std "
                    + "\(String(format: "%.2g", spread[j])) (training data: 1)"
            }
            return score
        }
        let diverged = try comm.broadcast(Int32(result?.diverged == true ? 1 : 0))
        return result ?? SnapshotScore(ks: [], columns: [], diverged: diverged != 0, reason: "")
    }

    /// A generator whose output no longer depends on its noise has collapsed. Its output columns
    /// are standardised (std 1 on the training rows), so a std below this marks the snapshot diverged.
    /// (Physical columns are not used: a column that is mostly exact zeros may rightly come out all zero.)
    public static let collapseThreshold = 1e-3

    /// Per-column std of the generated output over the group's validation sample.
    private func outputSpread(_ output: EventTable) throws -> [Double] {
        let w = output.width
        var sums = [Double](repeating: 0, count: 2 * w + 1)
        for r in 0..<output.rows {
            for j in 0..<w {
                let x = Double(output.values[r * w + j])
                sums[j] += x
                sums[w + j] += x * x
            }
        }
        sums[2 * w] = Double(output.rows)
        try comm.allreduce(&sums, op: .sum)
        let n = max(sums[2 * w], 1)
        return (0..<w).map { j in
            let mean = sums[j] / n
            return max(sums[w + j] / n - mean * mean, 0).squareRoot()
        }
    }

    /// The KS quantities: the score's (without the classifier term), then the remaining columns and derived quantities.
    private var quantities: [String] {
        names.filter { $0 != ScoreChoice.classifier } + columns.filter { !names.contains($0) } + derived
    }

    private func evaluate(_ table: EventTable) throws -> SnapshotScore {
        var ks: [String: Double] = [:]
        for name in quantities {
            let values = try table.quantity(name, roles: data.roles)
            ks[name] = KolmogorovSmirnov.statistic(sortedA: reference[name] ?? [], sortedB: values.sorted())
        }
        if let classifier { ks[ScoreChoice.classifier] = try classifier.term(table) }
        var score = SnapshotScore(ks: names.map { ($0, ks[$0] ?? .nan) }, columns: columns.map { ($0, ks[$0] ?? .nan) },
                                  diverged: false, reason: "")
        score.derived = derived.map { ($0, ks[$0] ?? .nan) }
        score.weights = weights
        return score
    }
}
