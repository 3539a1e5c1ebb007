import Foundation
import Support

/// The kernels of the `pairShell` step: the pair's mass as a coordinate, like `PairMass`, with both
/// vectors on their mass shell by construction. Under `PairMass` a network still produces both
/// energies and every momentum component, so a generated muon has E − |p| spread over ±1 GeV
/// where a real one has m²/2|p| ≈ 10⁻⁴ GeV; putting E back on the shell afterwards moves the mass
/// (E₁ carries it). Here the row stores only what an on-shell pair is made of:
///
/// - E₁'s column: the pair mass m₁₂ (from on-shell energies, √(2m² + 2(E₁E₂ − p₁·p₂)));
/// - p₁'s x, y columns: the first vector's direction relative to the second, Δφ = φ₁ − φ₂ − π
///   wrapped to [−π, π] (0 = back to back in the transverse plane) and Δη = η₁ − η₂; both stay
///   well conditioned for a Z → μμ pair, whose muons are near back to back with a common boost;
/// - p₂'s components: unchanged;
/// - p₁'s z column and E₂'s column: a standard normal draw from row r's Philox stream
///   `(seed, firstRow + r, substream)` (the inverse ignores them; a constant there would be a
///   coordinate a discriminator separates on, as E − |p| was).
///
/// The inverse builds the direction n₁ from (Δφ, Δη) and p₂, solves |p₁| = a ≥ 0 from
/// m₁₂² = 2m² + 2(E₁E₂ − a n₁·p₂), E₁ = √(a² + m²), and sets E = √(|p|² + m²) for both vectors, so
/// every output row is on the shell whatever the network produced. Squaring gives
/// A a² − 2Kc a + m²E₂² − K² = 0 with K = (m₁₂² − 2m²)/2, c = n₁·p₂, A = E₂² − c² = m² + |n₁ × p₂|²;
/// the larger root a = (Kc + E₂√(K² − m²A))/A is taken (the branch on which the mass grows with
/// |p₁|, where every real pair above a few GeV lies), in its cancellation-free form for c < 0.
/// No solution (K < m√A: the requested mass is below the smallest this direction and p₂ allow)
/// is resolved deterministically: a = max(0, m c/√A), the |p₁| of that smallest mass, so the row
/// gets the closest mass it can have (continuous at the boundary); a negative root becomes 0.
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

    /// Physical rows → (m₁₂, Δφ, Δη, draw, draw, p₂). Refuses a non-finite value, an energy off
    /// the shell of `mass` and a vector without transverse momentum (its direction has no η).
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
            let dphi = remainder(atan2(p1.1, p1.0) - atan2(p2.1, p2.0) - Double.pi, 2 * Double.pi)
            let deta = asinh(p1.2 / hypot(p1.0, p1.1)) - asinh(p2.2 / hypot(p2.0, p2.1))
            var generator = Philox(seed: seed, stream: UInt64(firstRow + r), substream: substream)
            row[c[0]] = Float(pairMass)
            row[c[1]] = Float(dphi)
            row[c[2]] = Float(deta)
            row[c[3]] = Float(generator.normal())
            row[c[4]] = Float(generator.normal())
        }
    }

    /// (m₁₂, Δφ, Δη, ·, ·, p₂) → both vectors on the shell of `mass`, any finite input.
    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int], mass m: Double) {
        guard rows > 0, let base = buffer.baseAddress else { return }
        for r in 0..<rows {
            let row = base + r * width
            let p2 = (component(row, c[5]), component(row, c[6]), component(row, c[7]))
            let (n1, e2) = direction(dphi: Double(row[c[1]]), deta: Double(row[c[2]]), p2: p2, mass: m)
            let a = magnitude(pairMass: Double(row[c[0]]), direction: n1, p2: p2, e2: e2, mass: m)
            row[c[0]] = Float((a * a + m * m).squareRoot())
            row[c[1]] = Float(a * n1.0)
            row[c[2]] = Float(a * n1.1)
            row[c[3]] = Float(a * n1.2)
            row[c[4]] = Float(e2)
        }
    }

    /// The unit vector (Δφ, Δη) away from −p̂₂ (in φ) and from η₂, and E₂ on the shell. Written
    /// with sech and tanh so a huge η gives the beam axis instead of ∞/∞; p_T,₂ = 0 counts as
    /// η₂ = ±∞ (0 when p_z,₂ = 0 too).
    @inline(__always)
    static func direction(dphi: Double, deta: Double, p2: (Double, Double, Double),
                          mass m: Double) -> ((Double, Double, Double), Double) {
        let pt2 = hypot(p2.0, p2.1)
        let eta2 = p2.2 == 0 ? 0 : asinh(p2.2 / Swift.max(pt2, Double.leastNormalMagnitude))
        let phi = atan2(p2.1, p2.0) + Double.pi + dphi, eta = eta2 + deta
        let sech = 1 / cosh(eta)
        let e2 = (p2.0 * p2.0 + p2.1 * p2.1 + p2.2 * p2.2 + m * m).squareRoot()
        return ((cos(phi) * sech, sin(phi) * sech, tanh(eta)), e2)
    }

    /// |p₁| along `n` giving the pair mass `pairMass` (its sign ignored), or the deterministic
    /// fallback described on the type when there is none.
    @inline(__always)
    static func magnitude(pairMass: Double, direction n: (Double, Double, Double), p2: (Double, Double, Double),
                          e2: Double, mass m: Double) -> Double {
        let c = n.0 * p2.0 + n.1 * p2.1 + n.2 * p2.2
        let cross = (n.1 * p2.2 - n.2 * p2.1, n.2 * p2.0 - n.0 * p2.2, n.0 * p2.1 - n.1 * p2.0)
        let a2 = m * m + cross.0 * cross.0 + cross.1 * cross.1 + cross.2 * cross.2
        let k = (pairMass * pairMass - 2 * m * m) / 2
        guard a2 > 0 else { return 0 }   // massless and parallel: every |p₁| gives mass 0
        guard k >= m * a2.squareRoot() else { return Swift.max(0, m * c / a2.squareRoot()) }
        let root = Swift.max(k * k - m * m * a2, 0).squareRoot()
        if c >= 0 { return (k * c + e2 * root) / a2 }
        let denominator = e2 * root - k * c
        return denominator > 0 ? Swift.max(0, (k * k - m * m * e2 * e2) / denominator) : 0
    }
}
