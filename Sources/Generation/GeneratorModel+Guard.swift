import EventStore
import Foundation
import NN
import Support

extension GeneratorModel {
    /// The chunk `physical` (global rows `rows`) with every row the support guard rejects replaced
    /// by its first accepted redraw (`SupportGuard`); the chunk itself when none is rejected.
    func guarded(_ physical: UnsafeBufferPointer<Float>, rows: Range<Int>, seed: UInt64,
                 by supportGuard: SupportGuard) throws -> UnsafeBufferPointer<Float> {
        let k = mapping.columns.count
        var rejected: [Int] = []
        for r in 0..<rows.count where supportGuard.rejects(physical.baseAddress! + r * k, counting: &guardCounts) {
            rejected.append(r)
        }
        guard !rejected.isEmpty else { return physical }
        // Redraws reuse the mapping's buffers that `physical` lives in: the chunk is copied out first.
        guardedRows.baseAddress!.update(from: physical.baseAddress!, count: rows.count * k)
        guardCounts.rejectedEvents += rejected.count
        for r in rejected { try redraw(row: rows.lowerBound + r, into: guardedRows.baseAddress! + r * k, seed: seed, by: supportGuard) }
        return UnsafeBufferPointer(start: guardedRows.baseAddress, count: rows.count * k)
    }

    /// Draws global row `row` again, one row at a time on redraw keys 1, 2, … (`SupportGuard.redrawSeed`),
    /// until a draw is accepted (written to `destination`) or `maxRedraws` were rejected (throws `giveUp`).
    private func redraw(row: Int, into destination: UnsafeMutablePointer<Float>, seed: UInt64, by supportGuard: SupportGuard) throws {
        let k = mapping.columns.count
        var last: UnsafeBufferPointer<Float>? = nil
        for attempt in 1...SupportGuard.maxRedraws {
            let key = SupportGuard.redrawSeed(seed, attempt: attempt)
            Philox.fillNormalRows(sampler.noise(batch: 1), width: noiseWidth, firstRow: row, seed: key,
                                  substream: GeneratorModel.noiseSubstream)
            let block = sampler.run(batch: 1, packed: samplerWeights)
            let drawn = try mapping.physical(UnsafeBufferPointer(start: block.baseAddress, count: sampler.outputWidth), rows: 1,
                                             firstRow: row, seed: key)
            guardCounts.redraws += 1
            if !supportGuard.rejects(drawn.baseAddress!, counting: &guardCounts) {
                destination.update(from: drawn.baseAddress!, count: k)
                return
            }
            last = drawn
        }
        throw supportGuard.giveUp(row: row, values: last!.baseAddress!)
    }

    /// What the guard did since the last call (and starts counting again from zero).
    public func takeGuardCounts() -> SupportGuard.Counts {
        defer { guardCounts = SupportGuard.Counts(columns: mapping.columns.count) }
        return guardCounts
    }
}
