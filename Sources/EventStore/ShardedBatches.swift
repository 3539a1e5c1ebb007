import Support

/// Mini-batches over a table sharded across ranks that do not depend on the number of ranks.
/// Each epoch draws one global permutation of the training rows from the shared seed; step s takes
/// positions [s·B, (s+1)·B) of it; each rank processes the members of that global batch that lie in
/// its own contiguous shard. Gradients summed over ranks and divided by B are therefore the same
/// for any rank count, and no rank ever reads another rank's rows.
public final class ShardedBatches {
    public let total: Int
    public let shard: Range<Int>
    public let batch: Int
    public let seed: UInt64
    private var permutation: [Int32]
    private var epochInMemory = -1

    /// `shard`: this rank's global training-row range; `batch`: the global batch size B (≤ total).
    public init(total: Int, shard: Range<Int>, batch: Int, seed: UInt64) {
        precondition(batch >= 1 && batch <= total && shard.upperBound <= total)
        self.total = total
        self.shard = shard
        self.batch = batch
        self.seed = seed
        permutation = [Int32](repeating: 0, count: total)
    }

    /// Full batches per epoch (the incomplete tail of the permutation is skipped).
    public var stepsPerEpoch: Int { total / batch }

    /// Writes the local row indices (0-based within the shard) of global step `step` into `out`
    /// (capacity ≥ B) in batch order, and returns how many there are.
    public func localRows(step: Int, into out: UnsafeMutableBufferPointer<Int32>) -> Int {
        localRows(step: step, into: out, positions: nil)
    }

    /// `localRows`, and each row's position in the global batch (0..<B) into `positions`: what
    /// keys a row's per-step random numbers (GAN noise, VAE ε) independently of the rank count.
    public func localRows(step: Int, into out: UnsafeMutableBufferPointer<Int32>,
                          positions: UnsafeMutableBufferPointer<Int32>?) -> Int {
        let epoch = step / stepsPerEpoch
        if epoch != epochInMemory { shuffle(epoch: epoch) }
        let start = (step % stepsPerEpoch) * batch
        let lo = Int32(shard.lowerBound), hi = Int32(shard.upperBound)
        var n = 0
        permutation.withUnsafeBufferPointer { p in
            for i in start..<(start + batch) where p[i] >= lo && p[i] < hi {
                out[n] = p[i] - lo
                positions?[n] = Int32(i - start)
                n += 1
            }
        }
        return n
    }

    /// Fisher–Yates with the epoch's own Philox stream (shared by all ranks).
    private func shuffle(epoch: Int) {
        var rng = Philox(seed: seed, stream: UInt64(epoch), substream: 0x5045_524D)  // "PERM"
        permutation.withUnsafeMutableBufferPointer { p in
            for i in 0..<total { p[i] = Int32(i) }
            var i = total - 1
            while i > 0 {
                let j = Int((UInt64(rng.nextUInt32()) &* UInt64(i + 1)) >> 32)
                p.swapAt(i, j)
                i -= 1
            }
        }
        epochInMemory = epoch
    }
}
