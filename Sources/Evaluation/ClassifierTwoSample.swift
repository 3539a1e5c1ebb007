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
    public struct Settings: Equatable {
        /// Rows used per table (the leading rows); the smaller table limits both.
        public var rows = 50_000
        public var trainFraction = 0.7
        public var epochs = 5
        public var batch = 256
        public var hidden = [32, 32]
        public var learningRate: Float = 1e-3
        public var seed: UInt64 = 1

        public init(rows: Int = 50_000, trainFraction: Double = 0.7, epochs: Int = 5, batch: Int = 256,
                    hidden: [Int] = [32, 32], learningRate: Float = 1e-3, seed: UInt64 = 1) {
            self.rows = rows
            self.trainFraction = trainFraction
            self.epochs = epochs
            self.batch = batch
            self.hidden = hidden
            self.learningRate = learningRate
            self.seed = seed
        }
    }

    /// Held-out AUC of a classifier separating `real` from `generated` (same features, in order).
    public static func auc(real: EventTable, generated: EventTable, settings s: Settings) throws -> Double {
        let held = try heldOutScores(real: real, generated: generated, settings: s)
        return auc(scores: held.scores, positive: held.positive)
    }

    /// The trained classifier's logits on the held-out rows and whether each row is real.
    /// Features are standardised with the mean and std of the pooled rows (label-blind, so no
    /// leakage of the answer); a constant feature is only centred.
    public static func heldOutScores(real: EventTable, generated: EventTable,
                                     settings s: Settings) throws -> (scores: [Double], positive: [Bool]) {
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
        standardize(&x, rows: 2 * n, width: k)
        // Stratified split: each table's rows permuted by its own stream, the first share trains.
        let cut = max(1, min(n - 1, Int(Double(n) * s.trainFraction)))
        var train: [Int] = [], test: [Int] = []
        for t in 0..<2 {
            var order = Array((t * n)..<((t + 1) * n))
            var rng = Philox(seed: s.seed, stream: UInt64(t), substream: 0x43_3253)  // "C2S"
            shuffle(&order, &rng)
            train += order[..<cut]
            test += order[cut...]
        }
        let model = try MLP(widths: [k] + s.hidden + [1],
                            activations: s.hidden.map { _ in Activation.leakyReLU(0.2) } + [.linear],
                            maxBatch: s.batch, seed: s.seed)
        let adam = Adam(for: model, learningRate: s.learningRate)
        var labels = [Float](repeating: 0, count: s.batch)
        for epoch in 0..<s.epochs {
            var rng = Philox(seed: s.seed, stream: UInt64(2 + epoch), substream: 0x43_3253)
            shuffle(&train, &rng)
            var start = 0
            while start < train.count {
                let b = min(s.batch, train.count - start)
                load(x, rows: train[start..<(start + b)], width: k, into: model.input(batch: b), labels: &labels, real: n)
                let logits = model.forward(batch: b)
                labels.withUnsafeBufferPointer { y in
                    _ = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: y, count: b,
                                                          gradient: model.outputGradient(batch: b))
                }
                model.backward(batch: b)
                adam.step(model)
                start += b
            }
        }
        var scores = [Double](repeating: 0, count: test.count)
        var start = 0
        while start < test.count {
            let b = min(s.batch, test.count - start)
            load(x, rows: test[start..<(start + b)], width: k, into: model.input(batch: b), labels: &labels, real: n)
            let logits = model.forward(batch: b)
            for i in 0..<b { scores[start + i] = Double(logits[i]) }
            start += b
        }
        return (scores, test.map { $0 < n })
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
        for j in 0..<k {
            var sum = 0.0, squares = 0.0
            for r in 0..<rows { sum += Double(x[r * k + j]) }
            let mean = sum / Double(rows)
            for r in 0..<rows { let d = Double(x[r * k + j]) - mean; squares += d * d }
            let std = (squares / Double(rows)).squareRoot()
            let scale = std > 0 ? 1 / std : 1
            for r in 0..<rows { x[r * k + j] = Float((Double(x[r * k + j]) - mean) * scale) }
        }
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
    public static func shuffle(_ items: inout [Int], _ rng: inout Philox) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, rng.below(i + 1)) }
    }

    /// Copies the listed rows into the model's input and their labels (row < `real` ⇒ 1) into `labels`.
    private static func load(_ x: [Float], rows: ArraySlice<Int>, width k: Int, into input: UnsafeMutableBufferPointer<Float>,
                             labels: inout [Float], real: Int) {
        x.withUnsafeBufferPointer { src in
            for (i, r) in rows.enumerated() {
                for j in 0..<k { input[i * k + j] = src[r * k + j] }
                labels[i] = r < real ? 1 : 0
            }
        }
    }
}
