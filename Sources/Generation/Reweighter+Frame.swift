import EventStore
import Foundation
import Physics

extension Reweighter {
    /// The object whose azimuth defines the frame, as in the rotation preprocessing (`rotateAzimuth(reference: "mu2")`).
    public static let frameReference = "mu2"

    /// The quantities for `columns`: the columns (without the reference's py, which is 0 in the
    /// frame), then every derived quantity they allow. Generated events carry a uniformly random
    /// azimuth and real ones their own: both are isotropic, so a classifier shown raw px/py could
    /// only learn noise there, and weights that depend on it would make the weighted azimuth
    /// distributions worse. Every (X_px, X_py) pair is therefore seen rotated by the reference's azimuth.
    public static func quantities(_ columns: [String]) -> [String] {
        let probe = EventTable(columns: columns, rows: 0)
        let derived = DerivedQuantity.allCases.filter { probe.isComputable($0) }.map(\.rawValue).filter { !columns.contains($0) }
        let drop = rotates(columns) ? frameReference + "_py" : nil
        return columns.filter { $0 != drop } + derived
    }

    static func rotates(_ columns: [String]) -> Bool {
        columns.contains(frameReference + "_px") && columns.contains(frameReference + "_py")
    }

    /// The leading `rows` rows of the named quantities, row-major, computed in the reference's
    /// frame: every (X_px, X_py) pair rotated by −φ(reference), so derived angles such as phi_miss
    /// are relative to it too (as in the rotation frame snapshots are scored in).
    static func matrix(_ table: EventTable, names: [String], rows: Int) throws -> [Float] {
        var head = table.slice(0..<rows)
        if rotates(table.columns) { rotateToFrame(&head) }
        var x = [Float](repeating: 0, count: rows * names.count)
        for (j, name) in names.enumerated() {
            for (r, v) in try head.quantity(name).enumerated() { x[r * names.count + j] = Float(v) }
        }
        return x
    }

    /// Rotates every (X_px, X_py) column pair of each row by minus the reference's azimuth.
    static func rotateToFrame(_ table: inout EventTable) {
        let pairs = table.columns.compactMap { name -> (Int, Int)? in
            guard name.hasSuffix("_px"), let x = table.columnIndex(name),
                  let y = table.columnIndex(String(name.dropLast(3)) + "_py") else { return nil }
            return (x, y)
        }
        guard let rx = table.columnIndex(frameReference + "_px"), let ry = table.columnIndex(frameReference + "_py") else { return }
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
