import Support

/// A small MLP that learns to tell class-1 rows (real events) from class-0 rows (generated ones):
/// the one classifier behind evaluation's two-sample test (Evaluation/ClassifierTwoSample), the
/// snapshot classifier metric (Training/SnapshotClassifier) and the reweighting classifier
/// (Training/Reweighter). It lives in NN so that all three layers reach it without a cycle.
///
/// Deterministic for a seed: the initialisation (MLP seed) and every epoch's order
/// (Philox(seed, stream 2 + epoch, "C2S")) come from the seed, and training runs on one process in
/// a fixed batch order. Rows are given already standardised (`FeatureScaling`).
public final class BinaryClassifier {
    public struct Settings: Equatable {
        public var epochs = 5
        public var batch = 256
        public var hidden = [32, 32]
        public var learningRate: Float = 1e-3
        public var seed: UInt64 = 1
        /// Optimizer steps in total instead of `epochs` (epochs repeat until then): a study comparing
        /// training sets of different sizes gives every classifier the same training time.
        public var steps: Int? = nil

        public init(epochs: Int = 5, batch: Int = 256, hidden: [Int] = [32, 32], learningRate: Float = 1e-3, seed: UInt64 = 1,
                    steps: Int? = nil) {
            self.steps = steps
            self.epochs = epochs
            self.batch = batch
            self.hidden = hidden
            self.learningRate = learningRate
            self.seed = seed
        }
    }

    public let model: MLP
    public let width: Int

    /// A classifier of the given shape with the seed's initial weights (untrained).
    public init(width: Int, settings s: Settings) throws {
        model = try MLP(widths: [width] + s.hidden + [1],
                        activations: s.hidden.map { _ in Activation.leakyReLU(0.2) } + [.linear],
                        maxBatch: s.batch, seed: s.seed)
        self.width = width
    }

    /// Trains on the rows `train` of `x` (row-major, `width` columns) by binary cross-entropy with
    /// logits; `isPositive(row)` is the row's label. With `weights`, row r's loss gradient is scaled
    /// by weights[r] (a weighted sample, e.g. reweighted generated events). `train` is reshuffled in
    /// place every epoch, each shuffle starting from the previous order. With `steps` set, training
    /// stops after that many optimizer steps (mid-epoch if need be) instead of after `epochs`.
    /// `afterEpoch(classifier, epoch)` runs after each full epoch (0-based); returning false stops
    /// training there (early stopping on a held-out split, `Reweighter`).
    public static func train(x: [Float], width k: Int, rows train: [Int], isPositive: (Int) -> Bool,
                             weights: [Float]? = nil, settings s: Settings,
                             afterEpoch: ((BinaryClassifier, Int) throws -> Bool)? = nil) throws -> BinaryClassifier {
        let classifier = try BinaryClassifier(width: k, settings: s)
        let model = classifier.model
        let adam = Adam(for: model, learningRate: s.learningRate)
        var order = train
        var labels = [Float](repeating: 0, count: s.batch)
        var epoch = 0, done = 0
        while s.steps.map({ done < $0 }) ?? (epoch < s.epochs) {
            var rng = Philox(seed: s.seed, stream: UInt64(2 + epoch), substream: 0x43_3253)  // "C2S"
            shuffle(&order, &rng)
            var start = 0
            while start < order.count && s.steps.map({ done < $0 }) ?? true {
                let b = min(s.batch, order.count - start)
                let rows = order[start..<(start + b)]
                classifier.load(x, rows: rows, into: model.input(batch: b))
                for (i, r) in rows.enumerated() { labels[i] = isPositive(r) ? 1 : 0 }
                let logits = model.forward(batch: b)
                let gradient = model.outputGradient(batch: b)
                labels.withUnsafeBufferPointer { y in
                    _ = Loss.binaryCrossEntropyWithLogits(logits: UnsafeBufferPointer(logits), labels: y, count: b, gradient: gradient)
                }
                if let weights {
                    for (i, r) in rows.enumerated() { gradient[i] *= weights[r] }
                }
                model.backward(batch: b)
                adam.step(model)
                start += b
                done += 1
            }
            if let afterEpoch, start >= order.count, try !afterEpoch(classifier, epoch) { break }
            epoch += 1
        }
        return classifier
    }

    /// The logits of the listed rows of `x` (row-major, `width` columns), in order.
    public func logits(_ x: [Float], rows: [Int]) -> [Double] {
        var scores = [Double](repeating: 0, count: rows.count)
        let batch = model.maxBatch
        var start = 0
        while start < rows.count {
            let b = min(batch, rows.count - start)
            load(x, rows: rows[start..<(start + b)], into: model.input(batch: b))
            let out = model.forward(batch: b)
            for i in 0..<b { scores[start + i] = Double(out[i]) }
            start += b
        }
        return scores
    }

    /// Fisher–Yates with the given stream.
    public static func shuffle(_ items: inout [Int], _ rng: inout Philox) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, rng.below(i + 1)) }
    }

    private func load(_ x: [Float], rows: ArraySlice<Int>, into input: UnsafeMutableBufferPointer<Float>) {
        let k = width
        x.withUnsafeBufferPointer { src in
            for (i, r) in rows.enumerated() {
                for j in 0..<k { input[i * k + j] = src[r * k + j] }
            }
        }
    }
}

/// Per-column standardisation: zero mean and unit std over the rows it was fitted on (population
/// std; a constant column is only centred). Stored, so rows seen later get the same map.
public struct FeatureScaling: Equatable {
    public var mean: [Double]
    public var scale: [Double]

    public init(mean: [Double], scale: [Double]) {
        self.mean = mean
        self.scale = scale
    }

    /// Fitted on the first `rows` rows of `x` (row-major, `width` columns).
    public init(fitting x: [Float], rows: Int, width k: Int) {
        mean = []
        scale = []
        for j in 0..<k {
            var sum = 0.0, squares = 0.0
            for r in 0..<rows { sum += Double(x[r * k + j]) }
            let m = sum / Double(rows)
            for r in 0..<rows { let d = Double(x[r * k + j]) - m; squares += d * d }
            let std = (squares / Double(rows)).squareRoot()
            mean.append(m)
            scale.append(std > 0 ? 1 / std : 1)
        }
    }

    /// Applies the map to every row of `x` in place.
    public func apply(_ x: inout [Float]) {
        let k = mean.count
        guard k > 0 else { return }
        for r in 0..<(x.count / k) {
            for j in 0..<k { x[r * k + j] = Float((Double(x[r * k + j]) - mean[j]) * scale[j]) }
        }
    }
}
