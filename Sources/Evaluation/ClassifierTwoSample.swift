import EventStore
import NN
import Physics
import Support

/// Classifier two-sample test: an MLP learns to tell real rows (label 1) from generated rows
/// (label 0) on a training split, stops when its cross-entropy on a separate validation split has
/// not fallen for `patience` epochs (keeping its best epoch), and its AUC on a third, held-out test
/// split measures how distinguishable the tables are in all features jointly: 0.5 =
/// indistinguishable, 1 = perfectly separable. It catches what per-quantity KS cannot (wrong
/// correlations, a missing mode in some corner, muons off their mass shell).
/// Deterministic for a seed: the split, the initialisation and every epoch's order come from
/// Philox streams of that seed, and training runs on one process with fixed batch order.
public struct ClassifierTwoSample {
    /// The rows, the split and the inputs of the test; everything else is the classifier's own settings.
    public struct Settings: Equatable {
        /// Rows used per table (the leading rows); the smaller table limits both.
        public var rows = ClassifierTwoSample.defaultRows
        /// Share of each table's rows the AUC is measured on (never trained or stopped on).
        public var testFraction = 0.3
        /// Share of each table's rows whose cross-entropy decides when training stops.
        public var validationFraction = 0.15
        /// Epochs without a lower validation cross-entropy before training stops.
        public var patience = ClassifierTwoSample.defaultPatience
        /// Network, optimizer, the largest number of epochs and seed of the classifier.
        public var classifier = ClassifierTwoSample.defaultClassifier
        /// Whether each muon's mass squared E² − |p|² is an input too (when columns play its roles).
        public var muonMasses = true
        /// Whether the classifier sees every event in mu2's azimuthal frame (`AzimuthalFrame`: mu2_py
        /// dropped, the other transverse momenta and angles relative to mu2), when columns play mu2_px and mu2_py.
        public var frame = true

        public init(rows: Int = ClassifierTwoSample.defaultRows, testFraction: Double = 0.3, validationFraction: Double = 0.15,
                    patience: Int = ClassifierTwoSample.defaultPatience,
                    classifier: BinaryClassifier.Settings = ClassifierTwoSample.defaultClassifier, muonMasses: Bool = true,
                    frame: Bool = true) {
            self.rows = rows
            self.testFraction = testFraction
            self.validationFraction = validationFraction
            self.patience = patience
            self.classifier = classifier
            self.muonMasses = muonMasses
            self.frame = frame
        }

        /// The settings with the network `depth` × `width`, at most `epochs` epochs and the seed;
        /// a width or depth below 1 is refused in one line naming its option.
        public func with(width: Int, depth: Int, epochs: Int, seed: UInt64) throws -> Settings {
            for (value, option, what) in [(width, "width", "units per hidden layer"), (depth, "depth", "hidden layers")] where value < 1 {
                throw InputError("--classifier-\(option) must be a positive number of \(what), found \(value)", exitCode: ExitStatus.usage)
            }
            var s = self
            s.classifier.hidden = Array(repeating: width, count: depth)
            s.classifier.epochs = epochs
            s.classifier.seed = seed
            return s
        }
    }

    /// The rows behind the AUC: each held-out test row's logit, whether it is real and its weight
    /// (1 for real rows), how many rows of each table went to each split, and how training stopped.
    public struct HeldOut {
        public let scores: [Double]
        public let positive: [Bool]
        public let weights: [Double]
        public let split: (train: Int, validation: Int, test: Int)
        public let training: BinaryClassifier.StoppedTraining
    }

    /// Held-out AUC of a classifier separating `real` from `generated` (same features, in order).
    public static func auc(real: EventTable, generated: EventTable, settings s: Settings) throws -> Double {
        let held = try heldOutScores(real: real, generated: generated, settings: s)
        return auc(scores: held.scores, positive: held.positive)
    }

    /// The trained classifier's logits on the held-out test rows and whether each row is real.
    /// Features are standardised with the mean and std of the pooled rows (label-blind, so no
    /// leakage of the answer); a constant feature is only centred. Each table's rows are permuted
    /// by Philox(seed, table, "C2S"): the last `testFraction` are the test rows, the
    /// `validationFraction` before them the validation rows, the rest train. With
    /// `generatedWeights` (one per generated row, e.g. the reweighting's `weight` column) the
    /// generated rows count with their weight in training and in the validation loss; `weights`
    /// returns every test row's weight (1 for real rows).
    public static func heldOutScores(real: EventTable, generated: EventTable, generatedWeights: [Float]? = nil,
                                     settings s: Settings) throws -> HeldOut {
        precondition(real.columns == generated.columns, "the classifier needs the same features in both tables")
        let n = min(s.rows, real.rows, generated.rows), k = real.width
        let split = try ClassifierTwoSample.split(rows: n, settings: s)
        var x = [Float](repeating: 0, count: 2 * n * k)
        x.withUnsafeMutableBufferPointer { out in
            for (t, table) in [real, generated].enumerated() {
                table.values.withUnsafeBufferPointer { v in
                    for i in 0..<(n * k) { out[t * n * k + i] = v[i] }
                }
            }
        }
        FeatureScaling(fitting: x, rows: 2 * n, width: k).apply(&x)
        var train: [Int] = [], validation: [Int] = [], test: [Int] = []
        for t in 0..<2 {
            var order = Array((t * n)..<((t + 1) * n))
            var rng = Philox(seed: s.classifier.seed, stream: UInt64(t), substream: 0x43_3253)  // "C2S"
            shuffle(&order, &rng)
            train += order[..<split.train]
            validation += order[split.train..<(split.train + split.validation)]
            test += order[(split.train + split.validation)...]
        }
        let rowWeights = generatedWeights.map { w in (0..<(2 * n)).map { $0 < n ? 1 : w[$0 - n] } }
        let fit = try BinaryClassifier.trainEarlyStopped(x: x, width: k, train: train, validation: validation, isPositive: { $0 < n },
                                                         weights: rowWeights, patience: s.patience, settings: s.classifier)
        return HeldOut(scores: fit.classifier.logits(x, rows: test), positive: test.map { $0 < n },
                       weights: test.map { Double(rowWeights?[$0] ?? 1) }, split: split, training: fit.training)
    }

    /// Rows of each table for training, validation and test out of `n`: each of the three gets at
    /// least one; throws a usage error when the fractions leave no training rows.
    public static func split(rows n: Int, settings s: Settings) throws -> (train: Int, validation: Int, test: Int) {
        guard s.testFraction > 0, s.validationFraction > 0, s.testFraction + s.validationFraction < 1, s.patience >= 1 else {
            throw InputError("the classifier test needs test and validation fractions above 0 that leave rows to train on and a "
                             + "patience of at least 1 epoch, found \(s.testFraction), \(s.validationFraction) and \(s.patience)",
                             exitCode: ExitStatus.usage)
        }
        guard n >= 3 else {
            throw InputError("the classifier test needs at least 3 rows per table, found \(n)", exitCode: ExitStatus.dataError)
        }
        let test = max(1, min(n - 2, Int(Double(n) * s.testFraction)))
        let validation = max(1, min(n - test - 1, Int(Double(n) * s.validationFraction)))
        return (n - test - validation, validation, test)
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

    /// Fisher–Yates with the given stream.
    public static func shuffle(_ items: inout [Int], _ rng: inout Philox) { BinaryClassifier.shuffle(&items, &rng) }
}
