import Foundation

/// The kernels of the `pairPt` step: the first vector's transverse components are replaced by
/// the pair's, (px₁, py₁) → (px₁ + px₂, py₁ + py₂) (the inverse subtracts them again, exact up to
/// float rounding). In a Z → μμ event the muons are nearly back to back, so the pair's transverse
/// momentum (ptll, a few GeV) is a small difference of two 40 GeV components: a network that
/// produces the components directly smears it the way it smears the mass (on 2,000-row tables,
/// ptll KS 0.10–0.16 where the p = 0.05 critical value is 0.069). With this step ptll is a
/// coordinate, like the mass under `pairMass`, which it follows (the mass is computed from the
/// original momenta). p_z stays each muon's own: ptll needs only the transverse components.
///
/// `indices` are the positions of (E₁, px₁, py₁, pz₁, E₂, px₂, py₂, pz₂), as for `PairMass`; −1 marks
/// a component that is identically 0 (p_y of the reference muon in the rotated frame).
enum PairPt {
    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int]) {
        apply(buffer, width: width, rows: rows, indices: c, sign: 1)
    }

    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int]) {
        apply(buffer, width: width, rows: rows, indices: c, sign: -1)
    }

    /// (px₁, py₁) += sign · (px₂, py₂), for the components present in both vectors.
    private static func apply(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int], sign: Double) {
        guard rows > 0, let base = buffer.baseAddress else { return }
        for r in 0..<rows {
            let row = base + r * width
            for k in 1..<3 where c[k] >= 0 && c[k + 4] >= 0 {
                row[c[k]] = Float(Double(row[c[k]]) + sign * Double(row[c[k + 4]]))
            }
        }
    }
}
