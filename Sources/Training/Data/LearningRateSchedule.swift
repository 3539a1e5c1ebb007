import Foundation
import Support

/// The learning rate at a step, shared by `reduce` and the generator ensembles: constant, or a
/// cosine decay from lr to lr/100 over the run. A pure function of the step, so a resumed run
/// follows the same schedule and a restart's result still depends only on its seed and config.
public enum LearningRateSchedule {
    public static let names = ["constant", "cosine"]

    public static func value(lr: Double, schedule: String, step: Int, total: Int) -> Float {
        guard schedule == "cosine", total > 1 else { return Float(lr) }
        let progress = Double(min(step, total - 1)) / Double(total - 1)
        return Float(lr * (0.01 + 0.99 * 0.5 * (1 + cos(Double.pi * progress))))
    }
}
