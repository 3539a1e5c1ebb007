import EventStore
import Support

/// The built-in 13 TeV event generator, the project's embedded default dataset.
///
/// Event `i` draws only from `Philox(seed: seed, stream: i, substream: attempt)`, where attempt
/// 0, 1, 2, … are successive tries until the muons pass acceptance, so every event is
/// bit-identical whichever range or rank produces it: a table depends only on (process, rows, seed).
public struct EventGenerator: Sendable {
    /// Column names, in row order (energies and momenta in GeV).
    public static let columns: [String] = [
        "mu1_E", "mu1_px", "mu1_py", "mu1_pz",
        "mu2_E", "mu2_px", "mu2_py", "mu2_pz",
        "nvtx", "met_px", "met_py", "mu1_iso", "mu2_iso",
        "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt",
    ]
    static let width = 18

    public let process: PhysicsProcess
    public let seed: UInt64
    let model: ProcessModel
    let detector = DetectorModel()

    public init(process: PhysicsProcess, seed: UInt64) {
        self.process = process
        self.seed = seed
        model = ProcessModel(process)
    }

    /// Writes events `rows` (global indices) into `out` as rows.count × 18 floats, row-major.
    public func fill(rows: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(rows.lowerBound >= 0, "event indices must be non-negative")
        precondition(out.count >= rows.count * EventGenerator.width, "buffer too small for \(rows.count) events")
        guard let base = out.baseAddress else { return }
        var row = base
        for i in rows {
            generateEvent(UInt64(i), into: row)
            row += EventGenerator.width
        }
    }

    /// Events `rows` as a table whose `firstRow` is `rows.lowerBound`.
    public func generate(rows: Range<Int>) -> EventTable {
        var values = [Float](repeating: 0, count: rows.count * EventGenerator.width)
        values.withUnsafeMutableBufferPointer { fill(rows: rows, into: $0) }
        return EventTable(columns: EventGenerator.columns, rows: rows.count, values: values,
                          firstRow: rows.lowerBound)
    }

    /// Event `index`: retry with the next substream until the muons pass acceptance, then
    /// simulate the rest of the detector on the same stream.
    @inline(__always)
    func generateEvent(_ index: UInt64, into row: UnsafeMutablePointer<Float>) {
        var attempt: UInt32 = 0
        while true {
            var rng = Philox(seed: seed, stream: index, substream: attempt)
            if let dimuon = attemptDimuon(&rng) {
                simulateDetector(dimuon, &rng, into: row)
                return
            }
            attempt &+= 1
        }
    }
}
