import Comm
import Foundation
import Support

/// Every scored snapshot of an ensemble run, ranked, so the best generator can be chosen (and
/// re-chosen by `latentsim select` with another metric) without retraining.
///
/// Entry points for `latentsim ensemble` (same module):
/// - `Leaderboard.load(run:quantities:)` reads RUN/restarts/*/snapshots.jsonl and result.json;
/// - `ranked(by:)` orders the entries, `selection(by:)` picks the best installable one;
/// - `write(run:metric:)` writes RUN/leaderboard.json and .csv, `formattedTable(metric:top:)` the console table;
/// - `Leaderboard.installBest(run:entry:metric:)` installs RUN/best/ atomically.
public struct Leaderboard {
    public enum Metric: String, CaseIterable {
        /// Lowest sum of the score quantities' KS statistics.
        case ksSum = "ks-sum"
        /// The DY-GAN paper's criterion: per quantity, every non-diverged snapshot of the whole
        /// ensemble is ranked by its KS (1 = lowest, ties share the average rank); lowest sum wins.
        /// Unlike ks-sum it is not dominated by the quantity with the largest KS scale.
        case rankSum = "rank-sum"

        public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    /// One scored snapshot. `ks` follows the leaderboard's `quantities`; NaN means missing.
    public struct Entry: Equatable {
        public let restart: Int
        public let step: Int
        public let quantities: [String]
        public let ks: [Double]
        /// Weight of each quantity in the sums (`score_weights`; empty: all 1).
        public let weights: [Double]
        /// Weighted sum of `ks` over the score quantities (NaN when one is missing).
        public let ksSum: Double
        /// Sum over quantities of this snapshot's rank in the ensemble (NaN when diverged).
        public var rankSum: Double = .nan
        /// Diverged as recorded by the trainer, or not scorable: a score quantity's KS is missing.
        public let diverged: Bool
        public let reason: String
        /// The restart was stopped early by the trainer's pruning (its snapshots stay eligible).
        public let pruned: Bool
        /// The snapshot's checkpoint file still exists (only the top-k are kept during training).
        public let stored: Bool
        /// Path of the checkpoint relative to the run directory, e.g. restarts/003/snapshot-00001200.h5.
        public let snapshot: String

        public init(restart: Int, step: Int, quantities: [String], ks: [Double], diverged: Bool, reason: String = "",
             pruned: Bool = false, stored: Bool = true, directory: String? = nil, weights: [Double] = []) {
            self.restart = restart
            self.step = step
            self.quantities = quantities
            self.ks = ks
            self.weights = weights
            ksSum = ks.indices.reduce(0) { $0 + (weights.isEmpty ? 1 : weights[$1]) * ks[$1] }
            let missing = zip(quantities, ks).first { !$0.1.isFinite }?.0
            self.diverged = diverged || missing != nil
            self.reason = diverged ? reason : missing.map { "KS of '\($0)' missing or not finite" } ?? ""
            self.pruned = pruned
            self.stored = stored
            snapshot = Leaderboard.snapshotPath(directory: directory ?? RestartFiles.directoryName(restart), step: step)
        }

        public func value(_ metric: Metric) -> Double { metric == .ksSum ? ksSum : rankSum }

        /// A selectable snapshot: scored and its checkpoint file exists.
        public var isSelectable: Bool { !diverged && stored }
    }

    public let quantities: [String]
    /// In load order (restart, then step); `rankSum` filled in.
    public let entries: [Entry]
    /// Lines skipped while reading (truncated or damaged records), for the console.
    public var warnings: [String] = []

    /// Computes the rank sums over all non-diverged entries.
    public init(quantities: [String], entries: [Entry], warnings: [String] = []) {
        self.quantities = quantities
        self.warnings = warnings
        var ranked = entries
        let scored = entries.indices.filter { !entries[$0].diverged }
        for i in scored { ranked[i].rankSum = 0 }
        for q in quantities.indices {
            let order = scored.sorted { entries[$0].ks[q] < entries[$1].ks[q] }
            var start = 0
            while start < order.count {
                var end = start
                while end + 1 < order.count, entries[order[end + 1]].ks[q] == entries[order[start]].ks[q] { end += 1 }
                // Positions start…end (0-based) share the average of ranks start+1 … end+1.
                let rank = Double(start + end + 2) / 2
                for k in start...end { ranked[order[k]].rankSum += rank * (entries[order[k]].weights.isEmpty ? 1 : entries[order[k]].weights[q]) }
                start = end + 1
            }
        }
        self.entries = ranked
    }

    /// Best first: scored entries by the metric (ties: lower restart, then lower step), then the
    /// diverged ones by restart and step.
    public func ranked(by metric: Metric) -> [Entry] {
        entries.sorted { a, b in
            if a.diverged != b.diverged { return !a.diverged }
            if !a.diverged, a.value(metric) != b.value(metric) { return a.value(metric) < b.value(metric) }
            return (a.restart, a.step) < (b.restart, b.step)
        }
    }

    /// The best entry that can be installed: scored and still stored.
    public func best(by metric: Metric) -> Entry? { ranked(by: metric).first(where: \.isSelectable) }

    /// `best(by:)`, or the reason nothing can be selected.
    public func selection(by metric: Metric, run: String) throws -> Entry {
        if let entry = best(by: metric) { return entry }
        let diverged = entries.filter(\.diverged).count
        if entries.isEmpty {
            throw InputError("no snapshot can be selected: '\(run)' has no scored snapshots (restarts/*/snapshots.jsonl "
                             + "are missing or empty); let `latentsim ensemble` run past its first snapshot_every steps",
                             exitCode: ExitStatus.dataError)
        }
        if diverged == entries.count {
            throw InputError("no snapshot can be selected: all \(entries.count) snapshots diverged; lower the learning "
                             + "rate or change the seeds and rerun `latentsim ensemble`", exitCode: ExitStatus.dataError)
        }
        throw InputError("no snapshot can be selected: none of the \(entries.count - diverged) scored snapshots "
                         + "(\(diverged) diverged) has its checkpoint file under '\(run)/restarts/'; the files were deleted "
                         + "or the run was copied without them", exitCode: ExitStatus.noInput)
    }

    public static func snapshotPath(directory: String, step: Int) -> String {
        "restarts/\(directory)/" + RestartFiles.snapshotName(step: step)
    }
}
