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

    /// Trains the settings' MLP on `rows[train]` for `epochs`, or for `steps` optimizer steps when
    /// set (epoch order from Philox streams 2 + epoch of the seed). With `balanced`, each row's loss gradient is scaled so both classes weigh the same in
    /// total (a signal-vs-background study with 16× more background than signal), otherwise all rows
    /// weigh 1 (the two-sample test: equal classes, bit-identical to the unweighted step).
    public static func fit(_ rows: Rows, train trainRows: [Int], settings s: Settings, balanced: Bool = false) throws -> MLP {
        let k = rows.width
        var train = trainRows
        let positives = train.reduce(0) { $0 + (rows.labels[$1] > 0.5 ? 1 : 0) }
        let negatives = train.count - positives
        precondition(positives > 0 && negatives > 0, "the classifier needs both classes in its training rows")
        let weight: (positive: Float, negative: Float) = balanced
            ? (Float(Double(train.count) / Double(2 * positives)), Float(Double(train.count) / Double(2 * negatives)))
            : (1, 1)
        let model = try MLP(widths: [k] + s.hidden + [1],
                            activations: s.hidden.map { _ in Activation.leakyReLU(0.2) } + [.linear],
                            maxBatch: s.batch, seed: s.seed)
        let adam = Adam(for: model, learningRate: s.learningRate)
        var labels = [Float](repeating: 0, count: s.batch)
        var epoch = 0, done = 0
        while s.steps.map({ done < $0 }) ?? (epoch < s.epochs) {
            var rng = Philox(seed: s.seed, stream: UInt64(2 + epoch), substream: 0x43_3253)  // "C2S"
            shuffle(&train, &rng)
            var start = 0
            while start < train.count && s.steps.map({ done < $0 }) ?? true {
                let b = min(s.batch, train.count - start)
                load(rows, train[start..<(start + b)], into: model.input(batch: b), labels: &labels)
                let logits = model.forward(batch: b)
                let gradient = model.outputGradient(batch: b)
                labels.withUnsafeBufferPointer { y in
                    _ = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: y, count: b,
                                                          gradient: gradient)
                }
                if balanced {
                    for i in 0..<b { gradient[i] *= labels[i] > 0.5 ? weight.positive : weight.negative }
                }
                model.backward(batch: b)
                adam.step(model)
                start += b
                done += 1
            }
            epoch += 1
        }
        return model
    }

    /// The trained model's logits on `rows[which]`, in that order.
    public static func logits(_ model: MLP, _ rows: Rows, _ which: [Int], batch: Int) -> [Double] {
        var labels = [Float](repeating: 0, count: batch)
        var scores = [Double](repeating: 0, count: which.count)
        var start = 0
        while start < which.count {
            let b = min(batch, which.count - start)
            load(rows, which[start..<(start + b)], into: model.input(batch: b), labels: &labels)
            let out = model.forward(batch: b)
            for i in 0..<b { scores[start + i] = Double(out[i]) }
            start += b
        }
        return scores
    }

    /// AUC on an independent test set of a classifier trained on `train` (label 1: positive table).
    /// Features are standardised with the training rows' mean and std (the test rows stay unseen),
    /// training is class-balanced. Deterministic for the settings' seed.
    public static func trainedAUC(train: Rows, test: Rows, settings s: Settings) throws -> Double {
        precondition(train.width == test.width, "train and test rows need the same features")
        var both = Rows(x: train.x + test.x, labels: train.labels + test.labels, width: train.width)
        standardize(&both.x, fitRows: train.count, rows: both.count, width: both.width)
        let model = try fit(both, train: Array(0..<train.count), settings: s, balanced: true)
        let testRows = Array(train.count..<both.count)
        return auc(scores: logits(model, both, testRows, batch: s.batch), positive: test.labels.map { $0 > 0.5 })
    }

    /// Columns to zero mean and unit std using the mean and std of the first `fitRows` rows only.
    public static func standardize(_ x: inout [Float], fitRows: Int, rows: Int, width k: Int) {
        for j in 0..<k {
            var sum = 0.0, squares = 0.0
            for r in 0..<fitRows { sum += Double(x[r * k + j]) }
            let mean = sum / Double(fitRows)
            for r in 0..<fitRows { let d = Double(x[r * k + j]) - mean; squares += d * d }
            let std = (squares / Double(fitRows)).squareRoot()
            let scale = std > 0 ? 1 / std : 1
            for r in 0..<rows { x[r * k + j] = Float((Double(x[r * k + j]) - mean) * scale) }
        }
    }

    /// Copies the listed rows into the model's input and their labels into `labels`.
    static func load(_ rows: Rows, _ which: ArraySlice<Int>, into input: UnsafeMutableBufferPointer<Float>, labels: inout [Float]) {
        let k = rows.width
        rows.x.withUnsafeBufferPointer { src in
            for (i, r) in which.enumerated() {
                for j in 0..<k { input[i * k + j] = src[r * k + j] }
                labels[i] = rows.labels[r]
            }
        }
    }
}
