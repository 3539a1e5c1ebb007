import Foundation
import Support

/// Physics quantities computed from an event table's columns, addressable by name wherever a
/// column name is accepted.
public enum DerivedQuantity: String, CaseIterable, Sendable {
    /// Dimuon invariant mass.
    case mll
    /// Dimuon transverse momentum.
    case ptll
    /// Magnitude of the missing transverse momentum.
    case met
    /// Azimuth of the missing transverse momentum, atan2(met_py, met_px).
    case phiMiss = "phi_miss"
    /// φ(mu1) − φ(mu2) wrapped to [−π, π].
    case dphiLL = "dphi_ll"
    /// Number of jets with pT > 15 GeV among jet1_pt … jet5_pt.
    case njets

    /// Jets at or below this pT do not count in `njets` (the generator's zero padding included).
    public static let jetPtThreshold: Float = 15

    /// The roles (`ColumnRoles`) of the columns the quantity is computed from, in the order
    /// `compute` expects them: the built-in table's names, which a table's `[roles]` may map.
    public var inputs: [String] {
        switch self {
        case .mll: return ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]
        case .ptll, .dphiLL: return ["mu1_px", "mu1_py", "mu2_px", "mu2_py"]
        case .met, .phiMiss: return ["met_px", "met_py"]
        case .njets: return ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]
        }
    }

    /// The quantity of one row, given a pointer to that row and the column offsets of `inputs`.
    @inline(__always)
    func compute(_ row: UnsafePointer<Float>, _ c: UnsafeBufferPointer<Int>) -> Double {
        switch self {
        case .mll:
            let e = Double(row[c[0]]) + Double(row[c[4]])
            let x = Double(row[c[1]]) + Double(row[c[5]])
            let y = Double(row[c[2]]) + Double(row[c[6]])
            let z = Double(row[c[3]]) + Double(row[c[7]])
            let m2 = e * e - x * x - y * y - z * z
            return m2 > 0 ? m2.squareRoot() : 0
        case .ptll:
            let x = Double(row[c[0]]) + Double(row[c[2]])
            let y = Double(row[c[1]]) + Double(row[c[3]])
            return (x * x + y * y).squareRoot()
        case .met:
            let x = Double(row[c[0]]), y = Double(row[c[1]])
            return (x * x + y * y).squareRoot()
        case .phiMiss:
            return Foundation.atan2(Double(row[c[1]]), Double(row[c[0]]))
        case .dphiLL:
            let d = Foundation.atan2(Double(row[c[1]]), Double(row[c[0]]))
                - Foundation.atan2(Double(row[c[3]]), Double(row[c[2]]))
            if d > Double.pi { return d - 2 * Double.pi }
            if d < -Double.pi { return d + 2 * Double.pi }
            return d
        case .njets:
            var n = 0
            for k in 0..<c.count where row[c[k]] > DerivedQuantity.jetPtThreshold { n += 1 }
            return Double(n)
        }
    }
}
