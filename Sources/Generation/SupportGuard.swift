import Comm
import EventStore
import Foundation
import Support

/// `generate`'s support guard: an event with any column outside [min − m·(max − min),
/// max + m·(max − min)] of the training table's range (`SupportRange`, stored with the model) is
/// rejected and redrawn, so the requested count is kept. Flows make a few such events per 200k
/// (muon px/py up to 11 TeV where the table's largest is 594 GeV), which no KS sees but which move
/// the Pearson correlations and any cut on the tails. A NaN is outside too.
///
/// Redraw a of event i (a = 1, 2, …) is a pure function of (model, seed, i, a): its noise and its
/// inverse preprocessing (azimuth, smearing) use Philox streams keyed by `redrawSeed(seed, a)`,
/// stream i, one row at a time. The first draw of every event is untouched, so the accepted events
/// are bit for bit those of an unguarded run, and the output stays the same for any rank count or
/// layout. After `maxRedraws` redraws of one event the run gives up (`giveUp`).
public struct SupportGuard: Sendable {
    /// The margin m `generate` uses unless told otherwise (`--support-margin`, [generate] support_margin).
    /// Measured (report guard.md): 200k fresh real DY events, the training table's range fitted on
    /// 400k others: 21 fall outside at m = 0, 1 at 0.1, none at 0.25, 0.5 or 1; the flows' far
    /// outliers (TeV) go at every margin, 0.25 redraws 11–13 of 200k events of the two flow picks.
    public static let defaultMargin = 0.25
    /// Redraws of one event before giving up: a model whose events pass with probability p fails an
    /// event with probability (1 − p)^32 (p = 0.5: 2.3e-10), so only models making mostly
    /// out-of-range events stop.
    public static let maxRedraws = 32

    public let range: SupportRange
    public let margin: Double
    public let low: [Double]
    public let high: [Double]

    /// What the guard did: events whose first draw was rejected, replacement draws made, and per
    /// column the rejected draws (first draws and redraws) with that column outside.
    public struct Counts: Equatable, Sendable {
        public var rejectedEvents = 0
        public var redraws = 0
        public var byColumn: [Int]

        public init(columns: Int) { byColumn = Array(repeating: 0, count: columns) }

        public mutating func add(_ other: Counts) {
            rejectedEvents += other.rejectedEvents
            redraws += other.redraws
            for j in byColumn.indices { byColumn[j] += other.byColumn[j] }
        }

        /// rejectedEvents, redraws, byColumn… as one flat vector (for allreduce).
        public var words: [Int64] { [Int64(rejectedEvents), Int64(redraws)] + byColumn.map(Int64.init) }
        public init(words: ArraySlice<Int64>) {
            let w = Array(words)
            rejectedEvents = Int(w[0])
            redraws = Int(w[1])
            byColumn = w.dropFirst(2).map(Int.init)
        }
    }

    public init(range: SupportRange, margin: Double) {
        precondition(margin >= 0 && margin.isFinite, "the support margin must be a finite fraction ≥ 0")
        self.range = range
        self.margin = margin
        (low, high) = range.bounds(margin: margin)
    }

    /// Marks the columns of `row` outside the accepted interval in `counts`; true when there is one.
    @inline(__always)
    public func rejects(_ row: UnsafePointer<Float>, counting counts: inout Counts) -> Bool {
        var outside = false
        for j in low.indices {
            let x = Double(row[j])
            if !(x >= low[j] && x <= high[j]) { counts.byColumn[j] += 1; outside = true }
        }
        return outside
    }

    /// The key of redraw `attempt` (≥ 1) of every event under `seed`: one Philox block of (seed, attempt)
    /// on a fixed counter word ("RDRW"), so redraw keys never coincide with one another.
    public static func redrawSeed(_ seed: UInt64, attempt: Int) -> UInt64 {
        let key = Philox(seed: seed, stream: 0).key
        let b = Philox.block((UInt32(truncatingIfNeeded: attempt), 0x5244_5257, 0, 0), key)
        return UInt64(b.0) << 32 | UInt64(b.1)
    }

    /// The one line of a run that gave up on event `row` (`values`: its last draw).
    public func giveUp(row: Int, values: UnsafePointer<Float>) -> InputError {
        let j = low.indices.first { !(Double(values[$0]) >= low[$0] && Double(values[$0]) <= high[$0]) } ?? 0
        return InputError("support guard: event \(row) was still outside the training range ± \(margin) × its width after "
                          + "\(SupportGuard.maxRedraws) redraws (last draw: \(range.columns[j]) outside [\(low[j].formatted(3)), "
                          + "\(high[j].formatted(3))]); the model makes mostly out-of-range events: check it, or widen "
                          + "--support-margin, or pass --no-support-guard", exitCode: ExitStatus.dataError)
    }
}
