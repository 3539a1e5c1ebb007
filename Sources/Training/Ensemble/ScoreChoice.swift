import EventStore
import Physics
import Support

/// The quantities snapshots are scored on, for the columns the generator learns (in the rotation
/// frame: the features, plus mu2_py when rotated). A quantity is available when it is one of those
/// columns or a derived quantity whose inputs all are.
///
/// - An explicit score (job file or --score) must be available whole; otherwise it is refused
///   before anything is written, naming what is available.
/// - The default score (mll, phi_miss, mu1_iso) adapts to a table it does not fit, with a one-line
///   note: its available quantities; else every derived quantity available; else every feature
///   column (the per-column KS sum).
///
/// Records, the leaderboard and `select` take the chosen names as written in snapshots.jsonl.
public struct ScoreChoice: Equatable {
    public var names: [String]
    /// What was scored instead of the default score, and why (nil when the requested score was used).
    public var note: String?

    public init(names: [String], note: String? = nil) {
        self.names = names
        self.note = note
    }

    /// `frameColumns`: the columns quantities are computed from; `features`: the per-column KS
    /// columns; `data`: the training table, named in the refusal; `roles`: which columns the
    /// derived quantities are computed from.
    public static func resolve(requested: [String], isDefault: Bool, frameColumns: [String], features: [String],
                               data: String, roles: ColumnRoles = ColumnRoles()) throws -> ScoreChoice {
        let probe = EventTable(columns: frameColumns, rows: 0)
        let derived = DerivedQuantity.allCases.filter { probe.isComputable($0, roles: roles) }.map(\.rawValue)
        let requested = requested.map { roles.resolve($0, in: frameColumns) }
        let available = frameColumns + derived
        let missing = requested.filter { !available.contains($0) }
        guard !missing.isEmpty else { return ScoreChoice(names: requested) }
        guard isDefault else {
            let reasons = missing.map { name -> String in
                guard let quantity = DerivedQuantity(rawValue: name) else { return "'\(name)' is neither a column nor a derived quantity" }
                let lacking = quantity.inputs.filter { roles.column($0, in: frameColumns) == nil }
                return "'\(name)' needs \(lacking.joined(separator: ", ")), which the columns lack"
            }
            throw InputError("cannot score on \(requested.joined(separator: ",")) with the training columns of '\(data)': "
                             + reasons.joined(separator: "; ") + "; available: \(available.joined(separator: ", ")); "
                             + "choose the score among those (--score, or score in the job file)", exitCode: ExitStatus.usage)
        }
        let head = "note: the default score \(requested.joined(separator: ",")) needs \(missing.joined(separator: ",")), "
            + "which the training columns lack"
        let kept = requested.filter(available.contains)
        if !kept.isEmpty { return ScoreChoice(names: kept, note: head + "; scoring on \(kept.joined(separator: ","))") }
        if !derived.isEmpty {
            return ScoreChoice(names: derived, note: head + "; scoring on the derived quantities they allow: "
                               + derived.joined(separator: ","))
        }
        return ScoreChoice(names: features, note: head + ", and no derived quantity can be computed from them; scoring on "
                           + "the KS sum over every column: \(features.joined(separator: ","))")
    }
}
