import Comm
import EventStore
import Foundation
import Support

extension GenerateRun {
    /// Rank 0: every complete shard's guard counts (this run's, or the earlier run's for a kept
    /// shard) and their total in the manifest.
    func recordGuard(_ manifest: inout GenerationManifest, outcome: Outcome, earlier: [GenerationManifest.Shard]) {
        let columns = model.mapping.columns
        var total = GenerationManifest.GuardCounts(SupportGuard.Counts(columns: columns.count), columns: columns)
        for s in manifest.shards.indices where manifest.shards[s].sha256 != nil {
            let counts = outcome.guardCounts.indices.contains(s) ? outcome.guardCounts[s] : nil
            manifest.shards[s].support = counts.map { GenerationManifest.GuardCounts($0, columns: columns) }
                ?? (earlier.indices.contains(s) ? earlier[s].support : nil)
            if let c = manifest.shards[s].support { total.add(c) }
        }
        manifest.supportGuard?.total = total
    }

    /// The log's one line on the guard (nil without one).
    func guardLine(_ manifest: GenerationManifest) -> String? {
        guard let g = manifest.supportGuard, let t = g.total else { return nil }
        let fraction = Double(t.rejectedEvents) / Double(max(manifest.events, 1)) * 100
        let columns = t.rejectedByColumn.filter { $0.value > 0 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map { "\($0.key) \($0.value)" }
        return "support guard: \(t.rejectedEvents) of \(manifest.events) events (\(fraction.formatted(4)) %) fell outside the "
            + "training range ± \(g.margin.formatted(2)) × its width and were redrawn (\(t.redraws) draws"
            + (columns.isEmpty ? ")" : "; rejected draws by column: \(columns.joined(separator: ", ")))")
    }

    /// Per shard of the plan, the guard counts of the ranks that generated it (one owner each),
    /// combined with one allreduce; nil for shards this run did not generate.
    func combineGuard(_ local: [Int: SupportGuard.Counts], shards: Int) throws -> [SupportGuard.Counts?] {
        guard model.supportGuard != nil else { return Array(repeating: nil, count: shards) }
        let k = model.mapping.columns.count, stride = k + 3
        var words = [Int64](repeating: 0, count: shards * stride)
        for (s, counts) in local {
            words[s * stride] = 1
            for (i, w) in counts.words.enumerated() { words[s * stride + 1 + i] = w }
        }
        try comm.allreduce(&words, op: .sum)
        return (0..<shards).map { s in
            words[s * stride] == 0 ? nil : SupportGuard.Counts(words: words[(s * stride + 1)..<((s + 1) * stride)])
        }
    }
}
