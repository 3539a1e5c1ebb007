import Foundation

/// The kernels of the `pairMomentum` step: the first vector's momentum components are replaced by
/// the pair's, p₁ → p₁ + p₂ (the inverse subtracts p₂ again, exact up to float rounding). In a
/// Z → μμ event the muons are nearly back to back, so the pair's transverse momentum (ptll, a few
/// GeV) is a small difference of two 40 GeV components: a network that produces the components
/// directly smears it the way it smears the mass (on a 2,000-row table, ptll KS 0.10–0.16 where
/// the p = 0.05 critical value is 0.069). With this step ptll is a coordinate, like the mass under
/// `pairMass`, which it follows (the mass is computed from the original momenta).
///
/// `indices` are the positions of (E₁, px₁, py₁, pz₁, E₂, px₂, py₂, pz₂), as for `PairMass`; −1 marks
/// a component that is identically 0 (p_y of the reference muon in the rotated frame). The
/// energies are not touched.
enum PairMomentum {
    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int]) {
        apply(buffer, width: width, rows: rows, indices: c, sign: 1)
    }

    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int]) {
        apply(buffer, width: width, rows: rows, indices: c, sign: -1)
    }

    /// p₁ += sign · p₂ for each momentum component present in both vectors.
    private static func apply(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int], sign: Double) {
        guard rows > 0, let base = buffer.baseAddress else { return }
        for r in 0..<rows {
            let row = base + r * width
            for k in 1..<4 where c[k] >= 0 && c[k + 4] >= 0 {
                row[c[k]] = Float(Double(row[c[k]]) + sign * Double(row[c[k + 4]]))
            }
        }
    }
}
