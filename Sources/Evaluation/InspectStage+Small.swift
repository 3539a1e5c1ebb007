import Foundation

extension InspectStage {
    /// Below this many rows `inspect` recommends jobs/small.toml: an analysis selection (1–20k
    /// rows) trained with the defaults, which are sized for the 400k-row built-in table, misses
    /// narrow peaks and overfits (issue 14: mll KS 0.17 on 2,304 rows).
    public static let smallTableRows = 20_000

    /// The one-line recommendation for a table of `rows` rows, or nil for a large one.
    public static func smallTableAdvice(rows: Int, file: String) -> String? {
        guard rows < smallTableRows else { return nil }
        return "small table: \(rows) rows (< \(smallTableRows)); train it with the settings of jobs/small.toml, e.g. "
            + "`latentsim ensemble --config jobs/small.toml --data \(file) --out RUN`, then evaluate against RUN/heldout.h5"
    }
}
