import EventStore
import Foundation
import Physics
import Support

extension Reweighter {
    /// The quantities for `columns`: the columns (without the py of the frame's reference,
    /// `AzimuthalFrame.reference`, which is 0 in the frame), then every derived quantity they
    /// allow, computed from the columns playing its roles (`roles`). Generated events carry a uniformly random azimuth and real ones their own: both are
    /// isotropic, so a classifier shown raw px/py could only learn noise there, and weights that
    /// depend on it would make the weighted azimuth distributions worse. Every (px, py) pair is
    /// therefore seen rotated by the reference's azimuth.
    public static func quantities(_ columns: [String], roles: ColumnRoles = ColumnRoles()) -> [String] {
        let derived = DerivedQuantity.computable(from: columns, roles: roles).map(\.rawValue)
        let drop = AzimuthalFrame.referenceColumns(columns, roles: roles)?.py
        return columns.filter { $0 != drop } + derived
    }

    /// The leading `rows` rows of the named quantities, row-major, computed in the reference's
    /// frame: every (px, py) pair rotated by −φ(reference), so derived angles such as phi_miss
    /// are relative to it too (as in the rotation frame snapshots are scored in).
    static func matrix(_ table: EventTable, names: [String], rows: Int, roles: ColumnRoles = ColumnRoles()) throws -> [Float] {
        var head = table.slice(0..<rows)
        AzimuthalFrame.rotate(&head, roles: roles)
        var x = [Float](repeating: 0, count: rows * names.count)
        for (j, name) in names.enumerated() {
            for (r, v) in try head.quantity(name, roles: roles).enumerated() { x[r * names.count + j] = Float(v) }
        }
        return x
    }
}
