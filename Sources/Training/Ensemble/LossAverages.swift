import EventStore
import Foundation
import Support

/// The step losses of a restart summed since its last snapshot record, whose `losses` member holds
/// their means (training curves). The sums travel in state.h5 (`attributes`), so a restart stopped
/// between two snapshots resumes with them and writes the same records as an uninterrupted one.
/// `add` writes in place: no allocation per step.
public struct LossAverages: Equatable {
    /// The trainer's loss names, in the order its step returns them.
    public let names: [String]
    public private(set) var sums: [Double]
    /// Steps summed since the last reset.
    public private(set) var steps = 0

    public init(names: [String]) {
        self.names = names
        sums = [Double](repeating: 0, count: names.count)
    }

    /// Adds one step's losses (the same names in the same order).
    public mutating func add(_ losses: StepLosses) {
        precondition(losses.values.count == sums.count, "a step returned \(losses.values.count) losses, expected \(sums.count)")
        for i in sums.indices { sums[i] += losses.values[i].1 }
        steps += 1
    }

    /// (name, mean over the steps since the last reset); NaN when no step was added.
    public var means: [(String, Double)] {
        names.indices.map { (names[$0], steps > 0 ? sums[$0] / Double(steps) : .nan) }
    }

    public mutating func reset() {
        for i in sums.indices { sums[i] = 0 }
        steps = 0
    }

    /// State-file attributes: `loss_steps` and one `loss_sum_NAME` per loss, each a Double's shortest
    /// round-trip text (exact; float32 datasets would round the sums).
    public var attributes: [String: AttributeValue] {
        var a: [String: AttributeValue] = ["loss_steps": .int(Int64(steps))]
        for (name, sum) in zip(names, sums) { a["loss_sum_" + name] = .string(sum.description) }
        return a
    }

    /// The sums a state file holds. A state written before losses were recorded has none: the sums
    /// start at zero there, and the next record's `loss_steps` says how many steps its means cover.
    public init(names: [String], restoring checkpoint: Checkpoint, path: String) throws {
        self.init(names: names)
        guard checkpoint.attributes["loss_steps"] != nil else { return }
        steps = Int(try checkpoint.int("loss_steps"))
        for (i, name) in names.enumerated() {
            let text = try checkpoint.string("loss_sum_" + name)
            guard let value = Double(text) else {
                throw InputError("state '\(path)' holds loss_sum_\(name) = '\(text)', expected a number; the file is damaged: "
                                 + "delete it to restart this restart from step 0", exitCode: ExitStatus.dataError)
            }
            sums[i] = value
        }
    }
}
