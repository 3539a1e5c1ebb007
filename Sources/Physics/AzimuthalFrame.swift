import EventStore
import Foundation
import Support

/// The frame of mu2's azimuth: every transverse (px, py) pair of an event rotated by −φ(mu2), so
/// mu2_py is 0 and every azimuth is relative to mu2's. Real events carry their own azimuth and a
/// generator's a uniformly random one: both are isotropic, so a classifier shown raw px/py has to
/// learn that rotations do not matter, while in the frame it sees one angle fewer and the others
/// relative to mu2 (as the rotation preprocessing `rotateAzimuth(reference: "mu2")` does). Used by
/// the reweighter's classifier (`Reweighter`) and by evaluate's classifier test. Columns are found
/// by their roles (`ColumnRoles`).
public enum AzimuthalFrame {
    /// The object whose azimuth defines the frame.
    public static let reference = "mu2"
    /// The objects with a transverse momentum among the roles, rotated by their roles' columns.
    static let transverseRoles = ["mu1", "mu2", "met"]

    /// The columns playing the reference's px and py, or nil (then nothing is rotated).
    public static func referenceColumns(_ columns: [String], roles: ColumnRoles) -> (px: String, py: String)? {
        guard let px = roles.column(reference + "_px", in: columns), let py = roles.column(reference + "_py", in: columns) else { return nil }
        return (px, py)
    }

    /// The (px, py) column pairs rotated into the frame: those of the roles mu1, mu2 and met, then
    /// any other X_px, X_py columns (neither playing a role) by their names.
    public static func transversePairs(_ columns: [String], roles: ColumnRoles) -> [(px: String, py: String)] {
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

    /// Rotates every (px, py) column pair (`transversePairs`) of each row by minus the reference's
    /// azimuth (in double precision); a table without the reference's columns is left as it is.
    public static func rotate(_ table: inout EventTable, roles: ColumnRoles = ColumnRoles()) {
        guard let reference = referenceColumns(table.columns, roles: roles),
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
