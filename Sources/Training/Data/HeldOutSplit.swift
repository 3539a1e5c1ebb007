import NN
import Support

/// Training / held-out split by a per-row hash of (seed, global row): the same rows are held out
/// whatever the rank count, and a later stage can recompute the split from (seed, fraction).
public struct HeldOutSplit: Codable, Equatable {
    public var fraction: Double
    public var seed: UInt64

    public init(fraction: Double, seed: UInt64) {
        self.fraction = fraction
        self.seed = seed
    }

    public func isHeldOut(globalRow: Int) -> Bool {
        var rng = Philox(seed: seed, stream: UInt64(globalRow), substream: 0x484F_4C44)  // "HOLD"
        return rng.uniform() < fraction
    }
}
