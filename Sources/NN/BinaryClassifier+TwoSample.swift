import Support

extension BinaryClassifier {
    /// The classifier two-sample test on rows already in one matrix: `x` holds n real rows then n
    /// generated rows (row-major, `width` columns, raw units). Columns are standardised over all 2n
    /// rows (label-blind); each table's rows are permuted by its own stream Philox(seed, t, "C2S")
    /// and the first `trainFraction` of each trains, the rest is held out. With `generatedWeights`
    /// (one per generated row) the generated rows count with their weight in training.
    /// Returns the held-out rows' logits, whether each is real, and its weight (1 for real rows).
    public static func twoSample(_ x: [Float], rows n: Int, width k: Int, trainFraction: Double, generatedWeights: [Float]? = nil,
                                 settings s: Settings) throws -> (scores: [Double], positive: [Bool], weights: [Double]) {
        precondition(n >= 2 && x.count == 2 * n * k, "the classifier needs n ≥ 2 rows of each table")
        var x = x
        FeatureScaling(fitting: x, rows: 2 * n, width: k).apply(&x)
        let cut = max(1, min(n - 1, Int(Double(n) * trainFraction)))
        var train: [Int] = [], test: [Int] = []
        for t in 0..<2 {
            var order = Array((t * n)..<((t + 1) * n))
            var rng = Philox(seed: s.seed, stream: UInt64(t), substream: 0x43_3253)  // "C2S"
            shuffle(&order, &rng)
            train += order[..<cut]
            test += order[cut...]
        }
        let rowWeights = generatedWeights.map { w in (0..<(2 * n)).map { $0 < n ? 1 : w[$0 - n] } }
        let classifier = try BinaryClassifier.train(x: x, width: k, rows: train, isPositive: { $0 < n }, weights: rowWeights, settings: s)
        return (classifier.logits(x, rows: test), test.map { $0 < n }, test.map { Double(rowWeights?[$0] ?? 1) })
    }
}
