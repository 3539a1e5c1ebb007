import Metrics

extension ClassifierTwoSample {
    /// The weighted AUC (`ROCArea`): rows count in proportion to their weight, ties ½. With unit
    /// weights it equals `auc(scores:positive:)`.
    public static func auc(scores: [Double], positive: [Bool], weights: [Double]) -> Double {
        ROCArea.auc(scores: scores, positive: positive, weights: weights)
    }
}
