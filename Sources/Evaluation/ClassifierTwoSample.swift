import EventStore
import NN
import Physics
import Support

/// Classifier two-sample test: a small MLP learns to tell real rows (label 1) from generated rows
/// (label 0) on a training split, and its AUC on the held-out split measures how distinguishable
/// the tables are in all features jointly: 0.5 = indistinguishable, 1 = perfectly separable. It
/// catches what per-quantity KS cannot (wrong correlations, a missing mode in some corner).
/// Deterministic for a seed: the split, the initialisation and every epoch's order come from
/// Philox streams of that seed, and training runs on one process with fixed batch order.
public struct ClassifierTwoSample {
    /// The rows and the split of the test; everything else is the classifier's own settings.
    public struct Settings: Equatable {
        /// Rows used per table (the leading rows); the smaller table limits both.
        public var rows = 50_000
        public var trainFraction = 0.7
        /// Network, optimizer, epochs (or `steps`) and seed of the classifier trained on the split.
        public var classifier = BinaryClassifier.Settings()

        public init(rows: Int = 50_000, trainFraction: Double = 0.7, classifier: BinaryClassifier.Settings = .init()) {
            self.rows = rows
            self.trainFraction = trainFraction
            self.classifier = classifier
        }
    }

    /// Held-out AUC of a classifier separating `real` from `generated` (same features, in order).
    public static func auc(real: EventTable, generated: EventTable, settings s: Settings) throws -> Double {
        let held = try heldOutScores(real: real, generated: generated, settings: s)
        return auc(scores: held.scores, positive: held.positive)
    }

    /// The trained classifier's logits on the held-out rows and whether each row is real.
    /// Features are standardised with the mean and std of the pooled rows (label-blind, so no
    /// leakage of the answer); a constant feature is only centred. With `generatedWeights` (one per
    /// generated row, e.g. the reweighting's `weight` column) the generated rows count with their
    /// weight in training; `weights` returns every held-out row's weight (1 for real rows).
    public static func heldOutScores(real: EventTable, generated: EventTable, generatedWeights: [Float]? = nil,
                                     settings s: Settings) throws -> (scores: [Double], positive: [Bool], weights: [Double]) {
        precondition(real.columns == generated.columns, "the classifier needs the same features in both tables")
        let n = min(s.rows, real.rows, generated.rows), k = real.width
        precondition(n >= 2, "the classifier needs at least 2 rows per table")
        var x = [Float](repeating: 0, count: 2 * n * k)
        x.withUnsafeMutableBufferPointer { out in
            for (t, table) in [real, generated].enumerated() {
                table.values.withUnsafeBufferPointer { v in
                    for i in 0..<(n * k) { out[t * n * k + i] = v[i] }
                }
            }
        }
        return try BinaryClassifier.twoSample(x, rows: n, width: k, trainFraction: s.trainFraction,
                                              generatedWeights: generatedWeights, settings: s.classifier)
    }

    /// Area under the ROC curve = P(score of a random positive > score of a random negative), ties
    /// counting ½: the Mann–Whitney U of the positives' ranks (ties share their average rank).
    public static func auc(scores: [Double], positive: [Bool]) -> Double {
        precondition(scores.count == positive.count, "one label per score")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, positives = 0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2   // average of 1-based ranks i+1 … j+1
            for m in i...j where positive[order[m]] { rankSum += rank; positives += 1 }
            i = j + 1
        }
        let negatives = scores.count - positives
        guard positives > 0, negatives > 0 else { return .nan }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    /// Columns to zero mean and unit std over all rows (constant columns only centred).
    public static func standardize(_ x: inout [Float], rows: Int, width k: Int) {
        FeatureScaling(fitting: x, rows: rows, width: k).apply(&x)
    }

    /// The leading `rows` rows of `table` as a table of the named columns or derived quantities
    /// (computed from the columns playing their roles).
    public static func features(_ table: EventTable, names: [String], rows: Int,
                                roles: ColumnRoles = ColumnRoles()) throws -> EventTable {
        let head = table.slice(0..<min(rows, table.rows))
        var out = EventTable(columns: names, rows: head.rows)
        for (j, name) in names.enumerated() {
            for (r, v) in try head.quantity(name, roles: roles).enumerated() { out[r, j] = Float(v) }
        }
        return out
    }

    /// Fisher–Yates with the given stream.
    public static func shuffle(_ items: inout [Int], _ rng: inout Philox) { BinaryClassifier.shuffle(&items, &rng) }
}
