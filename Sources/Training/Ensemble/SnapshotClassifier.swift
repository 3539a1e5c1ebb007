import EventStore
import Metrics
import NN
import Physics
import Support

/// The snapshot classifier metric (`score = ["classifier"]`): a small real-vs-generated classifier
/// (NN/BinaryClassifier: 2 × 32 leaky-ReLU units, 5 epochs, batch 256, Adam 1e-3) trained afresh
/// on every snapshot's validation sample against the held-out real rows, on every feature column
/// and every derived quantity they allow. The score term is its held-out AUC − 0.5 (0 when the
/// samples cannot be told apart; ≈ 0.5 when they separate perfectly). The split, the
/// initialisation and the batch order come from the run's seed, the same for every snapshot, so
/// two snapshots differ only by their samples. Rank 0 of the group computes it.
public struct SnapshotClassifier {
    public static let trainFraction = 0.7
    /// The quantities the classifier sees.
    public let names: [String]
    public let settings: BinaryClassifier.Settings
    /// Rows per sample (the leading rows of each).
    public let rows: Int
    /// The reference (held-out real) rows' `names`, row-major.
    private let reference: [Float]
    private let referenceRows: Int
    /// The columns playing the physics roles (derived quantities are computed from them).
    private let roles: ColumnRoles

    /// `reference`: the held-out real rows in the rotation frame (`frameColumns`).
    public init(reference table: EventTable, features: [String], rows: Int, seed: UInt64,
                roles: ColumnRoles = ColumnRoles()) throws {
        let derived = DerivedQuantity.allCases.filter { table.isComputable($0, roles: roles) }.map(\.rawValue)
        self.roles = roles
        names = features + derived.filter { !features.contains($0) }
        settings = BinaryClassifier.Settings(seed: seed)
        self.rows = rows
        referenceRows = min(rows, table.rows)
        reference = try SnapshotClassifier.matrix(table, names: names, rows: referenceRows, roles: roles)
    }

    /// The held-out AUC − 0.5 of a classifier separating the reference from `generated`
    /// (rotation-frame columns); NaN when either sample has fewer than 10 rows.
    public func term(_ generated: EventTable) throws -> Double {
        let n = min(referenceRows, generated.rows)
        guard n >= 10 else { return .nan }
        let k = names.count
        let x = Array(reference[0..<(n * k)]) + (try SnapshotClassifier.matrix(generated, names: names, rows: n, roles: roles))
        let held = try BinaryClassifier.twoSample(x, rows: n, width: k, trainFraction: SnapshotClassifier.trainFraction,
                                                  settings: settings)
        return ROCArea.auc(scores: held.scores, positive: held.positive) - 0.5
    }

    /// The leading `rows` rows of the named quantities, row-major.
    static func matrix(_ table: EventTable, names: [String], rows: Int, roles: ColumnRoles) throws -> [Float] {
        let head = table.slice(0..<min(rows, table.rows))
        var x = [Float](repeating: 0, count: head.rows * names.count)
        for (j, name) in names.enumerated() {
            for (r, v) in try head.quantity(name, roles: roles).enumerated() { x[r * names.count + j] = Float(v) }
        }
        return x
    }
}
