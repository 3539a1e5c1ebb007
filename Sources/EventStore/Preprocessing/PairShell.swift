import Foundation
import Support

/// The kernels of the `pairShell` step: the pair's mass and transverse momentum as coordinates,
/// like `PairMass` with `PairPt`, with both vectors on their mass shell by construction. Under
/// `PairMass` a network still produces both energies and every momentum component, so a generated
/// muon has E − |p| spread over several GeV where a real one has m²/2|p| ≈ 10⁻⁴ GeV; putting E
/// back on the shell afterwards moves the mass (E₁ carries it). Here the row stores only what an
/// on-shell pair is made of:
///
/// - E₁'s column: the pair mass m₁₂ = √(2m² + 2(E₁E₂ − p₁·p₂)) (energies on the shell);
/// - p₁'s x, y columns: the pair's transverse momentum p_T,₁ + p_T,₂ (ptll is a coordinate);
/// - p₂'s components: unchanged;
/// - p₁'s z column: ±|z| with z a standard normal draw and the sign of Δy = y₁ − y₂ (the two
///   solutions for the rapidities below); E₂'s column: a standard normal draw. Both come from row
///   r's Philox stream `(seed, firstRow + r, substream)`; a constant there would be a coordinate a
///   discriminator separates on, as E − |p| was.
///
/// With transverse masses m_T,i = √(p_T,i² + m²) and rapidities y_i, E_i = m_T,i cosh y_i and
/// p_z,i = m_T,i sinh y_i, so m₁₂² = 2m² + 2(m_T,₁ m_T,₂ cosh Δy − p_T,₁·p_T,₂). The inverse takes
/// p_T,₁ = pair − p_T,₂, solves cosh Δy = (m₁₂²/2 − m² + p_T,₁·p_T,₂)/(m_T,₁ m_T,₂), takes Δy's sign
/// from p₁'s z column and sets y₁ = y₂ + Δy: both vectors are on the shell and the pair has the
/// requested mass, whatever the network produced, and no momentum can run away (|Δy| grows only
/// like log m₁₂). A mass below the smallest these transverse momenta allow (cosh Δy < 1) is
/// resolved deterministically with Δy = 0, that smallest mass (continuous at the boundary).
///
/// `indices` are the positions of (E₁, px₁, py₁, pz₁, E₂, px₂, py₂, pz₂); −1 marks a component of
/// the second vector that is identically 0 (p_y of the reference muon in the rotated frame).
enum PairShell {
    /// A row whose stored energy differs from √(|p|² + m²) by more than this fraction is refused.
    static let tolerance = 1e-4

    @inline(__always)
    private static func component(_ row: UnsafeMutablePointer<Float>, _ i: Int) -> Double {
        i < 0 ? 0 : Double(row[i])
    }

    /// Rapidity of a vector with transverse mass `mt` (0 for one along the beam without mass).
    @inline(__always)
    static func rapidity(pz: Double, mt: Double) -> Double {
        pz == 0 ? 0 : asinh(pz / Swift.max(mt, Double.leastNormalMagnitude))
    }

    /// Physical rows → (m₁₂, pair p_x, pair p_y, ±|draw|, draw, p₂). Refuses a non-finite value, an
    /// energy off the shell of `mass` and a vector without transverse momentum.
    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, firstRow: Int, indices c: [Int],
                        mass m: Double, seed: UInt64, substream: UInt32, columns: [String], step: String) throws {
        guard rows > 0, let base = buffer.baseAddress else { return }
        for r in 0..<rows {
            let row = base + r * width
            for i in c where i >= 0 && !row[i].isFinite {
                throw PreprocessingError.nonFinite(row[i], row: firstRow + r, column: columns[i], step: step)
            }
            let p1 = (component(row, c[1]), component(row, c[2]), component(row, c[3]))
            let p2 = (component(row, c[5]), component(row, c[6]), component(row, c[7]))
            func shell(_ k: Int, _ p: (Double, Double, Double)) throws -> Double {
                let energy = (p.0 * p.0 + p.1 * p.1 + p.2 * p.2 + m * m).squareRoot()
                let stored = Double(row[c[k]])
                guard abs(stored - energy) <= tolerance * energy else {
                    throw PreprocessingError.offShell(row: firstRow + r, column: columns[c[k]], value: stored, expected: energy,
                                                      mass: m, step: step)
                }
                guard p.0 * p.0 + p.1 * p.1 > 0 else {
                    throw PreprocessingError.noTransverseMomentum(row: firstRow + r, column: columns[c[k]], step: step)
                }
                return energy
            }
            let energies = (try shell(0, p1), try shell(4, p2))
            let dot = p1.0 * p2.0 + p1.1 * p2.1 + p1.2 * p2.2
            let pairMass = Swift.max(2 * m * m + 2 * (energies.0 * energies.1 - dot), 0).squareRoot()
            let gap = rapidity(pz: p1.2, mt: (p1.0 * p1.0 + p1.1 * p1.1 + m * m).squareRoot())
                - rapidity(pz: p2.2, mt: (p2.0 * p2.0 + p2.1 * p2.1 + m * m).squareRoot())
            var generator = Philox(seed: seed, stream: UInt64(firstRow + r), substream: substream)
            let side = abs(generator.normal())
            row[c[0]] = Float(pairMass)
            row[c[1]] = Float(p1.0 + p2.0)
            row[c[2]] = Float(p1.1 + p2.1)
            row[c[3]] = Float(gap >= 0 ? side : -side)
            row[c[4]] = Float(generator.normal())
        }
    }

    /// (m₁₂, pair p_x, pair p_y, side, ·, p₂) → both vectors on the shell of `mass`, any finite input.
    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int], mass m: Double) {
        guard rows > 0, let base = buffer.baseAddress else { return }
        for r in 0..<rows {
            let row = base + r * width
            let p2 = (component(row, c[5]), component(row, c[6]), component(row, c[7]))
            let pt1 = (Double(row[c[1]]) - p2.0, Double(row[c[2]]) - p2.1)
            let (e1, pz1, e2) = solve(pairMass: Double(row[c[0]]), pt1: pt1, side: Double(row[c[3]]), p2: p2, mass: m)
            row[c[0]] = Float(e1)
            row[c[1]] = Float(pt1.0)
            row[c[2]] = Float(pt1.1)
            row[c[3]] = Float(pz1)
            row[c[4]] = Float(e2)
        }
    }

    /// E₁, p_z,₁ and E₂ for the first vector's transverse momentum `pt1`, the second vector `p2`,
    /// the pair mass (its sign ignored) and the side of Δy (`side` ≥ 0: y₁ ≥ y₂), as described on
    /// the type (Δy = 0 when no rapidity gap gives the mass).
    @inline(__always)
    static func solve(pairMass: Double, pt1: (Double, Double), side: Double, p2: (Double, Double, Double),
                      mass m: Double) -> (e1: Double, pz1: Double, e2: Double) {
        let mt1 = (pt1.0 * pt1.0 + pt1.1 * pt1.1 + m * m).squareRoot()
        let mt2 = (p2.0 * p2.0 + p2.1 * p2.1 + m * m).squareRoot()
        let product = mt1 * mt2
        let cosh = product > 0 ? (pairMass * pairMass / 2 - m * m + pt1.0 * p2.0 + pt1.1 * p2.1) / product : 1
        let gap = cosh > 1 ? acosh(cosh) : 0
        let y1 = rapidity(pz: p2.2, mt: mt2) + (side >= 0 ? gap : -gap)
        return (mt1 * Foundation.cosh(y1), mt1 * sinh(y1), (p2.0 * p2.0 + p2.1 * p2.1 + p2.2 * p2.2 + m * m).squareRoot())
    }
}
