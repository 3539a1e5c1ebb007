import Comm
import NN
import Support

/// The random numbers of a training step, keyed by what they belong to rather than by who draws
/// them: row j of global step t for purpose p draws from its own Philox stream
/// (seed, t·2³² + j, substream p). A generated row, its interpolation ε, a VAE row's ε or a flow row's x₀ and t is then
/// the same whichever rank or worker trains that row, so a restart on 1, 2 or 3 ranks (or T
/// workers) follows one path up to the order of float sums.
enum TrainingNoise {
    /// Generated rows paired with the real rows of critic update c (substream + c).
    static let discriminator: UInt32 = 0x4400_0000
    /// WGAN-GP's interpolation ε of critic update c (substream + c).
    static let interpolation: UInt32 = 0x4500_0000
    /// The generator update's B noise rows.
    static let generator: UInt32 = 0x4700_0000
    /// A VAE row's reparameterisation ε.
    static let vae: UInt32 = 0x5600_0000
    /// A flow-matching row's x₀.
    static let flow: UInt32 = 0x4600_0000
    /// A flow-matching row's t.
    static let flowTime: UInt32 = 0x5400_0000
    /// The MMD term's real rows of step t (one stream (seed, t·2³²) for the whole batch, `MMDTerm`).
    static let mmd: UInt32 = 0x4D00_0000

    static func stream(step: Int, row: Int) -> UInt64 { UInt64(step) << 32 | UInt64(row) }

    /// Standard normal rows (`width` values each) for the global-batch `positions[0..<count]`.
    static func fill(_ out: UnsafeMutablePointer<Float>, width: Int, step: Int, positions: UnsafePointer<Int32>, count: Int,
                     seed: UInt64, purpose: UInt32) {
        for i in 0..<count {
            var rng = Philox(seed: seed, stream: stream(step: step, row: Int(positions[i])), substream: purpose)
            rng.fillNormal(UnsafeMutableBufferPointer(start: out + i * width, count: width))
        }
    }

    /// Standard normal rows for the contiguous global rows `rows` (bitwise the per-row streams above).
    static func fill(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, step: Int, rows: Range<Int>, seed: UInt64,
                     purpose: UInt32) {
        Philox.fillNormalRows(buffer, width: width, firstRow: Int(truncatingIfNeeded: stream(step: step, row: rows.lowerBound)),
                              seed: seed, substream: purpose)
    }

    /// The row's stream, for draws other than a normal fill (WGAN-GP's ε).
    static func rng(step: Int, row: Int, seed: UInt64, purpose: UInt32) -> Philox {
        Philox(seed: seed, stream: stream(step: step, row: row), substream: purpose)
    }
}

/// The Communicator sums gradients over its ranks for `GradientRule`.
extension Communicator: GradientSum {
    public var gradientRanks: Int { size }
    public func sumOverRanks(_ buffer: UnsafeMutableBufferPointer<Float>) throws { try allreduce(buffer, op: .sum) }
}
