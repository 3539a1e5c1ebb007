import EventStore
import NN
import Physics
import Support

extension ClassifierTwoSample {
    /// Rows per table by default (`--classifier-rows`).
    public static let defaultRows = 200_000
    /// The network by default (`--classifier-width`, `--classifier-depth`, `--classifier-epochs`):
    /// 3 × 128 leaky-ReLU units, batch 256, Adam 1e-3, at most 40 epochs (early stopping usually ends it
    /// sooner). Measured on quickstart events against 200k fresh ones without the muon masses: 3 × 64
    /// gave AUC 0.749 (patience 3) and 0.766 (patience 6), 2 × 128 0.762, 3 × 128 0.765 (patience 3)
    /// and 0.788 (patience 6, 38 epochs, ~27 s of one core): the strongest test within evaluate's budget.
    public static let defaultClassifier = BinaryClassifier.Settings(epochs: 40, batch: 256, hidden: [128, 128, 128], learningRate: 1e-3)
    /// Epochs without a lower validation cross-entropy before training stops (`--classifier-patience`):
    /// the loss falls slowly and noisily, and 3 stopped 3 × 64 and 3 × 128 networks too early (above).
    public static let defaultPatience = 6

    /// The classifier-only inputs: each muon's mass squared E² − px² − py² − pz² (GeV²), from the
    /// columns playing its four roles. Standardised separately, E and |p| (≈ 50 GeV wide) hide a
    /// difference E − |p| of about a GeV; given directly, a muon off its mass shell (≈ 0.011 GeV²)
    /// is plain to see.
    public static let muonMassInputs = [(name: "mu1_m2", object: "mu1"), (name: "mu2_m2", object: "mu2")]

    /// What the classifier sees: `quantities` (the report's columns and derived quantities; in
    /// mu2's azimuthal `frame` without the column playing mu2_py, 0 there), then, with `muonMasses`,
    /// each muon mass squared whose four roles are played by `columns` (and that is not itself among
    /// the quantities).
    public static func inputs(quantities: [String], columns: [String], roles: ColumnRoles, muonMasses: Bool,
                              frame: Bool = false) -> [String] {
        let dropped = frame ? AzimuthalFrame.referenceColumns(columns, roles: roles)?.py : nil
        let quantities = quantities.filter { $0 != dropped }
        guard muonMasses else { return quantities }
        return quantities + muonMassInputs.filter { input in
            !quantities.contains(input.name) && !columns.contains(input.name)
                && roles.columns(fourMomentum(input.object), in: columns) != nil
        }.map(\.name)
    }

    /// The leading `rows` rows of `table` as a table of the named columns, derived quantities or
    /// muon masses squared (computed from the columns playing their roles), with `frame` computed
    /// after rotating each event into mu2's azimuthal frame (`AzimuthalFrame`).
    public static func features(_ table: EventTable, names: [String], rows: Int,
                                roles: ColumnRoles = ColumnRoles(), frame: Bool = false) throws -> EventTable {
        var head = table.slice(0..<min(rows, table.rows))
        if frame { AzimuthalFrame.rotate(&head, roles: roles) }
        var out = EventTable(columns: names, rows: head.rows)
        for (j, name) in names.enumerated() {
            for (r, v) in try quantity(head, name, roles: roles).enumerated() { out[r, j] = Float(v) }
        }
        return out
    }

    /// A column or derived quantity of `table`, or a muon's mass squared.
    static func quantity(_ table: EventTable, _ name: String, roles: ColumnRoles) throws -> [Double] {
        guard table.columnIndex(name) == nil, let input = muonMassInputs.first(where: { $0.name == name }),
              let columns = roles.columns(fourMomentum(input.object), in: table.columns) else {
            return try table.quantity(name, roles: roles)
        }
        let p = columns.map { table.columnIndex($0)! }, w = table.width
        return table.values.withUnsafeBufferPointer { v in
            (0..<table.rows).map { r in
                let e = Double(v[r * w + p[0]]), px = Double(v[r * w + p[1]]), py = Double(v[r * w + p[2]]), pz = Double(v[r * w + p[3]])
                return e * e - px * px - py * py - pz * pz
            }
        }
    }

    /// The roles of an object's four-momentum (E, px, py, pz).
    static func fourMomentum(_ object: String) -> [String] { ["_E", "_px", "_py", "_pz"].map { object + $0 } }
}
