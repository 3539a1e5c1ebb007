import Physics
import Support

/// Re-ranking on another score than the ensemble trained with (`select --score`): every snapshot
/// record holds the KS of every column (`ks_columns`) and of every derived quantity the columns allow
/// (`ks`, `ks_derived`), so any of them, `all`, or `classifier` when it was scored, can rank the
/// snapshots without retraining. Records written before `ks_derived` existed hold only the score's
/// quantities and the columns: a quantity they lack is refused in one line, naming the record.
extension Leaderboard {
    /// `requested` with `all` expanded (every column in the records' order, then every derived
    /// quantity, as `score = ["all"]` orders them) and repeats dropped, each checked to be held by every
    /// record that did not diverge (diverged ones hold no values and cannot be selected anyway).
    static func rescoring(_ requested: [String], records: [Record], restarts: String) throws -> [String] {
        let scorable = records.filter { !$0.diverged }
        func path(_ r: Record) -> String { "\(restarts)/\(r.directory)/snapshots.jsonl" }
        func holds(_ r: Record) -> String {
            r.held.map(\.key).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: ", ")
        }
        var names: [String] = []
        for name in requested {
            guard name == ScoreChoice.all else {
                if !names.contains(name) { names.append(name) }
                continue
            }
            if let old = scorable.first(where: { !$0.holdsEveryDerived }) {
                throw InputError("score all needs the KS of every derived quantity, but the record of step \(old.step) in "
                                 + "'\(path(old))' holds only its score's and the columns' (written before snapshot records "
                                 + "held every derived quantity); re-rank on quantities it holds: \(holds(old))",
                                 exitCode: ExitStatus.usage)
            }
            guard let first = scorable.first else { continue }
            let derived = DerivedQuantity.allCases.map(\.rawValue).filter { q in first.held.contains { $0.key == q } }
            for q in first.columns + derived where !names.contains(q) { names.append(q) }
        }
        for name in names {
            guard let lacking = scorable.first(where: { r in !r.held.contains { $0.key == name } }) else { continue }
            let why = lacking.holdsEveryDerived
                ? "it is neither a column nor a derived quantity the columns allow, nor a scored classifier term"
                : "written before snapshot records held every derived quantity"
            throw InputError("score quantity '\(name)' has no KS value in the record of step \(lacking.step) in '\(path(lacking))' "
                             + "(\(why)); re-rank on quantities it holds: \(holds(lacking))", exitCode: ExitStatus.usage)
        }
        return names
    }
}
