import Foundation
import Support

/// Settings sized for a large table meet a small one (an analysis selection of 1–20k rows): what
/// the table cannot support is clipped with a one-line note, what cannot work is refused with the
/// fix. Checked once the training and held-out rows are counted, before RUN/ is written.
extension GANSettings {
    /// Fewest held-out rows a snapshot is scored against: below 50 the two-sample KS critical
    /// value (p = 0.05) is above 0.19, so the score could not tell a good snapshot from a poor one.
    public static let minimumHeldOutRows = 50
    /// Fewest training rows a restart trains on.
    public static let minimumTrainingRows = 50
    /// Generated validation events per held-out row beyond which the snapshot KS stops improving:
    /// its noise goes like sqrt(1/n + 1/m), so above m = 20 n it shrinks by less than 2.5 %.
    public static let validationPerHeldOutRow = 20

    /// These settings with batch, validation_events and top_k clipped to what `trainingRows` and
    /// `heldOutRows` (global counts, after the split) support, and one `note:` line per clip.
    /// Throws (exit 65) when the split leaves too few rows on either side.
    public func fitted(trainingRows: Int, heldOutRows: Int) throws -> (settings: GANSettings, notes: [String]) {
        try checkSplit(trainingRows: trainingRows, heldOutRows: heldOutRows)
        var s = self
        var notes: [String] = []
        // A GAN step takes batch/2 real rows (the other half generated); a VAE or flow step takes batch real rows.
        let wholeBatch = model == .vae || model == .flow, realPerRow = wholeBatch ? 1 : 2
        if batch / realPerRow > trainingRows {
            s.batch = realPerRow * trainingRows
            notes.append(wholeBatch
                ? "note: batch \(batch) is larger than the \(trainingRows) training rows; clipped to \(s.batch) (every training row in each step)"
                : "note: batch \(batch) takes \(batch / 2) real rows per step but there are \(trainingRows) training rows; "
                    + "clipped to \(s.batch) (every training row in each step)")
        }
        let resolvable = Self.validationPerHeldOutRow * heldOutRows
        if validationEvents > resolvable {
            s.validationEvents = resolvable
            notes.append("note: validation_events \(validationEvents) is more than \(heldOutRows) held-out rows can resolve "
                         + "(the snapshot KS noise shrinks by less than 2.5 % above \(Self.validationPerHeldOutRow) × \(heldOutRows)); "
                         + "clipped to \(resolvable)")
        }
        let snapshots = (steps + snapshotEvery - 1) / snapshotEvery
        if topK > snapshots {
            s.topK = snapshots
            notes.append("note: top_k \(topK) is more than the \(snapshots) snapshot(s) a restart scores (steps \(steps), "
                         + "snapshot_every \(snapshotEvery)); clipped to \(snapshots)")
        }
        return (s, notes)
    }

    /// The held-out split leaves at least `minimumHeldOutRows` to score against and
    /// `minimumTrainingRows` to train on, or the refusal names the holdout (or table) that would.
    func checkSplit(trainingRows: Int, heldOutRows: Int) throws {
        let total = trainingRows + heldOutRows
        // Full space splits by its own holdout; latent space uses the split its reducer was trained with.
        let knob = space == .latent ? "the reducer's held-out split" : "holdout = \(holdout)"
        let setting = { (value: String) in space == .latent ? "retrain the reducer with --holdout \(value)" : "use holdout = \(value)" }
        // The split is a per-row hash, so the fixes ask for a fifth more than the minimum on average.
        let heldNeeded = Self.withMargin(Self.minimumHeldOutRows), trainNeeded = Self.withMargin(Self.minimumTrainingRows)
        let larger = "use a table of at least \(heldNeeded + trainNeeded) rows"
        if heldOutRows < Self.minimumHeldOutRows {
            let percent = (100 * heldNeeded + total - 1) / total  // rounded up
            let fix = percent < 100 && total * (100 - percent) / 100 >= trainNeeded
                ? "\(setting(Self.fraction(percent))) (about \(total * percent / 100) rows)" : larger
            throw InputError("\(knob) holds out \(heldOutRows) of the \(total) rows of '\(data)'; scoring snapshots needs at least "
                             + "\(Self.minimumHeldOutRows) held-out rows; \(fix)", exitCode: ExitStatus.dataError)
        }
        if trainingRows < Self.minimumTrainingRows {
            let percent = 100 - (100 * trainNeeded + total - 1) / total  // rounded down
            let fix = percent > 0 && total * percent / 100 >= heldNeeded
                ? "\(setting(Self.fraction(percent))) (about \(total * percent / 100) held-out rows)" : larger
            throw InputError("\(knob) leaves \(trainingRows) of the \(total) rows of '\(data)' to train on; at least "
                             + "\(Self.minimumTrainingRows) training rows are needed; \(fix)", exitCode: ExitStatus.dataError)
        }
    }

    /// A minimum with a fifth more (rounded up): what a hashed split reaches on average with room to spare.
    static func withMargin(_ rows: Int) -> Int { (rows * 6 + 4) / 5 }

    /// 20 → "0.2", 3 → "0.03": a percentage as a job file's fraction.
    static func fraction(_ percent: Int) -> String {
        percent % 10 == 0 ? "0.\(percent / 10)" : String(format: "0.%02d", percent)
    }
}
