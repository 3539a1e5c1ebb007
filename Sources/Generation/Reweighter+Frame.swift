import EventStore
import Foundation
import Physics
import Support

extension Reweighter {
    /// The object whose azimuth defines the frame, as in the rotation preprocessing (`rotateAzimuth(reference: "mu2")`):
    /// its px and py are the columns playing the roles `mu2_px` and `mu2_py`.
    public static let frameReference = "mu2"
    /// The objects with a transverse momentum among the roles, rotated into the frame by their roles' columns.
    static let transverseRoles = ["mu1", "mu2", "met"]

    /// The quantities for `columns`: the columns (without the reference's py, which is 0 in the
    /// frame), then every derived quantity they allow, computed from the columns playing its roles
    /// (`roles`). Generated events carry a uniformly random azimuth and real ones their own: both are
    /// isotropic, so a classifier shown raw px/py could only learn noise there, and weights that
    /// depend on it would make the weighted azimuth distributions worse. Every (px, py) pair is
    /// therefore seen rotated by the reference's azimuth.
    public static func quantities(_ columns: [String], roles: ColumnRoles = ColumnRoles()) -> [String] {
        let derived = DerivedQuantity.computable(from: columns, roles: roles).map(\.rawValue)
        let drop = reference(columns, roles: roles)?.py
        return columns.filter { $0 != drop } + derived
    }

    /// The columns playing the reference's px and py, or nil (then nothing is rotated).
    static func reference(_ columns: [String], roles: ColumnRoles) -> (px: String, py: String)? {
        guard let px = roles.column(frameReference + "_px", in: columns),
              let py = roles.column(frameReference + "_py", in: columns) else { return nil }
        return (px, py)
    }

    /// The (px, py) column pairs rotated into the frame: those of the roles mu1, mu2 and met, then
    /// any other X_px, X_py columns (neither playing a role) by their names.
    static func transversePairs(_ columns: [String], roles: ColumnRoles) -> [(px: String, py: String)] {
        let played = transverseRoles.compactMap { object -> (px: String, py: String)? in
            guard let px = roles.column(object + "_px", in: columns), let py = roles.column(object + "_py", in: columns) else { return nil }
            return (px, py)
        }
        let named = columns.compactMap { name -> (px: String, py: String)? in
            let py = String(name.dropLast(3)) + "_py"
            guard name.hasSuffix("_px"), columns.contains(py), roles.role(of: name, in: columns) == nil,
                  roles.role(of: py, in: columns) == nil else { return nil }
            return (name, py)
        }
        return played + named
    }

    /// The leading `rows` rows of the named quantities, row-major, computed in the reference's
    /// frame: every (px, py) pair rotated by −φ(reference), so derived angles such as phi_miss
    /// are relative to it too (as in the rotation frame snapshots are scored in).
    static func matrix(_ table: EventTable, names: [String], rows: Int, roles: ColumnRoles = ColumnRoles()) throws -> [Float] {
        var head = table.slice(0..<rows)
        rotateToFrame(&head, roles: roles)
        var x = [Float](repeating: 0, count: rows * names.count)
        for (j, name) in names.enumerated() {
            for (r, v) in try head.quantity(name, roles: roles).enumerated() { x[r * names.count + j] = Float(v) }
        }
        return x
    }

    /// Rotates every (px, py) column pair (`transversePairs`) of each row by minus the reference's azimuth.
    static func rotateToFrame(_ table: inout EventTable, roles: ColumnRoles = ColumnRoles()) {
        guard let reference = reference(table.columns, roles: roles),
              let rx = table.columnIndex(reference.px), let ry = table.columnIndex(reference.py) else { return }
        let pairs = transversePairs(table.columns, roles: roles).compactMap { pair -> (Int, Int)? in
            guard let x = table.columnIndex(pair.px), let y = table.columnIndex(pair.py) else { return nil }
            return (x, y)
        }
        let w = table.width
        for r in 0..<table.rows {
            let phi = atan2(Double(table.values[r * w + ry]), Double(table.values[r * w + rx]))
            let c = cos(phi), s = sin(phi)
            for (x, y) in pairs {
                let px = Double(table.values[r * w + x]), py = Double(table.values[r * w + y])
                table.values[r * w + x] = Float(px * c + py * s)
                table.values[r * w + y] = Float(-px * s + py * c)
            }
        }
    }
}
