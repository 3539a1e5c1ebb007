import Foundation
import Support

/// The kernels of the `pairMass` step. A Z → μμ sample is a narrow peak in the pair's invariant
/// mass, m² = (E₁ + E₂)² − |p₁ + p₂|², but a network that produces the eight components directly
/// has to hit a thin surface of that 8-dimensional space: errors that are small on every component
/// smear the peak (an MSE autoencoder reconstructing the muon components to 0.4 % in KS still
/// smears mll to KS 0.075). The step replaces E₁ by m, so the peak becomes a coordinate of its own;
/// the inverse recovers E₁ = √(m² + |p₁ + p₂|²) − E₂ exactly (up to float rounding).
///
/// `indices` are the positions of (E₁, px₁, py₁, pz₁, E₂, px₂, py₂, pz₂) in a row; −1 marks a
/// component that is identically 0 (p_y of the reference muon in the rotated frame).
enum PairMass {
    @inline(__always)
    private static func component(_ row: UnsafeMutablePointer<Float>, _ i: Int) -> Double {
        i < 0 ? 0 : Double(row[i])
    }

    /// |p₁ + p₂|² of one row.
    @inline(__always)
    private static func momentumSquared(_ row: UnsafeMutablePointer<Float>, _ c: [Int]) -> Double {
        var sum = 0.0
        for k in 1..<4 {
            let p = component(row, c[k]) + component(row, c[k + 4])
            sum += p * p
        }
        return sum
    }

    /// E₁ → m in place (m = 0 where rounding makes m² slightly negative).
    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int]) {
        guard rows > 0, let base = buffer.baseAddress else { return }
        for r in 0..<rows {
            let row = base + r * width
            let e = component(row, c[0]) + component(row, c[4])
            let m2 = e * e - momentumSquared(row, c)
            row[c[0]] = Float(Swift.max(m2, 0).squareRoot())
        }
    }

    /// m → E₁ in place. A negative m (a network's output below the physical range) is taken as |m|:
    /// the inverse depends on m² only, so it never produces NaN.
    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int]) {
        guard rows > 0, let base = buffer.baseAddress else { return }
        for r in 0..<rows {
            let row = base + r * width
            let m = Double(row[c[0]])
            row[c[0]] = Float((m * m + momentumSquared(row, c)).squareRoot() - component(row, c[4]))
        }
    }
}
