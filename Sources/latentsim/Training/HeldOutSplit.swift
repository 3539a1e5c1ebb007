import NN

/// Training / held-out split by a per-row hash of (seed, global row): the same rows are held out
/// whatever the rank count, and a later stage can recompute the split from (seed, fraction).
struct HeldOutSplit: Codable, Equatable {
    var fraction: Double
    var seed: UInt64

    func isHeldOut(globalRow: Int) -> Bool {
        var rng = Philox(seed: seed, stream: UInt64(globalRow), substream: 0x484F_4C44)  // "HOLD"
        return rng.uniform() < fraction
    }
}
