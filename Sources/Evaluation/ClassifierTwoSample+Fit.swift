import EventStore
import NN
import Support

extension ClassifierTwoSample {
    /// Rows of a flat row-major matrix with their labels: what `fit` trains on and `logits` scores.
    public struct Rows {
        public var x: [Float]
        public var labels: [Float]
        public let width: Int
        public var count: Int { labels.count }

        public init(x: [Float], labels: [Float], width: Int) {
            precondition(x.count == labels.count * width, "one label per row")
            self.x = x
            self.labels = labels
            self.width = width
        }

        /// The positive table's rows (label 1), then each negative table's rows (label 0), in order.
        public init(positive: EventTable, negatives: [EventTable]) {
            precondition(negatives.allSatisfy { $0.columns == positive.columns }, "the classifier needs the same features in every table")
            var x = positive.values
            var labels = [Float](repeating: 1, count: positive.rows)
            for table in negatives {
                x += table.values
                labels += [Float](repeating: 0, count: table.rows)
            }
            self.init(x: x, labels: labels, width: positive.width)
        }
    }

    /// Trains a `BinaryClassifier` of these settings on `rows[train]` for `epochs`, or for
    /// `steps` optimizer steps when set. With `balanced`, each row's loss gradient is scaled so both
    /// classes weigh the same in total (a signal-vs-background study with 16× more background than
    /// signal), otherwise all rows weigh 1 (the two-sample test's unweighted step).
    public static func fit(_ rows: Rows, train: [Int], settings s: BinaryClassifier.Settings, balanced: Bool = false) throws -> BinaryClassifier {
        let positives = train.reduce(0) { $0 + (rows.labels[$1] > 0.5 ? 1 : 0) }
        let negatives = train.count - positives
        precondition(positives > 0 && negatives > 0, "the classifier needs both classes in its training rows")
        var weights: [Float]?
        if balanced {
            let positive = Float(Double(train.count) / Double(2 * positives))
            let negative = Float(Double(train.count) / Double(2 * negatives))
            weights = rows.labels.map { $0 > 0.5 ? positive : negative }
        }
        return try BinaryClassifier.train(x: rows.x, width: rows.width, rows: train, isPositive: { rows.labels[$0] > 0.5 },
                                          weights: weights, settings: s)
    }

    /// AUC on an independent test set of a classifier trained on `train` (label 1: positive table).
    /// Features are standardised with the training rows' mean and std (the test rows stay unseen),
    /// training is class-balanced. Deterministic for the settings' seed.
    public static func trainedAUC(train: Rows, test: Rows, settings s: BinaryClassifier.Settings) throws -> Double {
        precondition(train.width == test.width, "train and test rows need the same features")
        var both = Rows(x: train.x + test.x, labels: train.labels + test.labels, width: train.width)
        FeatureScaling(fitting: both.x, rows: train.count, width: both.width).apply(&both.x)
        let classifier = try fit(both, train: Array(0..<train.count), settings: s, balanced: true)
        return auc(scores: classifier.logits(both.x, rows: Array(train.count..<both.count)), positive: test.labels.map { $0 > 0.5 })
    }
}
