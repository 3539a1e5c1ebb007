import EventStore
import Physics
import Support

/// Two score names beyond quantities, and per-quantity weights:
/// - `all`: every feature column and every derived quantity the columns allow (mll, ptll, met, …),
///   in that order; it may be combined with other names (each quantity counts once).
/// - `classifier`: the snapshot classifier's held-out AUC − 0.5 (`SnapshotClassifier`), 0 for
///   indistinguishable samples; alone (`score = ["classifier"]`) or added to a KS sum.
/// - `score_weights = {ptll = 2.0}`: a quantity's KS (or the classifier term) counts that many
///   times in the snapshot's sum and rank sum; unnamed ones count once.
extension ScoreChoice {
    public static let all = "all"
    public static let classifier = "classifier"

    /// `resolve` with `all` expanded and `classifier` kept at the end; the weights must name
    /// scored quantities and be finite and ≥ 0.
    public static func resolveAll(requested: [String], isDefault: Bool, weights: [String: Double], frameColumns: [String],
                                  features: [String], data: String, roles: ColumnRoles = ColumnRoles()) throws -> ScoreChoice {
        let probe = EventTable(columns: frameColumns, rows: 0)
        let derived = DerivedQuantity.allCases.filter { probe.isComputable($0, roles: roles) }.map(\.rawValue)
        var expanded: [String] = []
        for name in requested where name != classifier {
            for q in name == all ? features + derived : [name] where !expanded.contains(q) { expanded.append(q) }
        }
        var choice = expanded.isEmpty ? ScoreChoice(names: [])
            : try resolve(requested: expanded, isDefault: isDefault, frameColumns: frameColumns, features: features, data: data,
                            roles: roles)
        if requested.contains(classifier) { choice.names.append(classifier) }
        for (name, weight) in weights.sorted(by: { $0.key < $1.key }) {
            guard choice.names.contains(name) else {
                throw InputError("score_weights names '\(name)', which is not scored (score: \(choice.names.joined(separator: ","))); "
                                 + "weight only scored quantities, or add '\(name)' to score", exitCode: ExitStatus.usage)
            }
            guard weight.isFinite, weight >= 0 else {
                throw InputError("score_weights gives '\(name)' the weight \(weight); expected a finite number ≥ 0",
                                 exitCode: ExitStatus.usage)
            }
        }
        return choice
    }

    /// The weight of each name (1 where `weights` names none).
    public static func weights(_ names: [String], _ weights: [String: Double]) -> [Double] {
        names.map { weights[$0] ?? 1 }
    }
}
