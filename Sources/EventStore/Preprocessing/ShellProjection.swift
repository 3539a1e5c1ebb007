import Foundation
import Support

/// Puts two vectors (the muons) back on their mass shells after a generator's rows went through
/// the inverse preprocessing, keeping the pair's invariant mass and both directions.
///
/// Why: with `pair_mass` the pair mass is a coordinate and E₁ comes back as √(m₁₂² + |p₁ + p₂|²) −
/// E₂, while E₂ and the six momentum components are generated freely: nothing ties a muon's E to
/// its |p|, so generated muons are off their shell by GeV (real: m²/2|p| ≈ 10⁻⁴ GeV) and a
/// classifier shown E² − |p|² separates them at AUC 0.9999. Solving one muon from the mass instead
/// (in training) amplified the generator's errors (README, `--pair-mass`).
///
/// The projection scales both 3-momenta by one factor s > 0 and sets E_i = √(s²|p_i|² + m_i²), with
/// s chosen so the pair mass is the row's mass before the projection (the generated m₁₂). The pair
/// mass grows strictly with s from m₁ + m₂ (at s = 0), so s is unique; it solves a quadratic in
/// x = s² (`scale`). A row without a solution (a pair mass ≤ m₁ + m₂, or collinear momenta that
/// cannot reach it) keeps its momenta and only gets on-shell energies. A row already on the shell
/// to float32 resolution (every real row) is left bit for bit as it is.
///
/// `masses` are fitted on the training rows (median of E² − |p|² per vector, `FitStatistics`), so
/// a table with massless muons, or a user's own convention, gets its own shell.
public struct ShellProjection: Codable, Equatable, Sendable {
    /// (E₁, px₁, py₁, pz₁, E₂, px₂, py₂, pz₂), as for `PreprocessingStep.pairMass`; "0" marks a
    /// component that is identically 0 (mu2_py in the rotation frame).
    public let components: [String]
    /// The two fitted masses (nil before fitting).
    public internal(set) var masses: [Double]?

    public init(components: [String]) {
        self.components = components
        self.masses = nil
    }

    /// Label used in messages.
    static let label = "on_shell projection"

    /// Positions of the components in `columns` (−1 for "0"), refusing unknown or missing ones.
    func indices(in columns: [String]) throws -> [Int] {
        guard components.count == 8 else {
            throw PreprocessingError.damaged(ShellProjection.label, "expected 8 components (E, px, py, pz of two vectors), "
                                             + "found \(components.count)")
        }
        let indices = try components.map { name -> Int in
            guard name != PreprocessingStep.zeroComponent else { return -1 }
            guard let i = columns.firstIndex(of: name) else {
                throw PreprocessingError.unknownColumn(name, step: ShellProjection.label, available: columns)
            }
            return i
        }
        guard indices[0] >= 0, indices[4] >= 0 else {
            throw PreprocessingError.damaged(ShellProjection.label, "expected both energies among the columns, found a zero component")
        }
        return indices
    }

    /// The fitted masses, checked (finite, ≥ 0, two of them).
    func checkedMasses() throws -> (Double, Double) {
        guard let masses else { throw PreprocessingError.notFitted() }
        guard masses.count == 2, masses.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw PreprocessingError.damaged(ShellProjection.label, "expected two finite masses ≥ 0, found \(masses)")
        }
        return (masses[0], masses[1])
    }

    /// The scale s of both momenta that gives pair mass `mass` with on-shell energies, or nil when
    /// none exists. q1 = |p₁|², q2 = |p₂|², c = p₁·p₂, cross = |p₁ × p₂|² (computed from the cross
    /// product, so no cancellation for nearly collinear momenta). With x = s², K = (M² − m₁² − m₂²)/2:
    /// E₁E₂ − x c = K, squared: cross·x² + (q1 m₂² + q2 m₁² − 2Kc)·x + m₁²m₂² − K² = 0, whose constant
    /// is negative when M > m₁ + m₂, so exactly one root is positive; it is taken in the form free
    /// of cancellation.
    @inline(__always)
    public static func scale(mass: Double, m1: Double, m2: Double, q1: Double, q2: Double, c: Double, cross: Double) -> Double? {
        let k = (mass * mass - m1 * m1 - m2 * m2) / 2
        let mm = m1 * m2
        guard k > mm else { return nil }
        let constant = (mm - k) * (mm + k)
        let b = q1 * m2 * m2 + q2 * m1 * m1 - 2 * k * c
        let root = (b * b - 4 * cross * constant).squareRoot()
        let x: Double
        if b > 0 {
            x = -2 * constant / (b + root)
        } else if cross > 0 {
            x = (root - b) / (2 * cross)
        } else {
            return nil
        }
        guard x.isFinite, x > 0 else { return nil }
        return x.squareRoot()
    }

    /// Relative size (of (|E₁| + |E₂|)²) of the pair mass² differences float32 rows cannot resolve:
    /// each of E₁, E₂, p₁, p₂ is rounded to 2⁻²⁴ of itself, moving (E₁ + E₂)² − |p₁ + p₂|² by up to
    /// ~4·2⁻²⁴·(E₁ + E₂)² (and the pair mass step's float32 mass and E₁ add as much again). Within
    /// it the momenta stay: rescaling them there would only amplify rounding, by (E₁ + E₂)²/m₁₂²
    /// for a nearly collinear pair (2·10⁻⁵ of a muon's energy on real DY rows).
    static let resolution = 8 * Double(Float.ulpOfOne) / 2

    /// Projects `rows` rows of `width` floats in place (no allocation).
    static func apply(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices c: [Int],
                      masses: (Double, Double)) {
        guard rows > 0, let base = buffer.baseAddress else { return }
        @inline(__always) func value(_ row: UnsafeMutablePointer<Float>, _ i: Int) -> Double { i < 0 ? 0 : Double(row[i]) }
        for r in 0..<rows {
            let row = base + r * width
            let e1 = value(row, c[0]), e2 = value(row, c[4])
            let a = (value(row, c[1]), value(row, c[2]), value(row, c[3]))
            let b = (value(row, c[5]), value(row, c[6]), value(row, c[7]))
            let sum = (a.0 + b.0, a.1 + b.1, a.2 + b.2)
            let m2 = (e1 + e2) * (e1 + e2) - (sum.0 * sum.0 + sum.1 * sum.1 + sum.2 * sum.2)
            let q1 = a.0 * a.0 + a.1 * a.1 + a.2 * a.2, q2 = b.0 * b.0 + b.1 * b.1 + b.2 * b.2
            let dot = a.0 * b.0 + a.1 * b.1 + a.2 * b.2
            let x = a.1 * b.2 - a.2 * b.1, y = a.2 * b.0 - a.0 * b.2, z = a.0 * b.1 - a.1 * b.0
            // A row whose pair mass is that of its momenta with on-shell energies, to within what float32
            // values resolve (`resolution`), is on its shell already (a real row): it stays as it is, bit
            // for bit. Recomputing its energies from the rounded momenta would change their rounding
            // (E² − |p|² of real rows carries the rounding of E and p alike), which a classifier shown
            // the muon masses separates at AUC 0.64 on 200k real DY rows.
            let shell1 = (q1 + masses.0 * masses.0).squareRoot(), shell2 = (q2 + masses.1 * masses.1).squareRoot()
            let onShell = (shell1 + shell2) * (shell1 + shell2) - (sum.0 * sum.0 + sum.1 * sum.1 + sum.2 * sum.2)
            let energy = abs(e1) + abs(e2)
            if abs(m2 - onShell) <= resolution * energy * energy { continue }
            let s = scale(mass: Swift.max(m2, 0).squareRoot(), m1: masses.0, m2: masses.1, q1: q1, q2: q2, c: dot,
                          cross: x * x + y * y + z * z) ?? 1
            row[c[0]] = Float((s * s * q1 + masses.0 * masses.0).squareRoot())
            row[c[4]] = Float((s * s * q2 + masses.1 * masses.1).squareRoot())
            for k in 1...7 where k != 4 && c[k] >= 0 { row[c[k]] = Float(Double(row[c[k]]) * s) }
        }
    }
}
