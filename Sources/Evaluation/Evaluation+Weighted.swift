import Comm
import EventStore
import Foundation
import Metrics
import Physics
import Support

/// The figures of a reweighted generated table (`generate --reweight`: a `weight` column): per
/// quantity the weighted KS (each generated event counts with its weight) next to the plain one,
/// the classifier AUC with the generated rows weighted in training and in the AUC, and the
/// effective sample size (Σw)²/Σw² as a fraction of the events.
public struct WeightedEvaluation {
    public struct Row: Equatable {
        public let name: String
        public let ks: Double
        public let unweighted: Double
        public let floor: Double
    }

    public let rows: [Row]
    /// (Σw)²/Σw² over the generated events compared, as a fraction of them.
    public let essFraction: Double
    public let auc: Double?
    /// Std of the weighted AUC over bootstrap resamples of its held-out rows (each row keeps its weight).
    public let aucStd: Double?

    /// The quantities of `evaluation` (columns, then derived), weighted; `weights` has one value per generated row.
    public init(real: EventTable, generated: EventTable, weights: [Double], evaluation: Evaluation,
                classifier: ClassifierTwoSample.Settings?, roles: ColumnRoles = ColumnRoles()) throws {
        precondition(weights.count == generated.rows, "one weight per generated row")
        rows = try evaluation.rows.map { row in
            let ks = KolmogorovSmirnov.weightedStatistic(try real.quantity(row.name, roles: roles),
                                                         try generated.quantity(row.name, roles: roles), weights: weights)
            return Row(name: row.name, ks: ks, unweighted: row.ks, floor: row.floor)
        }
        essFraction = EffectiveSampleSize.fraction(weights)
        guard let settings = classifier else { auc = nil; aucStd = nil; return }
        let n = min(settings.rows, real.rows, generated.rows)
        let names = ClassifierTwoSample.inputs(quantities: evaluation.rows.map(\.name), columns: real.columns, roles: roles,
                                               muonMasses: settings.muonMasses, frame: settings.frame)
        let held = try ClassifierTwoSample.heldOutScores(real: ClassifierTwoSample.features(real, names: names, rows: n, roles: roles,
                                                                                                   frame: settings.frame),
                                                         generated: ClassifierTwoSample.features(generated, names: names, rows: n,
                                                                                                        roles: roles, frame: settings.frame),
                                                         generatedWeights: weights.prefix(n).map { Float($0) }, settings: settings)
        auc = ROCArea.auc(scores: held.scores, positive: held.positive, weights: held.weights)
        aucStd = WeightedEvaluation.bootstrapStd(held, seed: settings.classifier.seed)
    }

    /// The weighted AUC's std over `ClassifierTwoSample.bootstrapResamples` stratified resamples
    /// of the held-out rows, Philox(seed, stream r, "WBOT").
    static func bootstrapStd(_ held: ClassifierTwoSample.HeldOut, seed: UInt64) -> Double {
        let pos = held.positive.indices.filter { held.positive[$0] }, neg = held.positive.indices.filter { !held.positive[$0] }
        let resamples = ClassifierTwoSample.bootstrapResamples
        guard !pos.isEmpty, !neg.isEmpty else { return .nan }
        var values: [Double] = []
        for r in 0..<resamples {
            var rng = Philox(seed: seed, stream: UInt64(r), substream: 0x5742_4F54)  // "WBOT"
            let picked = pos.map { _ in pos[rng.below(pos.count)] } + neg.map { _ in neg[rng.below(neg.count)] }
            values.append(ROCArea.auc(scores: picked.map { held.scores[$0] }, positive: picked.map { held.positive[$0] },
                                      weights: picked.map { held.weights[$0] }))
        }
        let mean = values.reduce(0, +) / Double(resamples)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(resamples - 1)).squareRoot()
    }

    /// Console lines: the table, then ESS and AUC.
    public func lines() -> [String] {
        var out = ["weighted (column 'weight'):", "  quantity        KS weighted   KS plain   floor"]
        for row in rows {
            out.append("  " + row.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                       + String(format: "  %11.4f  %9.4f  %6.4f", row.ks, row.unweighted, row.floor))
        }
        out.append("  effective sample size (Σw)²/Σw²: \(essFraction.formatted(4)) of the events")
        if let auc, let aucStd { out.append("  weighted classifier AUC \(auc.formatted(4)) ± \(aucStd.formatted(4))") }
        return out
    }

    /// The report's `weighted` member.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("ks", .object(rows.map { (key: $0.name, value: JSONValue.finite($0.ks)) })),
            ("ess_fraction", .finite(essFraction)),
        ]
        if let auc, let aucStd { members += [("classifier_auc", .finite(auc)), ("classifier_auc_std", .finite(aucStd))] }
        return .object(members)
    }
}
