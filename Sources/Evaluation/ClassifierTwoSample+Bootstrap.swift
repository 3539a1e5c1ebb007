import Foundation
import Support

extension ClassifierTwoSample {
    /// Resamples of the held-out rows behind `classifier_auc_std`.
    public static let bootstrapResamples = 200

    /// The std (n − 1 denominator) of the AUC over `resamples` stratified bootstrap resamples of the
    /// held-out rows: each resample draws as many real and as many generated rows as there are, with
    /// replacement, from Philox(seed, stream r, "BOOT"). It measures the held-out sample's
    /// finite-size noise for this trained classifier, not the spread over retrainings. NaN with
    /// fewer than 2 resamples or without both classes.
    public static func bootstrapStd(scores: [Double], positive: [Bool], resamples: Int = bootstrapResamples,
                                    seed: UInt64) -> Double {
        precondition(scores.count == positive.count, "one label per score")
        let pos = positive.indices.filter { positive[$0] }, neg = positive.indices.filter { !positive[$0] }
        guard resamples >= 2, !pos.isEmpty, !neg.isEmpty else { return .nan }
        // Sorted once; ties share a group, as in `auc(scores:positive:)`.
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var group = [Int](repeating: 0, count: scores.count)
        var g = 0
        for (i, row) in order.enumerated() {
            if i > 0 && scores[row] != scores[order[i - 1]] { g += 1 }
            group[row] = g
        }
        let groups = g + 1
        var values: [Double] = []
        var weight = [Double](repeating: 0, count: scores.count)
        var positiveIn = [Double](repeating: 0, count: groups), negativeIn = [Double](repeating: 0, count: groups)
        for r in 0..<resamples {
            var rng = Philox(seed: seed, stream: UInt64(r), substream: 0x424F_4F54)  // "BOOT"
            for i in weight.indices { weight[i] = 0 }
            for _ in pos { weight[pos[rng.below(pos.count)]] += 1 }
            for _ in neg { weight[neg[rng.below(neg.count)]] += 1 }
            for i in 0..<groups { positiveIn[i] = 0; negativeIn[i] = 0 }
            for i in weight.indices where weight[i] > 0 {
                if positive[i] { positiveIn[group[i]] += weight[i] } else { negativeIn[group[i]] += weight[i] }
            }
            // Each positive beats the negatives of lower groups and ties (½) those of its own.
            var below = 0.0, wins = 0.0
            for i in 0..<groups {
                wins += positiveIn[i] * (below + negativeIn[i] / 2)
                below += negativeIn[i]
            }
            values.append(wins / (Double(pos.count) * Double(neg.count)))
        }
        let mean = values.reduce(0, +) / Double(resamples)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(resamples - 1)).squareRoot()
    }
}
