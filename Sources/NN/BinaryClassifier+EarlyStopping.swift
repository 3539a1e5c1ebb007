import Foundation
import Support

extension BinaryClassifier {
    /// What `trainEarlyStopped` did: the epochs run, the (0-based) epoch whose parameters were kept
    /// and its validation cross-entropy.
    public struct StoppedTraining: Equatable {
        public let epochsRun: Int
        public let bestEpoch: Int
        public let validationLoss: Double
    }

    /// Trains on the rows `train` (as `train(x:…)`, at most `settings.epochs` epochs) and after every
    /// epoch measures the mean cross-entropy of the rows `validation` (weighted by `weights` when
    /// given, else 1 per row); training stops once it has not fallen for `patience` epochs, and the
    /// classifier returned carries the parameters of the epoch where it was lowest. Deterministic
    /// for the settings' seed (one process, fixed batch order).
    public static func trainEarlyStopped(x: [Float], width k: Int, train: [Int], validation: [Int], isPositive: (Int) -> Bool,
                                         weights: [Float]? = nil, patience: Int, settings s: Settings) throws
        -> (classifier: BinaryClassifier, training: StoppedTraining) {
        precondition(!validation.isEmpty && patience >= 1, "early stopping needs validation rows and a patience of at least 1 epoch")
        let labels = validation.map(isPositive)
        let rowWeights = validation.map { Double(weights?[$0] ?? 1) }
        var best = (loss: Double.infinity, epoch: -1, parameters: [Float]())
        var epochs = 0
        let c = try BinaryClassifier.train(x: x, width: k, rows: train, isPositive: isPositive, weights: weights, settings: s) { c, epoch in
            epochs = epoch + 1
            let loss = crossEntropy(logits: c.logits(x, rows: validation), labels: labels, weights: rowWeights)
            if loss < best.loss || best.epoch < 0 { best = (loss, epoch, Array(c.model.parameters)) }
            return epoch - best.epoch < patience
        }
        for i in 0..<best.parameters.count { c.model.parameters[i] = best.parameters[i] }
        return (c, StoppedTraining(epochsRun: epochs, bestEpoch: best.epoch, validationLoss: best.loss))
    }

    /// Mean binary cross-entropy of logits z against labels, Σ w·ℓ / Σ w, with ℓ = softplus(∓z)
    /// computed stably (NaN for a non-finite logit, which then never counts as an improvement).
    public static func crossEntropy(logits z: [Double], labels: [Bool], weights: [Double]) -> Double {
        precondition(z.count == labels.count && z.count == weights.count, "one label and one weight per logit")
        var sum = 0.0, total = 0.0
        for i in z.indices {
            let u = labels[i] ? -z[i] : z[i]   // −log σ(z) = softplus(−z), −log(1 − σ(z)) = softplus(z)
            sum += weights[i] * (max(u, 0) + log1p(exp(-abs(u))))
            total += weights[i]
        }
        return total > 0 ? sum / total : .nan
    }
}
