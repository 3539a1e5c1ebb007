import EventStore
import Support

extension Representation {
    /// The jet-pT roles in their order, leading first.
    static let jetRoles = ColumnRoles.all.filter { $0.hasPrefix("jet") }

    /// The `ordered` step (empty without the option). Refused with one line: fewer than two
    /// names, a name that is neither a feature nor a role one of them plays, a column listed
    /// twice, jet roles out of their order (jet3_pt before jet2_pt), and a column after the first
    /// also under log1p or zero_spike (its value becomes a ratio in [0, 1], −1 when absent).
    public func orderedSteps(features: [String], roles: ColumnRoles = ColumnRoles()) throws -> [PreprocessingStep] {
        guard !ordered.isEmpty else { return [] }
        func bad(_ text: String) -> InputError { InputError(text, exitCode: ExitStatus.usage) }
        guard ordered.count >= 2 else {
            throw bad("ordered expects at least two columns, leading first (e.g. [\"jet1_pt\", \"jet2_pt\", \"jet3_pt\"]), found 1: "
                      + "\(ordered[0]); list the whole sequence or set ordered = []")
        }
        let columns = try ordered.map { name -> String in
            if features.contains(name) { return name }
            if let column = roles.column(name, in: features) { return column }
            throw bad("ordered column '\(name)' is not among the features \(features.joined(separator: ",")) and no feature plays "
                      + "that role; remove it from ordered or add it to columns")
        }
        var seen = Set<String>()
        if let twice = columns.first(where: { !seen.insert($0).inserted }) {
            throw bad("ordered lists column '\(twice)' twice; expected each column once; remove the repeat")
        }
        let jetRank = columns.map { roles.role(of: $0, in: features).flatMap { Representation.jetRoles.firstIndex(of: $0) } }
        func named(_ k: Int) -> String {
            let role = Representation.jetRoles[jetRank[k]!]
            return columns[k] == role ? role : "\(columns[k]) (role \(role))"
        }
        for k in 1..<columns.count {
            if let a = jetRank[k - 1], let b = jetRank[k], b < a {
                throw bad("ordered lists \(named(k - 1)) before \(named(k)); expected the jets leading first "
                          + "(\(Representation.jetRoles.joined(separator: ", "))); reorder ordered")
            }
        }
        for name in columns.dropFirst() {
            for (option, list) in [("zero_spike", zeroSpike), ("log1p", log1p)] where list.contains(name) {
                throw bad("'\(name)' is listed in both ordered and \(option); ordered makes it a ratio in [0, 1] (-1 when absent), "
                          + "which \(option) does not expect; remove it from \(option)")
            }
        }
        return [.ordered(columns)]
    }
}
